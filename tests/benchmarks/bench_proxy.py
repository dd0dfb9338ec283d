"""What QuietPage's proxy costs next to plain mitmdump, measured side by side.

Run: .venv/bin/python tests/benchmarks/bench_proxy.py [--seconds N] [--rounds R]
     [--warmup S] [--page ID-or-FILE] [--variants N] [--keep DIR]

Four processes besides this one, so none shares another's event loop or GIL:
  upstream   tests/benchmarks/upstream.py: the AEB page of median size, in --variants
             distinct gzip-compressed variants (text/html; charset=utf-8), and 20 assets
             (scripts, styles, images) of realistic sizes;
  mitmdump   `mitmdump -q -p P --set confdir=T --set connection_strategy=lazy`;
  quietpage  `python -m proxy.cli run -q --listen-port P --service-port S --data-dir T`;
  client     this script with --client: an aiohttp load generator (keep-alive, connection
             limit = concurrency, no decompression, only 200s with a body count).
Both proxies are started once and stay up; only one is loaded at a time. Each round runs
every scenario on both proxies, back to back, the order flipping each round (A B, B A, ...)
so slow drift of a shared machine does not favour one side:
  html-c16   GET /page/N at concurrency 16: requests per second;
  mix-c6     page loads (the page, then its 20 assets, one after another) by 6 concurrent
             clients: page loads per second;
  html-c1    GET /page/N one at a time: median and p95 latency.
Throughput ratios are the median of the per-round ratios (each from two adjacent runs);
latency pools every round's samples. Proxy CPU per request (from /proc/PID/stat) is shown
too: on a noisy machine it is steadier than throughput. Peak memory is VmHWM at the end.
Prints "ACCEPT <name>: <value> PASS/FAIL" per target; exits 1 if any fails, 2 on errors.
"""
from __future__ import annotations

import argparse
import asyncio
import compileall
import gzip
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "aeb"

TARGET_HTML_RATIO = 0.60   # quietpage / mitmdump req/s, HTML at c16: at least
TARGET_MIX_RATIO = 0.95    # quietpage / mitmdump page loads/s, mix at c6: at least
TARGET_LATENCY_RATIO = 1.6  # quietpage / mitmdump median latency at c1: at most
TARGET_MEMORY_RATIO = 1.3  # quietpage / mitmdump VmHWM: at most

HTML_CONCURRENCY = 16
MIX_CONCURRENCY = 6
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- the load generator

async def _client_main() -> None:
    """Read one JSON command per line on stdin, answer one JSON result per line on stdout."""
    import aiohttp  # noqa: PLC0415 - only the client process needs it

    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        cmd = json.loads(line)
        op = cmd["op"]
        if op == "probe":
            result = await _probe(aiohttp, cmd)
        elif op == "assets":
            async with aiohttp.ClientSession() as s, s.get(cmd["base"] + "/_assets") as r:
                result = {"assets": await r.json()}
        else:
            result = await _load(aiohttp, cmd)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


async def _probe(aiohttp, cmd: dict) -> dict:
    """One page, decoded, directly or through a proxy: to check what each proxy sends back."""
    async with aiohttp.ClientSession() as s:
        async with s.get(cmd["url"], proxy=cmd.get("proxy")) as r:
            body = await r.read()
            return {"status": r.status, "length": len(body), "sha": hashlib.sha256(body).hexdigest(),
                    "headers": {k.lower(): v for k, v in r.headers.items()}}


