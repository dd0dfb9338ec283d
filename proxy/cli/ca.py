"""`quietpage ca`: where the CA certificate is, how to trust it, and `--install` /
`--uninstall` into the NSS databases Chromium and Firefox read (as mkcert does)."""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from proxy.cli.common import DATA_HELP, data_dir, instance_note


def cmd_ca(args: argparse.Namespace) -> int:
    from proxy.config import Config  # noqa: PLC0415
    from proxy.runner import ensure_ca  # noqa: PLC0415

    config = Config(data_dir=data_dir(args))
    cert = ensure_ca(config)
    if args.install or args.uninstall:
        return _install(cert, config.data_dir, remove=args.uninstall)
    print(CA_HELP.format(cert=cert, port=config.listen_port, host=config.listen_host))
    print(instance_note(args), file=sys.stderr)
    return 0


def nickname(data: Path) -> str:
    """The certificate's name in a store: one per data dir, so each can be taken out alone."""
    return f"QuietPage CA {hashlib.sha256(str(data.resolve()).encode()).hexdigest()[:8]}"


def nss_databases(home: Path) -> list[tuple[str, Path]]:
    """(browser, folder) of every NSS database under `home` the browsers read."""
    found = [("Chromium", home / ".pki" / "nssdb")]
    for profiles in (home / ".mozilla" / "firefox", home / "snap" / "firefox" / "common" / ".mozilla" / "firefox"):
        if profiles.is_dir():
            found += [("Firefox", p) for p in sorted(profiles.iterdir()) if (p / "cert9.db").exists()]
    snap_chromium = home / "snap" / "chromium" / "current" / ".pki" / "nssdb"
    if snap_chromium.is_dir():
        found.append(("Chromium (snap)", snap_chromium))
    return found


def _install(cert: Path, data: Path, remove: bool) -> int:
    certutil = shutil.which("certutil")
    if certutil is None:
        print("quietpage ca: certutil is needed to change the browsers' certificate stores; install it "
              "(Debian/Ubuntu: sudo apt install libnss3-tools) and run this again", file=sys.stderr)
        return 1
    name, failures = nickname(data), 0
    for browser, folder in nss_databases(Path.home()):
        db = f"sql:{folder}"
        if remove:
            if not (folder / "cert9.db").exists():
                continue
            # A certificate may be listed more than once under one name: delete until none is left.
            while _run(certutil, "-D", "-d", db, "-n", name).returncode == 0:
                pass
            print(f"{browser}: removed {name!r} from {folder}")
            continue
        if not (folder / "cert9.db").exists():  # Chromium's store is made on first use: make it now
            folder.mkdir(parents=True, exist_ok=True)
            made = _run(certutil, "-N", "-d", db, "--empty-password")
            if made.returncode != 0:
                failures += 1
                print(f"{browser}: could not create {folder}: {made.stderr.strip()}", file=sys.stderr)
                continue
        added = _run(certutil, "-A", "-d", db, "-t", "C,,", "-n", name, "-i", str(cert))
        if added.returncode != 0:
            failures += 1
            print(f"{browser}: could not add the certificate to {folder}: {added.stderr.strip()}", file=sys.stderr)
        else:
            print(f"{browser}: trusts {name!r} for websites ({folder})")
    if not remove:
        print("Restart the browser for it to read the change. `quietpage ca --uninstall` takes it out again.",
              file=sys.stderr)
    return 1 if failures else 0


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30)


def add_parser(sub) -> None:
    ca = sub.add_parser("ca", help="show where the CA certificate is and how to trust it; install it for the browsers")
    how = ca.add_mutually_exclusive_group()
    how.add_argument("--install", action="store_true",
                     help="trust it in the NSS stores of Chromium and Firefox profiles in your home (needs certutil)")
    how.add_argument("--uninstall", action="store_true", help="take it out of those stores again")
    ca.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    ca.set_defaults(func=cmd_ca)


CA_HELP = """\
QuietPage's CA certificate (made by mitmproxy on first use, kept in the data dir):

  {cert}

HTTPS pages can only be cleaned if your browser trusts it. Trust it once:

Chromium and Firefox (their own NSS stores, in your home):
  quietpage ca --install      (needs certutil: sudo apt install libnss3-tools)
  By hand for Chromium on Linux: mkdir -p ~/.pki/nssdb && certutil -N -d sql:$HOME/.pki/nssdb --empty-password
  (once), then certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n QuietPage -i {cert}
  Firefox by hand: Settings > Privacy & Security > Certificates > View Certificates >
  Authorities > Import… > choose the file above > tick "Trust this CA to identify websites".

The system store (Debian/Ubuntu; curl, wget, Python and most programs):
  sudo cp {cert} /usr/local/share/ca-certificates/quietpage.crt
  sudo update-ca-certificates

Then point the browser at the proxy, http://{host}:{port} — for example:
  chromium --proxy-server=http://{host}:{port}
Only trust a CA you made yourself; `quietpage ca --uninstall` (or the same tools) takes it out."""
