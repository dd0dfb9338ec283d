"""Fixtures shared by the integration and browser tests: the upstreams, the real
`quietpage run`, the service. The helpers themselves live in the `support` package."""
from __future__ import annotations

from pathlib import Path

import pytest

# The support modules hold assertions of their own (assert_seed_clean, assert_harmless):
# rewritten like the tests' so a failure shows its values.
pytest.register_assert_rewrite("support")

from support.net import free_port  # noqa: E402
from support.pages import (COVER_PATH, COVER_PNG, HARBOUR_NEWS, LIGHTHOUSE_PARAGRAPHS, LIGHTHOUSE_TITLE,  # noqa: E402
                           SECRET_PATH, SECRET_PNG, article_page)
from support.proxyrig import RELOAD_PACK, ProxyProcess, quietpage_run_argv, reroute_env  # noqa: E402
from support.seed import SEED_BYTES, SEED_PATH  # noqa: E402
from support.servicerig import Service, start_service  # noqa: E402
from support.upstream import Upstream, make_server_tls  # noqa: E402


# --- the proxy's: one upstream behind real site names, one real `quietpage run` ------------

@pytest.fixture(scope="session")
def upstream(tmp_path_factory) -> Upstream:
    server = Upstream(make_server_tls(tmp_path_factory.mktemp("tls"))).start()
    server.put(SEED_PATH, SEED_BYTES, content_type="text/html; charset=utf-8")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rules_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "mine.yaml"
    path.write_text(RELOAD_PACK.format(target="box-a"), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def proxy(upstream, rules_file, tmp_path_factory) -> ProxyProcess:
    """`quietpage run` with the reroute addon, the tests' own pack and a fast reload."""
    data = tmp_path_factory.mktemp("proxy-data")
    port, service = free_port(), free_port()
    # "same": the matrix checks that re-compressed bodies are valid in every coding.
    argv = quietpage_run_argv(port, service, data, "--rules", str(rules_file), "--set", "quietpage_reload_ms=200",
                              "--set", "quietpage_recompress=same")
    running = ProxyProcess(argv, port, data / "proxy.log", service_port=service, env=reroute_env(upstream)).start()
    yield running
    running.stop()


# --- the service's and the library's ----------------------------------------------------------

@pytest.fixture
async def service(tmp_path) -> Service:
    """The app from `create_app`, on its own port, with a fresh data dir and one token."""
    running, runner = await start_service(tmp_path / "data")
    yield running
    await runner.cleanup()


@pytest.fixture
async def open_service(tmp_path) -> Service:
    """The service with the test-only override: it may fetch from the article site on 127.0.0.1."""
    running, runner = await start_service(tmp_path / "open-data", allow_private_fetch=True)
    yield running
    await runner.cleanup()


@pytest.fixture
def article_site() -> Upstream:
    """A news site of its own on 127.0.0.1 (plain HTTP), for the library to fetch from: the
    lighthouse story with its cover image, a secret image, two bad redirects."""
    site = Upstream().start()
    site.put("/lighthouse.html", article_page(LIGHTHOUSE_PARAGRAPHS, title=LIGHTHOUSE_TITLE, image=COVER_PATH,
                                              **HARBOUR_NEWS).encode(), content_type="text/html; charset=utf-8")
    site.put(COVER_PATH, COVER_PNG, content_type="image/png")
    site.put(SECRET_PATH, SECRET_PNG, content_type="image/png")
    site.put("/redirect-to-file", b"", status=302, location="file:///etc/passwd")
    site.put("/redirect-loop", b"", status=302, location="/redirect-loop")
    yield site
    site.stop()