async def _load(aiohttp, cmd: dict) -> dict:
    """Run one scenario for `seconds`; every worker finishes the unit it started."""
    conc, seconds, proxy, base = cmd["conc"], cmd["seconds"], cmd["proxy"], cmd["base"]
    assets = [base + a for a in cmd.get("assets", [])]
    mix = cmd["op"] == "mix"
    ok_units = ok_requests = 0
    errors: list[str] = []
    n_errors = 0
    latencies: list[float] = []
    connections = 0
    counter = iter(range(cmd.get("start", 0), 10**12))

    async def on_conn(_session, _ctx, _params):
        nonlocal connections
        connections += 1

    trace = aiohttp.TraceConfig()
    trace.on_connection_create_end.append(on_conn)
    connector = aiohttp.TCPConnector(limit=conc, limit_per_host=0, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False,
                                     cookie_jar=aiohttp.DummyCookieJar(), trace_configs=[trace]) as s:

        async def get(url: str) -> bool:
            nonlocal n_errors
            try:
                async with s.get(url, proxy=proxy) as r:
                    body = await r.read()
                    if r.status == 200 and body:
                        return True
                    why = f"{url}: status {r.status}, {len(body)} bytes: {body[:200]!r}"
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                why = f"{url}: {type(exc).__name__}: {exc}"
            n_errors += 1
            if len(errors) < 10:
                errors.append(why)
            return False

        async def worker(deadline: float) -> None:
            nonlocal ok_units, ok_requests
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                good = await get(f"{base}/page/{next(counter)}")
                if mix:
                    for a in assets:
                        good = await get(a) and good
                        ok_requests += 1
                ok_requests += 1
                if good:
                    ok_units += 1
                    latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(worker(started + seconds) for _ in range(conc)))
        elapsed = time.perf_counter() - started
    return {"units": ok_units, "requests": ok_requests, "elapsed": elapsed, "errors": errors,
            "n_errors": n_errors, "latencies": latencies if cmd.get("latencies") else [],
            "connections": connections}


# ---------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(proc: subprocess.Popen, port: int, name: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench_proxy: {name} exited with {proc.returncode} before listening:\n{_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench_proxy: {name} did not listen on {port} within {timeout:.0f} s:\n{_tail(log)}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM, VmRSS... in KiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Vm"):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    return out


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine spent, summed over its cores."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / CLK_TCK  # all but idle and iowait


def code_fingerprint() -> str:
    """Which proxy code and rules ran: HEAD plus a hash of the working tree's files."""
    h = hashlib.sha256()
    for path in sorted([*REPO_ROOT.glob("proxy/**/*.py"), *REPO_ROOT.glob("rules/**/*.yaml")]):
        h.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "proxy", "rules"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head, dirty = "?", ""
    return f"{head}{' + uncommitted changes' if dirty else ''}, proxy/ + rules/ sha256 {h.hexdigest()[:12]}"


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class Proxy:
    name: str
    proc: subprocess.Popen
    port: int
    log: Path
    runs: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Client:
    def __init__(self, log: Path):
        self.log = log
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--client"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(log, "wb"), text=True)

    def call(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"bench_proxy: the load generator died:\n{_tail(self.log)}")
        return json.loads(line)


# ---------------------------------------------------------------- the run

