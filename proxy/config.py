"""Settings shared by `quietpage run`, `serve` and the tests: one table drives all."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

DEFAULT_LISTEN_HOST = "127.0.0.1"
DEFAULT_LISTEN_PORT = 8080
DEFAULT_SERVICE_HOST = "127.0.0.1"
DEFAULT_SERVICE_PORT = 8765


# Every command reads its data dir from --data-dir, else from this variable, else the user's
# data dir: one export in a shell points every command at the QuietPage running on it.
DATA_DIR_ENV = "QUIETPAGE_DATA_DIR"


def default_data_dir() -> Path:
    """$QUIETPAGE_DATA_DIR, else the user's data dir (XDG on Linux: ~/.local/share/quietpage)."""
    chosen = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else Path(platformdirs.user_data_dir("quietpage", appauthor=False))


RUNNING_FILE = "running.json"


@dataclass(frozen=True)
class Running:
    """A `quietpage run` or `serve` using a data dir: where to reach it."""

    pid: int
    service: str  # http://127.0.0.1:8765
    proxy: str | None  # http://127.0.0.1:8080 (None for `serve`)


def announce_running(data_dir: Path, service: str, proxy: str | None) -> None:
    """Say in the data dir that this process serves it (commands find it there)."""
    path = Path(data_dir) / RUNNING_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "service": service, "proxy": proxy}), encoding="utf-8")
    os.replace(tmp, path)


def withdraw_running(data_dir: Path) -> None:
    path = Path(data_dir) / RUNNING_FILE
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def running_on(data_dir: Path) -> Running | None:
    """The QuietPage running on `data_dir`, or None (none, or its process is gone)."""
    try:
        info = json.loads((Path(data_dir) / RUNNING_FILE).read_text(encoding="utf-8"))
        pid = int(info["pid"])
        os.kill(pid, 0)
        return Running(pid, str(info["service"]), info.get("proxy"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class Config:
    listen_host: str = DEFAULT_LISTEN_HOST
    listen_port: int = DEFAULT_LISTEN_PORT
    service_host: str = DEFAULT_SERVICE_HOST
    service_port: int = DEFAULT_SERVICE_PORT
    data_dir: Path = field(default_factory=default_data_dir)
    rules: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    quiet: bool = False
    # For tests only: lets the library fetch pages and images from loopback and private
    # addresses (the tests' upstream is on 127.0.0.1). Never set it for real use: it opens
    # the service to server-side request forgery. `quietpage` sets it only from the
    # environment variable QUIETPAGE_TEST_ALLOW_PRIVATE_FETCH=1.
    allow_private_fetch: bool = False

    @property
    def confdir(self) -> Path:
        """Where mitmproxy keeps its CA (inside QuietPage's data dir)."""
        return self.data_dir / "mitmproxy"

    @property
    def ca_cert(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"
