"""Settings shared by `quietpage run`, `serve` and the tests: one table drives all."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

DEFAULT_LISTEN_HOST = "127.0.0.1"
DEFAULT_LISTEN_PORT = 8080
DEFAULT_SERVICE_HOST = "127.0.0.1"
DEFAULT_SERVICE_PORT = 8765


def default_data_dir() -> Path:
    """The user's data dir (XDG on Linux: ~/.local/share/quietpage)."""
    return Path(platformdirs.user_data_dir("quietpage", appauthor=False))


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