def median_page(corpus: Path) -> Path:
    pages = sorted((len(gzip.decompress(p.read_bytes())), p.name, p) for p in (corpus / "html").glob("*.html.gz"))
    if not pages:
        raise SystemExit(f"bench_proxy: no *.html.gz under {corpus / 'html'}")
    return pages[(len(pages) - 1) // 2][2]


def pick_page(arg: str | None, corpus: Path) -> Path:
    if not arg:
        return median_page(corpus)
    if Path(arg).is_file():
        return Path(arg)
    found = sorted((corpus / "html").glob(f"{arg}*.html.gz"))
    if len(found) != 1:
        raise SystemExit(f"bench_proxy: --page {arg!r} matches {len(found)} corpus pages")
    return found[0]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def measure(client: Client, proxy: Proxy, scenario: str, seconds: float, base: str, assets: list[str],
            pids: dict[str, int], start: int) -> dict:
    op, conc = {"html-c16": ("html", HTML_CONCURRENCY), "mix-c6": ("mix", MIX_CONCURRENCY),
                "html-c1": ("html", 1)}[scenario]
    before = {k: cpu_seconds(pid) for k, pid in pids.items()}
    busy = machine_busy_seconds()
    result = client.call(op=op, conc=conc, seconds=seconds, proxy=proxy.url, base=base, assets=assets,
                         latencies=scenario == "html-c1", start=start)
    result["cpu"] = {k: cpu_seconds(pid) - before[k] for k, pid in pids.items()}
    # CPU that processes outside this benchmark took meanwhile, in cores: the noise.
    result["others"] = max(0.0, machine_busy_seconds() - busy - sum(result["cpu"].values())) / result["elapsed"]
    if result["n_errors"]:
        raise LoadError(proxy.name, scenario, result)
    return result


class LoadError(Exception):
    def __init__(self, proxy: str, scenario: str, result: dict):
        super().__init__(f"{result['n_errors']} failed request(s) through {proxy} in {scenario}")
        self.result = result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one measured run (default 4)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of every scenario on both proxies (default 4)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per proxy and scenario (default 2)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--page", help="corpus page id (prefix) or a .html.gz file; default: the median-size page")
    parser.add_argument("--variants", type=int, default=50, help="distinct variants of the page (default 50)")
    parser.add_argument("--keep", type=Path, help="keep the proxies' logs and data dirs here")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        asyncio.run(_client_main())
        return 0

    page = pick_page(args.page, args.corpus)
    code = code_fingerprint()
    work = Path(tempfile.mkdtemp(prefix="bench_proxy_"))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="bench_proxy_", dir=args.keep))
    children: list[subprocess.Popen] = []

    def spawn(cmd: list[str], log: Path, **kw) -> subprocess.Popen:
        p = subprocess.Popen(cmd, stderr=open(log, "wb"), cwd=REPO_ROOT, **kw)
        children.append(p)
        return p

    try:
        up_log = work / "upstream.log"
        upstream = spawn([sys.executable, str(HERE / "upstream.py"), "--page", str(page),
                          "--variants", str(args.variants)], up_log, stdout=subprocess.PIPE, text=True)
        ready = upstream.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "READY":
            raise SystemExit(f"bench_proxy: the upstream did not start:\n{_tail(up_log)}")
        uport = int(ready[1])
        base = f"http://127.0.0.1:{uport}"

        mport, qport, sport = free_port(), free_port(), free_port()
        # mitmproxy's modules come byte-compiled from site-packages; QuietPage's, in an
        # editable checkout (and with PYTHONDONTWRITEBYTECODE set), would be compiled from
        # source at every start, which costs memory the proxy then keeps. `make run` does this too.
        compileall.compile_dir(str(REPO_ROOT / "proxy"), quiet=1)
        (work / "mitmdump").mkdir()
        m_log, q_log = work / "mitmdump.log", work / "quietpage.log"
        mitm = Proxy("mitmdump", spawn([str(VENV_BIN / "mitmdump"), "-q", "-p", str(mport),
                                        "--set", f"confdir={work / 'mitmdump'}",
                                        "--set", "connection_strategy=lazy"],
                                       m_log, stdout=open(work / "mitmdump.out", "wb")), mport, m_log)
        qp = Proxy("quietpage", spawn([str(VENV_BIN / "python"), "-m", "proxy.cli", "run", "-q",
                                       "--listen-port", str(qport), "--service-port", str(sport),
                                       "--data-dir", str(work / "quietpage")],
                                      q_log, stdout=open(work / "quietpage.out", "wb")), qport, q_log)
        for p in (mitm, qp):
            wait_listening(p.proc, p.port, p.name, p.log)
        startup_rss = {p.name: proc_status(p.proc.pid).get("VmRSS", 0) for p in (mitm, qp)}

        client = Client(work / "client.log")
        children.append(client.proc)
        assets = client.call(op="assets", base=base)["assets"]
        pids = {"mitmdump": mitm.proc.pid, "quietpage": qp.proc.pid, "upstream": upstream.pid,
                "client": client.proc.pid}

        # What each proxy sends back, decoded by aiohttp.
        direct = client.call(op="probe", url=f"{base}/page/0")
        probes = {p.name: client.call(op="probe", url=f"{base}/page/0", proxy=p.url) for p in (mitm, qp)}
        print(f"page: {page.name}  {direct['length']} bytes decoded, "
              f"{_wire_size(page)} bytes gzip on the wire, "
              f"{args.variants} variants")
        print(f"assets per page load: {len(assets)}  ({_asset_summary()})")
        for name, pr in probes.items():
            same = pr["sha"] == direct["sha"]
            print(f"probe via {name}: status {pr['status']}, {pr['length']} bytes decoded, "
                  f"{'identical to' if same else 'differs from'} the origin's page, "
                  f"content-encoding {pr['headers'].get('content-encoding', 'none')}")
            if pr["status"] != 200:
                raise SystemExit(f"bench_proxy: {name} answered {pr['status']} to the probe")
        if probes["quietpage"]["sha"] == direct["sha"]:
            print("note: quietpage left this page unchanged (no rule matched): it pays decode + parse + match, "
                  "not serialize + re-encode")
        print(f"proxies up: mitmdump pid {mitm.proc.pid} (RSS {startup_rss['mitmdump'] / 1024:.0f} MiB), "
              f"quietpage pid {qp.proc.pid} (RSS {startup_rss['quietpage'] / 1024:.0f} MiB)")
        print(f"code: {code}")
        print(f"runs of {args.seconds:g} s, {args.rounds} rounds, warm-up {args.warmup:g} s; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start\n", flush=True)

        scenarios = ("html-c16", "mix-c6", "html-c1")
        counter = 1000
        for p in (mitm, qp):
            for sc in scenarios:
                if args.warmup > 0:
                    r = measure(client, p, sc, args.warmup, base, assets, pids, counter)
                    counter += r["requests"] + 100
        for rnd in range(args.rounds):
            order = (mitm, qp) if rnd % 2 == 0 else (qp, mitm)
            for sc in scenarios:
                line = [f"round {rnd + 1} {sc:8}"]
                for p in order:
                    r = measure(client, p, sc, args.seconds, base, assets, pids, counter)
                    counter += r["requests"] + 100
                    p.runs.setdefault(sc, []).append(r)
                    line.append(f"{p.name} {r['units'] / r['elapsed']:7.1f}/s cpu {r['cpu'][p.name]:.2f}s "
                                f"(others {r['others']:.2f} cores)")
                print("  ".join(line), flush=True)

        memory = {p.name: proc_status(p.proc.pid) for p in (mitm, qp)}
        alive = [p.name for p in (mitm, qp) if p.proc.poll() is not None]
        if alive:
            raise SystemExit(f"bench_proxy: {', '.join(alive)} died during the run")
        failed = report(mitm, qp, memory)
        if code_fingerprint() != code:
            print("\nWARNING: proxy/ or rules/ changed during the run; quietpage reloads rules as they change, "
                  "so the numbers mix versions")
        _log_summary(qp)
        return 1 if failed else 0
    except LoadError as exc:
        print(f"\nERROR: {exc}", file=sys.stderr)
        for e in exc.result["errors"]:
            print(f"  {e}", file=sys.stderr)
        for name in ("mitmdump", "quietpage"):
            tail = _tail(work / f"{name}.log", 15)
            if tail:
                print(f"--- {name} log (tail) ---\n{tail}", file=sys.stderr)
        return 2
    finally:
        for p in reversed(children):
            if p.poll() is None:
                p.terminate()
        for p in reversed(children):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs and data dirs kept in {work}")


