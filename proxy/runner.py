"""`quietpage run`: mitmproxy and the aiohttp service in one process, on one event loop."""
from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sqlite3
import sys
from typing import Awaitable, Callable

from aiohttp import web
from mitmproxy import exceptions, options
from mitmproxy.certs import CertStore
from mitmproxy.tools.dump import DumpMaster

from proxy.addon import QuietPage
from proxy.config import DATA_DIR_ENV, Config, announce_running, default_data_dir, withdraw_running
from proxy.memory import keep_parse_memory
from proxy.rulebook import Rulebook
from proxy.service.app import create_app
from proxy.service.keys import served_key
from proxy.service.security import ACCEPT_BATCH, LISTEN_QUEUE, RUNNER_OPTIONS, ConnectionGuard, is_loopback
from proxy.store import pairing_page_key

log = logging.getLogger("quietpage")


class StartupError(Exception):
    """Could not start: a sentence for the person, and the exit status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def ensure_ca(config: Config):
    """Make mitmproxy's CA in the data dir if it is not there yet; return the cert path."""
    config.confdir.mkdir(parents=True, exist_ok=True)
    CertStore.from_store(str(config.confdir), "mitmproxy", 2048)
    return config.ca_cert


async def dump_options(config: Config) -> None:
    """Print mitmproxy's options and QuietPage's, with their help (like `mitmdump --options`)."""
    from mitmproxy import optmanager  # noqa: PLC0415

    opts = options.Options(confdir=str(config.confdir))
    master = DumpMaster(opts, with_termlog=False, with_dumper=False)
    master.addons.add(QuietPage())
    optmanager.dump_defaults(opts, sys.stdout)


async def _scripts_loaded(master: DumpMaster, config: Config) -> None:
    """Wait for -s scripts to load (mitmproxy loads them in the background), then refuse
    --set options that nothing declared: a typo must not pass silently."""
    if config.scripts:
        loader = master.addons.get("scriptloader")
        for _ in range(400):  # up to 10 s
            if all(getattr(script, "ns", None) is not None for script in loader.addons):
                break
            await asyncio.sleep(0.025)
        master.options.process_deferred()
    unknown = sorted(master.options.deferred)
    if unknown:
        raise StartupError(f"--set: unknown option(s): {', '.join(unknown)} (see quietpage run --options)", status=2)


def warn_if_exposed(config: Config) -> None:
    if not is_loopback(config.service_host):
        log.warning("WARNING: the service listens on %s, not on loopback: other machines can reach it. Only "
                    "paired tokens protect your rules; use the default 127.0.0.1 unless you know why not.",
                    config.service_host)


class Service:
    """The running service: its runner, and its listening socket, whose connections are
    bounded as they open (see ConnectionGuard)."""

    def __init__(self, runner: web.AppRunner, listening: asyncio.Server):
        self.runner, self.listening = runner, listening

    async def stop(self) -> None:
        self.listening.close()
        await self.runner.cleanup()


async def start_service(app: web.Application, config: Config) -> Service:
    """Open the service's resources (the database) and listen; StartupError if it cannot."""
    warn_if_exposed(config)
    runner = web.AppRunner(app, shutdown_timeout=2, **RUNNER_OPTIONS)
    try:
        await runner.setup()
    except (OSError, sqlite3.Error, RuntimeError) as exc:
        raise StartupError(f"cannot open the service's database in {config.data_dir}: {exc}") from None
    guard = ConnectionGuard(runner.server, runner.app[served_key])
    try:
        sock = socket.create_server((config.service_host.strip("[]"), config.service_port),
                                    family=socket.AF_INET6 if ":" in config.service_host else socket.AF_INET)
        listening = await asyncio.get_running_loop().create_server(guard.factory, sock=sock, backlog=ACCEPT_BATCH)
        sock.listen(LISTEN_QUEUE)  # asyncio listened with ACCEPT_BATCH: see LISTEN_QUEUE
    except OSError as exc:
        await runner.cleanup()
        raise StartupError(f"cannot listen on {config.service_host}:{config.service_port} for the service: "
                           f"{exc.strerror}; choose another port with --service-port S") from None
    return Service(runner, listening)


