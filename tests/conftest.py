"""Session fixtures for the proxy tests: one upstream, one real `quietpage run`."""
from __future__ import annotations

from pathlib import Path

import pytest

from proxyrig import (SEED_BYTES, SEED_PATH, ProxyProcess, RELOAD_PACK, Upstream, free_port, make_server_tls,
                      quietpage_run_argv, reroute_env)


@pytest.fixture(scope="session")
def upstream(tmp_path_factory) -> Upstream:
    server = Upstream(make_server_tls(tmp_path_factory.mktemp("tls")))
    server.start()
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
