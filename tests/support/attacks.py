"""What a hostile page or a local attacker sends (issue #12): host names that IDNA maps to
loopback and private addresses, pages too big or too slow to extract, URLs that try to
start markup in a Markdown export, a slowloris flood, and `quietpage serve` under a low
file-descriptor limit."""
from __future__ import annotations

import asyncio
import errno
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from support.net import free_port
from support.paths import ROOT
from support.servicerig import ServeProcess

# --- host names that are IP addresses once IDNA has mapped them ---------------------------------

_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
_MATH_BOLD = str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")
_CIRCLED = str.maketrans("0123456789", "⓪①②③④⑤⑥⑦⑧⑨")


def ideographic(address: str) -> str:
    """`127.0.0.1` written with ideographic full stops (U+3002)."""
    return address.replace(".", "。")


def fullwidth(address: str) -> str:
    """Full-width digits and full stops (U+FF10…, U+FF0E)."""
    return address.translate(_FULLWIDTH)


def math_bold(address: str) -> str:
    """Mathematical bold digits (U+1D7CE…)."""
    return address.translate(_MATH_BOLD)


def circled(address: str) -> str:
    """Circled digits (①, ⓪…), one per digit."""
    return address.translate(_CIRCLED)


def unicode_loopbacks() -> dict[str, str]:
    """127.0.0.1 in each Unicode disguise, by name."""
    return {"ideographic full stops": ideographic("127.0.0.1"), "full-width digits": fullwidth("127.0.0.1"),
            "circled digits": circled("127.0.0.1"), "mathematical bold digits": math_bold("127.0.0.1"),
            "mixed scripts": "１2７。0．𝟎.①"}


# --- pages ---------------------------------------------------------------------------------------

STORY = ["The keeper of the northern light has asked the council for a new lamp after forty years of service "
         "on the rock, where the old one now fails on most winter nights.",
         "Fishing crews say the beam no longer reaches the outer shoals, and two boats ran aground last March "
         "within sight of the tower during a storm that lasted three days.",
         "The council will vote on the request next week; the cost is put at ninety thousand, which the harbour "
         "board has offered to share with the county."]


def tiny_elements_page(count: int, element: str = "<p>ab", title: str = "A page of tiny elements") -> str:
    """A short story followed by `count` tiny elements: cheap to parse, slow for trafilatura."""
    story = "".join(f"<p>{p}</p>" for p in STORY)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<main><article><h1>{title}</h1>{story}<div class=\"grid\">{element * count}</div></article></main>"
            f"</body></html>")


# --- timed requests ------------------------------------------------------------------------------

async def timed(session: aiohttp.ClientSession, method: str, url: str, timeout: float = 10, **kwargs
                ) -> tuple[int, float, object]:
    """(status, seconds, body: JSON or text) of one request; status 0 when it did not
    answer within `timeout` (or the connection failed)."""
    start = time.monotonic()
    try:
        async with session.request(method, url, timeout=aiohttp.ClientTimeout(total=timeout), **kwargs) as r:
            try:
                body = await r.json(content_type=None)
            except ValueError:
                body = await r.text()
            return r.status, time.monotonic() - start, body
    except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
        return 0, time.monotonic() - start, repr(exc)


class Poller:
    """GETs `paths` one after another, each on a fresh connection, until stopped; every
    answer's (path, status, seconds) is kept. A slow answer counts as long as it took."""

    def __init__(self, base: str, paths: list[str], headers: dict | None = None, every_s: float = 0.1,
                 timeout: float = 5):
        self.base, self.paths, self.headers, self.every_s, self.timeout = base, paths, headers or {}, every_s, timeout
        self.answers: list[tuple[str, int, float]] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> "Poller":
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def stop(self) -> list[tuple[str, int, float]]:
        self._stop.set()
        await self._task
        return self.answers

    async def _run(self) -> None:
        while not self._stop.is_set():
            for path in self.paths:
                # force_close: a new connection each time, as a new client makes one.
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
                    status, seconds, _ = await timed(session, "GET", self.base + path, self.timeout, headers=self.headers)
                self.answers.append((path, status, seconds))
            try:
                await asyncio.wait_for(self._stop.wait(), self.every_s)
            except asyncio.TimeoutError:
                pass

    def slow(self, limit_s: float) -> list[tuple[str, int, float]]:
        """Answers that were not a 200 within `limit_s`."""
        return [a for a in self.answers if a[1] != 200 or a[2] > limit_s]


# --- slowloris -----------------------------------------------------------------------------------

