"""Where things are: the checkout, the tests' data, the seed page, the scripts mitmproxy loads."""
from pathlib import Path

SUPPORT = Path(__file__).resolve().parent
TESTS = SUPPORT.parent
ROOT = TESTS.parent
DATA = TESTS / "data"
SHARED = ROOT.parent / "shared"  # the seed page and the corpora, next to the checkout
SEED_DIR = SHARED / "seed"
EXTENSION = ROOT / "extension"
DOCS = ROOT / "docs"  # the screenshots the extension's tests take
CHROMIUM = "/usr/bin/chromium"  # Debian's (Playwright's own download cannot run here)

# Test-only mitmproxy addons, passed to `quietpage run` and mitmdump as `-s PATH`.
REROUTE_SCRIPT = SUPPORT / "reroute.py"
BOOM_SCRIPT = SUPPORT / "boom.py"
