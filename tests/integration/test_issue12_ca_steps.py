"""Issue 12, item 14: "`quietpage ca` steps fail on a fresh profile (certutil needs the NSS
database made first)". The by-hand steps `quietpage ca` prints for Chromium, run as printed
in a shell whose HOME has never seen a browser, leave the CA trusted in Chromium's store.
(`ca --install` itself: tests/browser/test_ca_install.py.)"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from support.newcomer import quietpage, shell_env

pytestmark = pytest.mark.skipif(shutil.which("certutil") is None, reason="needs certutil (Debian's libnss3-tools)")


def by_hand_steps(printed: str) -> tuple[str, str]:
    """The two shell commands of the "By hand for Chromium on Linux" step: make the store
    (once), then add the CA."""
    text = re.sub(r"\s+", " ", printed)
    found = re.search(r"By hand for Chromium on Linux: (.+?) \(once\), then (certutil .+?-i \S+)", text)
    assert found, printed
    return found.group(1), found.group(2)


def test_the_printed_chromium_steps_work_on_a_fresh_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = shell_env(home)
    shown = quietpage("ca", "--data-dir", str(tmp_path / "D"), env=env)
    assert shown.returncode == 0, shown.stderr
    cert = tmp_path / "D" / "mitmproxy" / "mitmproxy-ca-cert.pem"
    assert cert.is_file() and str(cert) in shown.stdout, shown.stdout
    assert not (home / ".pki").exists()

    make, add = by_hand_steps(shown.stdout)
    assert str(cert) in add, add
    for step in (make, add):
        ran = subprocess.run(["bash", "-c", step], env=env, capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, f"{step!r} failed on a fresh home: {ran.stdout}{ran.stderr}"

    store = f"sql:{home / '.pki' / 'nssdb'}"
    listed = subprocess.run(["certutil", "-L", "-d", store], capture_output=True, text=True, timeout=30)
    trusted = re.search(r"^QuietPage\s+(\S+)\s*$", listed.stdout, re.MULTILINE)
    assert trusted and trusted.group(1).startswith("C"), listed.stdout  # trusted to identify websites
    exported = subprocess.run(["certutil", "-L", "-d", store, "-n", "QuietPage", "-a"], capture_output=True,
                              text=True, timeout=30)
    body = "".join(line for line in cert.read_text(encoding="ascii").split() if "-----" not in line)
    assert body in "".join(exported.stdout.split()), "the store holds another certificate under that name"
