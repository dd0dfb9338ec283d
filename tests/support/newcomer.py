"""The newcomer's path as the tests walk it: the `quietpage` console script `make run` starts
(.venv/bin/quietpage), run in a shell of its own — a HOME of the test's, none of QuietPage's
or XDG's data-dir variables unless the test sets them — and the running instance it is
meant to find, reached over plain HTTP with the standard library."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from support.net import free_port
from support.paths import REROUTE_SCRIPT, ROOT
from support.proxyrig import ProxyProcess, reroute_env
from support.upstream import Upstream

# The interface under test, written out: the tests say what a person types.
DATA_DIR_ENV = "QUIETPAGE_DATA_DIR"
QUIETPAGE = Path(sys.executable).with_name("quietpage")  # the console script, as `make run` calls it
NOT_RUNNING = "no QuietPage is running on it"


def default_data_dir(home: Path) -> Path:
    """Where QuietPage keeps its data for a user whose HOME is `home` and who set no XDG_DATA_HOME."""
    return home / ".local" / "share" / "quietpage"


def shell_env(home: Path, **extra: str) -> dict[str, str]:
    """A shell's environment: this one without QuietPage's data-dir variable or any XDG_*
    directory, HOME=`home`, the checkout under test first on PYTHONPATH (the console script
    imports `proxy` from it), and `extra`."""
    env = {k: v for k, v in os.environ.items() if k != DATA_DIR_ENV and not k.startswith("XDG_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    env.update(HOME=str(home), PYTHONUNBUFFERED="1", **extra)
    return env


def quietpage(*args: str, env: dict[str, str], cwd: Path | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess:
    """`quietpage ARGS…` in a shell with `env` (see shell_env); output kept as text."""
    return subprocess.run([str(QUIETPAGE), *args], cwd=cwd or ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@dataclass
class Instance:
    """A `quietpage run` as `make run ARGS=…` starts it, and where it listens."""

    process: ProxyProcess
    home: Path
    data_dir: Path | None  # None: it runs on the default data dir of `home`
    port: int
    service_port: int

    @property
    def service(self) -> str:
        return f"http://127.0.0.1:{self.service_port}"

    @property
    def pid(self) -> int:
        return self.process.process.pid

    def pairing_page(self) -> str:
        """The /pair?key= address its log printed at start."""
        found = re.search(r"(http://\S+/pair\?key=[\w-]+)", self.process.log())
        assert found, f"no /pair?key= address in the log:\n{self.process.log()}"
        return found.group(1)

    def stop(self) -> None:
        self.process.stop()


def start_instance(home: Path, upstream: Upstream, data_dir: Path | None = None, *extra: str) -> Instance:
    """`quietpage run [--data-dir D]` with HOME=`home`, on free ports, with the test-only
    reroute script (real site names reach `upstream`; mitmproxy does not check the
    upstream's self-signed certificate: ssl_insecure)."""
    port, service_port = free_port(), free_port()
    argv = [str(QUIETPAGE), "run", "--listen-port", str(port), "--service-port", str(service_port),
            *(("--data-dir", str(data_dir)) if data_dir is not None else ()),
            "-s", str(REROUTE_SCRIPT), "--set", "ssl_insecure=true", *extra]
    # ProxyProcess adds this process's environment first: an empty QUIETPAGE_DATA_DIR and
    # XDG_DATA_HOME read as unset, whatever the shell running the tests exported.
    env = {**shell_env(home, **reroute_env(upstream)), DATA_DIR_ENV: "", "XDG_DATA_HOME": ""}
    log = home.parent / f"run-{port}.log"
    process = ProxyProcess(argv, port, log, service_port=service_port, env=env).start(timeout=40)
    return Instance(process, home, data_dir, port, service_port)


def call(base: str, method: str, path: str, body: dict | None = None,
         token: str | None = None) -> tuple[int, object]:
    """One request to the service: (status, parsed JSON, or text if it is not JSON)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


# A cosmetic list for one site the upstream serves (through the reroute script).
LIST_SITE = "news.example"
LIST_PROMO_CLASS = "newcomer-promo"
LIST_PROMO_TEXT = "Subscribe to the Harbour Weekly for only 1 euro"
LIST_TEXT = f"""\
[Adblock Plus 2.0]
! Title: The newcomer's own list
! A small cosmetic list, as a person writes one for a site they read.
{LIST_SITE}##.{LIST_PROMO_CLASS}
{LIST_SITE}##.newcomer-banner
"""
