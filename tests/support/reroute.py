"""Test-only mitmproxy addon: send every request to the local upstream, keeping its name.

Tests ask for http://www.rt.com/… and https://www.rt.com/…; the proxy and the addon see
the real site name, and only the socket goes to 127.0.0.1. Options: reroute_http_port,
reroute_https_port (defaults from $REROUTE_HTTP_PORT, $REROUTE_HTTPS_PORT).

A script, loaded by path (`-s tests/support/reroute.py`, see support.paths.REROUTE_SCRIPT):
it imports nothing of the tests.
"""
from __future__ import annotations

import os

from mitmproxy import ctx, http


class Reroute:
    def load(self, loader) -> None:
        # Defaults from the environment too: `quietpage run` cannot yet `--set` a script's
        # options (see test_set_reaches_options_of_a_script).
        loader.add_option("reroute_http_port", int, int(os.environ.get("REROUTE_HTTP_PORT", 0)),
                          "Send plain HTTP requests to 127.0.0.1 on this port (0: off).")
        loader.add_option("reroute_https_port", int, int(os.environ.get("REROUTE_HTTPS_PORT", 0)),
                          "Send TLS connections to 127.0.0.1 on this port (0: off).")

    def request(self, flow: http.HTTPFlow) -> None:
        # Plain HTTP is rerouted per request: rerouting in server_connect would hang on
        # reused keep-alive connections.
        port = ctx.options.reroute_http_port
        if not port or flow.request.scheme != "http":
            return
        host_header = flow.request.host_header
        flow.metadata["reroute.from"] = (flow.request.host, flow.request.port)
        flow.request.host = "127.0.0.1"
        flow.request.port = port
        flow.request.host_header = host_header

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        # The request has gone out: put the site's name back, so every later hook sees the
        # URL a browser asked for (as it would without this test addon).
        original = flow.metadata.pop("reroute.from", None)
        if original:
            host_header = flow.request.host_header
            flow.request.host, flow.request.port = original
            flow.request.host_header = host_header

    def http_connect(self, flow: http.HTTPFlow) -> None:
        # A CONNECT tunnel (HTTPS) goes to the TLS port. Not in server_connect: with the
        # default eager connection strategy the server connection is opened right after
        # CONNECT, before mitmproxy knows it will carry TLS.
        port = ctx.options.reroute_https_port
        if port:
            flow.request.host = "127.0.0.1"
            flow.request.port = port


addons = [Reroute()]