class Trickler:
    """One connection that sends a request head a byte at a time and never finishes it;
    `closed_at` is when the server closed it (EOF or reset seen), None while it is open."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes, every_s: float):
        self.reader, self.writer, self.head, self.every_s = reader, writer, head, every_s
        self.opened_at = time.monotonic()
        self.closed_at: float | None = None
        self.sent = 0
        self._tasks = [asyncio.ensure_future(self._trickle()), asyncio.ensure_future(self._watch())]

    async def _trickle(self) -> None:
        try:
            while self.closed_at is None and self.sent < len(self.head):
                self.writer.write(self.head[self.sent:self.sent + 1])
                self.sent += 1
                await self.writer.drain()
                await asyncio.sleep(self.every_s)
        except (ConnectionError, OSError):
            self._closed()

    async def _watch(self) -> None:
        try:
            data = await self.reader.read(65536)
            while data:  # an answer (there should be none: the head never ends)
                data = await self.reader.read(65536)
        except (ConnectionError, OSError):
            pass
        self._closed()

    def _closed(self) -> None:
        if self.closed_at is None:
            self.closed_at = time.monotonic()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.writer.close()


async def slowloris(port: int, count: int, every_s: float = 0.2, connect_timeout: float = 3) -> list[Trickler]:
    """`count` connections to 127.0.0.1:`port`, all started at once (a burst, as an attacker
    sends them), each then trickling a request head whose end never comes. Connections the
    kernel does not complete in `connect_timeout` are left out."""
    head = (f"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: " + "a" * 4000).encode()
    loop = asyncio.get_running_loop()
    address = ("127.0.0.1", port)
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(address)  # EINPROGRESS: the handshakes go out together
        sockets.append(sock)

    async def one(sock: socket.socket) -> Trickler | None:
        try:
            try:
                await asyncio.wait_for(loop.sock_connect(sock, address), connect_timeout)
            except OSError as exc:
                if exc.errno != errno.EISCONN:
                    raise
            reader, writer = await asyncio.open_connection(sock=sock)
        except (asyncio.TimeoutError, OSError):
            sock.close()
            return None
        return Trickler(reader, writer, head, every_s)

    opened = await asyncio.gather(*(one(s) for s in sockets))
    return [t for t in opened if t is not None]


class Flood:
    """A slowloris that keeps going: `count` trickling connections opened in one burst, and
    each one the server closes opened again at once, until `stop()`."""

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.reopened = 0
        self._stopped = False
        self._tasks: list[asyncio.Task] = []
        self._live: list[Trickler] = []

    async def start(self) -> "Flood":
        first = await slowloris(self.port, self.count)
        self._tasks = [asyncio.ensure_future(self._slot(t)) for t in first]
        return self

    async def _slot(self, trickler: Trickler | None) -> None:
        while not self._stopped:
            if trickler is not None:
                self._live.append(trickler)
                while trickler.closed_at is None and not self._stopped:
                    await asyncio.sleep(0.02)
                self._live.remove(trickler)
                await trickler.close()
            if self._stopped:
                return
            again = await slowloris(self.port, 1)
            trickler = again[0] if again else None
            self.reopened += 1

    async def stop(self) -> None:
        self._stopped = True
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for trickler in list(self._live):
            await trickler.close()


# --- `quietpage serve` with a low limit on open files --------------------------------------------

class LimitedServe(ServeProcess):
    """`quietpage serve` started with RLIMIT_NOFILE's soft limit at `nofile`."""

    def __init__(self, data_dir: Path, nofile: int, *extra: str):
        super().__init__(data_dir, free_port(), *extra)
        self.nofile = nofile

    def start(self, timeout: float = 60) -> "LimitedServe":
        return super().start(timeout)  # a loaded machine: up to 60 s

    def preexec(self):
        nofile = self.nofile

        def limit() -> None:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, hard))
        return limit

    def open_files(self) -> int:
        return len(list(Path(f"/proc/{self.process.pid}/fd").iterdir()))

    def soft_limit(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                return int(line.split()[3])
        raise AssertionError("no Max open files line")


def live_children(pid: int) -> list[int]:
    """The processes whose parent is `pid` and that still run (zombies left out), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


class FloodProcess:
    """A Flood run by a program of its own, as a local attacker is: the test's event loop
    (and the client it measures) does not share the attacker's. `stop()` returns how many
    connections it opened again."""

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.process: subprocess.Popen | None = None

    def start(self, settle_s: float = 3.0) -> "FloodProcess":
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from support.attacks import _flood_main; _flood_main()",
             str(self.port), str(self.count)],
            cwd=ROOT / "tests", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT / "tests") + os.pathsep + os.environ.get("PYTHONPATH", "")})
        line = self.process.stdout.readline()  # "started N": the first burst is open
        if not line.startswith(b"started"):
            raise RuntimeError(f"the flood did not start: {line!r} {self.process.stderr.read()!r}")
        self.opened = int(line.split()[1])
        return self

    def stop(self) -> int:
        out, _err = self.process.communicate(b"stop\n", timeout=30)
        return int(out.split()[-1]) if out.strip() else 0


def _flood_main() -> None:
    """The flood program: opens the burst, says so, keeps reopening until told to stop."""
    port, count = int(sys.argv[1]), int(sys.argv[2])

    async def run() -> None:
        flood = await Flood(port, count).start()
        print("started", len(flood._tasks), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await flood.stop()
        print(flood.reopened, flush=True)

    asyncio.run(run())