def _wire_size(page: Path) -> int:
    import zlib  # noqa: PLC0415

    html = gzip.decompress(page.read_bytes())
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return len(c.compress(html) + c.flush())


def _asset_summary() -> str:
    sys.path.insert(0, str(HERE))
    import upstream  # noqa: PLC0415

    kinds: dict[str, list[int]] = {}
    for name, (body, _h) in upstream.build_assets().items():
        kinds.setdefault(name.rsplit(".", 1)[1], []).append(len(body))
    total = sum(sum(v) for v in kinds.values())
    parts = [f"{len(v)} {k} {min(v) / 1000:.0f}-{max(v) / 1000:.0f} KB" for k, v in kinds.items()]
    return ", ".join(parts) + f"; {total / 1000:.0f} KB on the wire"


def _log_summary(qp: Proxy) -> None:
    text = qp.log.read_text(errors="replace") if qp.log.exists() else ""
    passed = [ln for ln in text.splitlines() if "passed " in ln or "error" in ln.lower()]
    if passed:
        print(f"\nquietpage logged {len(passed)} pass-through/error line(s), e.g.:")
        for ln in passed[:5]:
            print(f"  {ln}")


def report(mitm: Proxy, qp: Proxy, memory: dict[str, dict[str, int]]) -> bool:
    print("\n== results (quietpage / mitmdump) ==")
    accept: list[tuple[str, str, bool]] = []

    def throughput(sc: str, unit: str) -> float:
        ratios = [q["units"] / q["elapsed"] / (m["units"] / m["elapsed"])
                  for m, q in zip(mitm.runs[sc], qp.runs[sc])]
        for p in (mitm, qp):
            runs = p.runs[sc]
            units = sum(r["units"] for r in runs)
            reqs = sum(r["requests"] for r in runs)
            secs = sum(r["elapsed"] for r in runs)
            cpu = sum(r["cpu"][p.name] for r in runs)
            others = {k: sum(r["cpu"][k] for r in runs) / secs for k in ("upstream", "client")}
            conns = max(r["connections"] for r in runs)
            per_run = ", ".join(f"{r['units'] / r['elapsed']:.1f}" for r in runs)
            print(f"  {p.name:9} {units / secs:8.1f} {unit}/s  (per run: "
                  f"{per_run})  "
                  f"proxy CPU {1000 * cpu / units:6.2f} ms/{unit.split()[0]}, "
                  f"{100 * cpu / secs:3.0f}% of a core; upstream {100 * others['upstream']:3.0f}%, "
                  f"client {100 * others['client']:3.0f}%; {reqs} requests, {conns} connections max")
        cpu_ratio = (sum(r["cpu"]["quietpage"] for r in qp.runs[sc]) / sum(r["units"] for r in qp.runs[sc])) / \
                    (sum(r["cpu"]["mitmdump"] for r in mitm.runs[sc]) / sum(r["units"] for r in mitm.runs[sc]))
        ratio = statistics.median(ratios)
        print(f"  ratio per round: {', '.join(f'{x:.3f}' for x in ratios)}; median {ratio:.3f}; "
              f"proxy CPU per {unit.split()[0]} x{cpu_ratio:.2f}")
        return ratio

    print(f"\nHTML only, concurrency {HTML_CONCURRENCY}:")
    r = throughput("html-c16", "req")
    accept.append(("html_c16_throughput_ratio", f"{r:.3f} (target >= {TARGET_HTML_RATIO})", r >= TARGET_HTML_RATIO))

    print(f"\npage loads (1 HTML + 20 assets, sequential per client), concurrency {MIX_CONCURRENCY}:")
    r = throughput("mix-c6", "page loads")
    accept.append(("mix_c6_throughput_ratio", f"{r:.3f} (target >= {TARGET_MIX_RATIO})", r >= TARGET_MIX_RATIO))

    print("\nHTML, concurrency 1 (latency per request, all rounds pooled):")
    med = {}
    for p in (mitm, qp):
        lat = [x * 1000 for run in p.runs["html-c1"] for x in run["latencies"]]
        runs = p.runs["html-c1"]
        cpu = sum(r["cpu"][p.name] for r in runs) / sum(r["units"] for r in runs)
        med[p.name] = statistics.median(lat)
        per_run = ", ".join(f"{statistics.median(r['latencies']) * 1000:.2f}" for r in runs)
        print(f"  {p.name:9} median {med[p.name]:6.2f} ms  p95 {percentile(lat, 95):6.2f} ms  "
              f"min {min(lat):6.2f} ms  ({len(lat)} requests; per-run medians "
              f"{per_run}; "
              f"proxy CPU {1000 * cpu:.2f} ms/req)")
    r = med["quietpage"] / med["mitmdump"]
    print(f"  ratio of medians {r:.3f}; difference {med['quietpage'] - med['mitmdump']:.2f} ms")
    accept.append(("html_c1_median_latency_ratio", f"{r:.3f} (target <= {TARGET_LATENCY_RATIO})",
                   r <= TARGET_LATENCY_RATIO))

    print("\npeak memory (VmHWM at the end of the run):")
    for name in ("mitmdump", "quietpage"):
        m = memory[name]
        print(f"  {name:9} VmHWM {m.get('VmHWM', 0) / 1024:7.1f} MiB  VmRSS {m.get('VmRSS', 0) / 1024:7.1f} MiB")
    r = memory["quietpage"]["VmHWM"] / memory["mitmdump"]["VmHWM"]
    print(f"  ratio {r:.3f}")
    accept.append(("peak_memory_ratio", f"{r:.3f} (target <= {TARGET_MEMORY_RATIO})", r <= TARGET_MEMORY_RATIO))

    print()
    for name, value, ok in accept:
        print(f"ACCEPT {name}: {value} {'PASS' if ok else 'FAIL'}")
    return not all(ok for _n, _v, ok in accept)


if __name__ == "__main__":
    sys.exit(main())
