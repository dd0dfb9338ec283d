"""The rig for extension tests: Debian's Chromium (headless, through Playwright) with the
QuietPage extension loaded, the real `quietpage run` behind it, and a small sync client
for the service."""
from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Worker

from support.paths import EXTENSION

# activeTab grants the extension the page in front when a person clicks its toolbar button
# (or opens the popup). Headless Chromium has no toolbar for Playwright to click, so the
# copy the tests load holds that grant for the test site up front; everything else in the
# manifest is the shipped one (test_manifest_asks_for_least_privilege checks the original).
TEST_SITE_GRANT = ["*://www.rt.com/*"]


def extension_copy(directory: Path) -> Path:
    """extension/ as shipped, plus the stand-in for activeTab on the test site."""
    target = directory / "extension"
    shutil.copytree(EXTENSION, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest["host_permissions"] = [*manifest["host_permissions"], *TEST_SITE_GRANT]
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return target


def chromium_args(extension: Path, proxy_port: int, service_port: int) -> list[str]:
    # <-loopback> sends loopback through the proxy too (as the proxy-browser tests do);
    # the service's own port is taken out again: the tests' reroute addon would send any
    # plain-HTTP request, the extension's calls to the service included, to the upstream.
    return [f"--disable-extensions-except={extension}", f"--load-extension={extension}",
            f"--proxy-server=http://127.0.0.1:{proxy_port}",
            f"--proxy-bypass-list=<-loopback>;127.0.0.1:{service_port}",
            "--ignore-certificate-errors", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic"]


@dataclass
class Answer:
    status: int
    body: object


class Api:
    """A sync client for the service, with a token (the tests' own, not the extension's)."""

    def __init__(self, port: int, token: str):
        self.base, self.token = f"http://127.0.0.1:{port}", token

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = "default") -> Answer:
        token = self.token if token == "default" else token
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return Answer(r.status, json.loads(r.read() or b"null"))
        except urllib.error.HTTPError as e:
            return Answer(e.code, json.loads(e.read() or b"null"))

    def rule(self, rule_id: str, site: str) -> dict:
        listing = self.call("GET", f"/api/rules?site={site}").body
        return next(r for p in listing["packs"] for r in p["rules"] if r["id"] == rule_id)


class LoadedExtension:
    """The extension in a running browser context: its id, its service worker, its pages."""

    def __init__(self, context: BrowserContext):
        self.context = context
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event(
            "serviceworker", timeout=15_000)
        self.worker: Worker = worker
        self.id = worker.url.split("/")[2]
        self.base = f"chrome-extension://{self.id}"

    def storage(self) -> dict:
        return self.worker.evaluate("() => chrome.storage.local.get(null)")

    def configure(self, address: str, token: str | None) -> None:
        self.worker.evaluate("""async ({address, token}) => {
            await chrome.storage.local.clear();
            await chrome.storage.session.clear();
            await chrome.storage.local.set(token ? {address, token} : {address});
        }""", {"address": address, "token": token})

    def tab_id(self, url: str) -> int:
        ids = self.worker.evaluate("async (url) => (await chrome.tabs.query({})).filter(t => t.url === url).map(t => t.id)",
                                   url)
        assert len(ids) == 1, f"tabs with {url}: {ids}"
        return ids[0]

    def open(self, path: str) -> Page:
        page = self.context.new_page()
        page.goto(f"{self.base}/{path}")
        return page

    def popup(self, tab_id: int, width: int = 400) -> Page:
        """popup.html?tab=ID in a tab of its own, once its first answer is shown."""
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{self.base}/popup.html?tab={tab_id}")
        page.wait_for_selector("body[data-ready=true]", timeout=15_000)
        return page
