"""Unit tests need no network and no subprocess: one that opens a connection, resolves a
name, listens on a port or starts a process fails here (it belongs in tests/integration)."""
from __future__ import annotations

import socket
import subprocess

import pytest


@pytest.fixture(autouse=True)
def no_network_no_subprocess(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a unit test reached for the network or a subprocess: move it to tests/integration")
    for name in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
