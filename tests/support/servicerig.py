"""The rig for service tests: the real app on a real 127.0.0.1 port with a real SQLite
file, a client that sends a token, and `quietpage serve` as a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from proxy.config import Config
from proxy.service.app import create_app
from proxy.database import DB_NAME
from proxy.store import Store
from support.net import free_port, healthy
from support.paths import ROOT


@dataclass
class Answer:
    status: int
    headers: dict
    body: object  # parsed JSON, or text if not JSON

    def __getitem__(self, key):
        return self.body[key]


class Service:
    """A running service and a client for it."""

    def __init__(self, port: int, data_dir: Path, token: str, app: web.Application | None = None):
        self.port, self.data_dir, self.token, self.app = port, data_dir, token, app
        self.base = f"http://127.0.0.1:{port}"

    async def call(self, method: str, path: str, body=None, token: str | None = "default", headers: dict | None = None,
                   data: bytes | str | None = None) -> Answer:
        headers = dict(headers or {})
        token = self.token if token == "default" else token
        if token is not None:
            headers.setdefault("Authorization", f"Bearer {token}")
        kwargs = {}
        if body is not None:
            kwargs["json"] = body
        elif data is not None:
            kwargs["data"] = data
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.base + path, headers=headers, **kwargs) as r:
                text = await r.text()
                try:
                    parsed = json.loads(text)
                except ValueError:
                    parsed = text
                return Answer(r.status, CIMultiDict(r.headers), parsed)

    def store(self) -> Store:
        return Store(self.data_dir / DB_NAME)

    def revision(self) -> int:
        store = self.store()
        try:
            return store.revision()
        finally:
            store.close()


def make_token(data_dir: Path, name: str = "tests") -> str:
    store = Store.in_dir(data_dir)
    try:
        return store.create_client(name)[1]
    finally:
        store.close()


async def start_service(data_dir: Path, allow_private_fetch: bool = False) -> tuple[Service, web.AppRunner]:
    """The app from `create_app` on a port of its own, with one token in `data_dir`;
    `allow_private_fetch` is the test-only override that lets it fetch from 127.0.0.1."""
    token = make_token(data_dir)
    port = free_port()
    app = create_app(Config(service_port=port, data_dir=data_dir, allow_private_fetch=allow_private_fetch))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return Service(port, data_dir, token, app), runner


class ServeProcess:
    """`quietpage serve` as a person starts it."""

    def __init__(self, data_dir: Path, port: int | None = None, *extra: str):
        self.data_dir, self.port, self.extra = data_dir, port or free_port(), extra
        self.process: subprocess.Popen | None = None
        self.log_file = data_dir.parent / f"serve-{self.port}.log"

    def start(self, timeout: float = 20) -> "ServeProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "proxy.cli", "serve", "--service-port", str(self.port), "--data-dir", str(self.data_dir),
                 *self.extra],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=self.preexec(),
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}:\n{self.log()}")
            if healthy(self.port):
                return self
            time.sleep(0.05)
        self.stop()  # not left running behind a failed test
        raise RuntimeError(f"serve did not start in {timeout} s:\n{self.log()}")

    def preexec(self):
        """What the child runs before `quietpage serve` (None: nothing)."""
        return None

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def kill9(self) -> None:
        self.process.kill()
        self.process.wait(5)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proxy.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
