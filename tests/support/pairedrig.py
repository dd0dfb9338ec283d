"""A test module's own QuietPage, as the extension tests drive it: the real `quietpage run`
with a fresh data dir, rerouted to the upstream, and the extension in headless Chromium,
paired with it and granted the test sites' pages."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

from support.extensionrig import Api, LoadedExtension, chromium_args, extension_copy
from support.net import free_port
from support.paths import CHROMIUM
from support.proxyrig import ProxyProcess, quietpage_run_argv, reroute_env
from support.servicerig import make_token
from support.upstream import Upstream


@contextmanager
def own_quietpage(upstream: Upstream, data: Path, client: str) -> Iterator[tuple[ProxyProcess, Api]]:
    """`quietpage run` on fresh ports and `data`, and an API client whose token is named `client`."""
    port, service_port = free_port(), free_port()
    running = ProxyProcess(quietpage_run_argv(port, service_port, data), port, data / "proxy.log",
                           service_port=service_port, env=reroute_env(upstream)).start()
    try:
        yield running, Api(service_port, make_token(data, client))
    finally:
        running.stop()


@contextmanager
def paired_extension(proxy: ProxyProcess, data: Path, place: Path,
                     hosts: tuple[str, ...] = ()) -> Iterator[LoadedExtension]:
    """The extension in headless Chromium behind `proxy`, paired with a token of its own; the
    copy it loads also holds the stand-in for activeTab on `hosts` (see extension_copy)."""
    extension = extension_copy(place)
    manifest_file = extension / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["host_permissions"] += [f"*://{host}/*" for host in hosts]
    manifest_file.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(place / "profile"), headless=True, executable_path=CHROMIUM, ignore_https_errors=True,
            args=chromium_args(extension, proxy.port, proxy.service_port))
        try:
            loaded = LoadedExtension(context)
            loaded.configure(f"http://127.0.0.1:{proxy.service_port}", make_token(data, "extension"))
            yield loaded
        finally:
            context.close()
