"""Helpers shared by every test folder (importable as `support` through pytest's pythonpath).

paths: where things are · net: ports · upstream: the one upstream server · pages: pages the
tests serve and save · seed: the seed page and what a clean one shows · pagetext: what a
reader sees of a page · coding: content codings done and undone by the tests' own code ·
proxyrig, servicerig, extensionrig: the proxy, the service and the extension as tests drive
them · reroute.py, boom.py: mitmproxy scripts (loaded by path with `-s`).
"""
