"""`quietpage`: the command line (proxy.cli.main) that wires the engine, proxy and service together."""
from proxy.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
