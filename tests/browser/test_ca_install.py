"""`quietpage ca --install` with a fresh HOME (issue 12, item 14, acceptance 4): Chromium's NSS
store is made and trusts the CA, a Firefox profile's store too; headless Chromium, WITHOUT
--ignore-certificate-errors, then loads the seed page over HTTPS through the proxy, clean;
`--uninstall` takes the CA out of both stores, and the same browser refuses the page again."""
from __future__ import annotations

import re
import subprocess

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from support.newcomer import default_data_dir, quietpage, shell_env, start_instance
from support.paths import CHROMIUM
from support.seed import HEADLINE, SEED_URL, SUMMARY

CERTUTIL = "/usr/bin/certutil"
GONE = ["Like this story? Share it with a friend!", "Also on rt.com"]


def certutil(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CERTUTIL, *args], capture_output=True, text=True, timeout=30)


def pem_body(pem: str) -> str:
    """The base64 of a PEM certificate, without armour or whitespace."""
    return "".join(part for part in pem.split() if "-----" not in part)


def trusted_copies(folder, ca_pem: str) -> list[tuple[str, str]]:
    """(nickname, trust flags) of every certificate in the NSS store at `folder` that is the CA."""
    listed = certutil("-L", "-d", f"sql:{folder}")
    assert listed.returncode == 0, listed.stderr
    found = []
    for line in listed.stdout.splitlines():
        entry = re.match(r"^(\S.*?)\s+([pPcCTu]*,[pPcCTu]*,[pPcCTu]*)\s*$", line)
        if not entry:
            continue
        nick, trust = entry.groups()
        exported = certutil("-L", "-d", f"sql:{folder}", "-n", nick, "-a")
        if exported.returncode == 0 and pem_body(ca_pem) in pem_body(exported.stdout):
            found.append((nick, trust))
    return found


def browser_args(proxy_port: int) -> list[str]:
    """test_proxy.py's flags without --ignore-certificate-errors: the browser checks certificates."""
    return [f"--proxy-server=http://127.0.0.1:{proxy_port}", "--proxy-bypass-list=<-loopback>",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-quic"]


async def load_seed(env: dict[str, str], proxy_port: int):
    """Headless Chromium with `env` (NSS reads $HOME/.pki/nssdb) loads the seed page over HTTPS
    through the proxy: (status, issuer of the certificate it accepted, visible text)."""
    args = browser_args(proxy_port)
    assert not any("ignore-certificate" in a for a in args)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args, env=env)
        try:
            context = await browser.new_context(ignore_https_errors=False)
            page = await context.new_page()
            response = await page.goto(SEED_URL, wait_until="domcontentloaded", timeout=30_000)
            security = await response.security_details() or {}
            text = re.sub(r"\s+", " ", await page.evaluate("() => document.body.innerText"))
            return response.status, security.get("issuer", ""), text
        finally:
            await browser.close()


@pytest.fixture
def fresh_home(tmp_path, upstream):
    """A fresh HOME with a Firefox profile's NSS store made beforehand, and `quietpage run` on
    that HOME's default data dir (no --data-dir)."""
    home = tmp_path / "home"
    profile = home / ".mozilla" / "firefox" / "abc.default-release"
    profile.mkdir(parents=True)
    made = certutil("-N", "-d", f"sql:{profile}", "--empty-password")
    assert made.returncode == 0, made.stderr
    running = start_instance(home, upstream)
    yield home, profile, running
    running.stop()


async def test_ca_install_lets_chromium_load_the_seed_page_over_https(fresh_home):
    home, profile, running = fresh_home
    env = shell_env(home)
    nssdb = home / ".pki" / "nssdb"
    ca_pem = (default_data_dir(home) / "mitmproxy" / "mitmproxy-ca-cert.pem").read_text(encoding="ascii")
    assert not nssdb.exists()

    installed = quietpage("ca", "--install", env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (nssdb / "cert9.db").is_file(), "Chromium's NSS store was not made"
    for store in (nssdb, profile):
        copies = trusted_copies(store, ca_pem)
        assert copies, f"the CA is not in {store}:\n{certutil('-L', '-d', f'sql:{store}').stdout}"
        assert all(trust.startswith("C") for _nick, trust in copies), copies  # trusted to identify websites
    nickname = trusted_copies(profile, ca_pem)[0][0]
    assert nickname in certutil("-L", "-d", f"sql:{profile}").stdout

    status, issuer, text = await load_seed(env, running.port)  # a certificate error raises here
    assert status == 200
    assert "mitmproxy" in issuer, issuer  # the proxy's certificate, accepted through the installed CA
    assert HEADLINE in text and SUMMARY in text
    for gone in GONE:
        assert gone not in text, f"{gone!r} still visible"

    removed = quietpage("ca", "--uninstall", env=env)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    for store in (nssdb, profile):
        assert trusted_copies(store, ca_pem) == [], f"the CA is still in {store}"
        assert nickname not in certutil("-L", "-d", f"sql:{store}").stdout

    # The control: the same browser, flags and HOME refuse the proxy's certificate once it is gone.
    with pytest.raises(PlaywrightError, match="ERR_CERT"):
        await load_seed(env, running.port)