def check_port_free(host: str, port: int, what: str) -> None:
    """StartupError now, before anything says it started, if `port` cannot be listened on."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host.strip("[]"), port), family=family):
            pass
    except OSError as exc:
        option = "--listen-port P" if what == "proxy" else "--service-port S"
        raise StartupError(f"cannot listen on {host}:{port} for the {what}: {exc.strerror}; "
                           f"choose another port with {option}") from None


def announce(config: Config, proxy: bool) -> None:
    """Where it listens, where its data is, and how other commands find it."""
    service = f"http://{config.service_host}:{config.service_port}"
    key = pairing_page_key(config.data_dir)
    where = f"proxy on http://{config.listen_host}:{config.listen_port}, " if proxy else ""
    log.warning("QuietPage: %sservice on %s, data in %s", where, service, config.data_dir)
    log.warning("  approve a client that asks to pair: quietpage pair CODE, or open %s/pair?key=%s", service, key)
    if config.data_dir != default_data_dir():
        log.warning("  other commands act on this instance with --data-dir %s, or in a shell: export %s=%s",
                    config.data_dir, DATA_DIR_ENV, config.data_dir)
    announce_running(config.data_dir, service, f"http://{config.listen_host}:{config.listen_port}" if proxy else None)


# Worker threads (a list parsed and indexed, a page cleaned off the loop) hold the GIL
# for this long at most before the event loop's thread gets it back: Python's default,
# 5 ms, lets a busy thread add 5 ms to each of the loop's many steps of one answer.
SWITCH_INTERVAL_S = 0.0005


async def _serving(config: Config, service: Service, proxy: bool, until: Awaitable, stop: Callable[[], object]) -> None:
    """Say where it listens, wait for `until` (SIGINT and SIGTERM call `stop`), then take
    back the running file and close the service."""
    loop = asyncio.get_running_loop()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    announce(config, proxy)
    try:
        await until
    finally:
        withdraw_running(config.data_dir)
        await service.stop()


async def serve(config: Config) -> None:
    """`quietpage serve`: the service alone, until SIGINT or SIGTERM."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    service = await start_service(create_app(config), config)
    stopped = asyncio.Event()
    await _serving(config, service, False, stopped.wait(), stopped.set)


async def run(config: Config) -> None:
    keep_parse_memory()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    check_port_free(config.listen_host, config.listen_port, "proxy")
    check_port_free(config.service_host, config.service_port, "service")
    opts = options.Options(listen_host=config.listen_host, listen_port=config.listen_port,
                           confdir=str(config.confdir))
    master = DumpMaster(opts, with_termlog=True, with_dumper=False)
    # One rulebook for the proxy and the service: a switch the service accepts is in
    # force for the next page the proxy cleans.
    rulebook = Rulebook(data_dir=config.data_dir)
    addon = QuietPage(rulebook)
    master.addons.add(addon)
    try:
        # A chunked page over the size limit streams too, instead of being buffered whole.
        opts.update(quietpage_rules=list(config.rules), scripts=list(config.scripts),
                    termlog_verbosity="warn" if config.quiet else "info",
                    stream_large_bodies=str(opts.quietpage_max_size))
        for spec in config.sets:
            # Deferred, as mitmdump does: a -s script's own options exist only once it loads.
            try:
                opts.set(spec, defer=True)
            except exceptions.OptionsError as exc:
                raise StartupError(f"--set {spec}: {exc}", status=2) from None
        if "quietpage_max_size" in {s.split("=", 1)[0] for s in config.sets}:
            opts.update(stream_large_bodies=str(opts.quietpage_max_size))
    except exceptions.OptionsError as exc:
        raise StartupError(str(exc), status=2) from None
    await _scripts_loaded(master, config)
    app = create_app(config, rulebook, addon.reports)
    service = await start_service(app, config)
    await _serving(config, service, True, master.run(), master.shutdown)
    if getattr(master, "_startup_failed", False):
        raise StartupError("the proxy could not start (see the log above)")
