"""The rig for proxy tests: the real proxy (`quietpage run` or mitmdump) as a subprocess, a
client that goes through it, and the tests' own rule pack."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from multidict import CIMultiDictProxy

from support.coding import undo_coding
from support.net import accepts, healthy
from support.paths import REROUTE_SCRIPT, ROOT
from support.upstream import Upstream


# --- the proxy as a subprocess ----------------------------------------------------------

class ProxyProcess:
    """`quietpage run` (or mitmdump) as a person starts it, its output kept in a log file."""

    def __init__(self, argv: list[str], port: int, log_file: Path, service_port: int | None = None,
                 env: dict[str, str] | None = None):
        self.argv, self.port, self.log_file, self.service_port = argv, port, log_file, service_port
        self.env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "ProxyProcess":
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "HOME": str(self.log_file.parent), **self.env}
        with open(self.log_file, "wb") as out:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"proxy exited with {self.process.returncode}:\n{self.log()}")
            if accepts(self.port) and (self.service_port is None or healthy(self.service_port)):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"proxy did not start in {timeout} s:\n{self.log()}")

    def stop(self, grace: float = 10) -> None:
        """SIGTERM, then SIGKILL past `grace` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, needle: str, timeout: float = 5.0, after: int = 0) -> str:
        """The first log line (from offset `after`) holding `needle`; fails after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.log()[after:]
            for line in text.splitlines():
                if needle in line:
                    return line
            if time.monotonic() > deadline:
                raise AssertionError(f"no log line with {needle!r} in:\n{text[-3000:]}")
            time.sleep(0.05)

    def log_size(self) -> int:
        return len(self.log())


def quietpage_run_argv(port: int, service_port: int, data_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "proxy.cli", "run", "--listen-port", str(port), "--service-port", str(service_port),
            "--data-dir", str(data_dir), "-s", str(REROUTE_SCRIPT), "--set", "ssl_insecure=true", *extra]


def reroute_env(upstream: Upstream) -> dict[str, str]:
    """Where the reroute script sends traffic (read by its option defaults)."""
    return {"REROUTE_HTTP_PORT": str(upstream.http_port), "REROUTE_HTTPS_PORT": str(upstream.https_port)}


# --- the client -------------------------------------------------------------------------

@dataclass
class Fetched:
    status: int
    headers: CIMultiDictProxy
    raw: bytes  # the body as it came off the wire, still content-coded
    seconds: float

    @property
    def body(self) -> bytes:
        """The body with its content coding undone (by the test's own decoders)."""
        return undo_coding(self.raw, self.headers.get("Content-Encoding"))


async def fetch(proxy_port: int, url: str, method: str = "GET", headers: dict | None = None,
                timeout: float = 20) -> Fetched:
    """One request through the proxy, with a fresh connection; the raw body is kept."""
    started = time.monotonic()
    async with aiohttp.ClientSession(auto_decompress=False, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.request(method, url, proxy=f"http://127.0.0.1:{proxy_port}", ssl=False,
                                   headers=headers or {}) as response:
            raw = await response.read()
            return Fetched(response.status, response.headers, raw, time.monotonic() - started)


# A pack of the tests' own, for the session proxy's --rules; {target} is a class name.
RELOAD_PACK = """\
id: mine
title: The tests' own pack
rules:
  - id: mine.box
    title: A box the tests switch between
    domains: [reload.example]
    selectors: [".{target}"]
"""
