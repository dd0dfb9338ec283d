"""`quietpage run` with CPU clocks around the addon's steps, for bench_proxy.py.

Run: python tests/benchmarks/qp_probe.py run [quietpage run options...]
Environment: QP_PROBE_OUT=FILE (where SIGUSR1 writes the counters, as JSON);
QP_PROBE_TREE=DIR (a checkout to run instead of this one's, for an A/B);
QP_PROBE_UNDO=FIX,... (run without some of the start-up fixes of issue 14, for an A/B in
one checkout: `mallopt`: glibc's thresholds left as they are; `freeze`: gc.freeze a no-op,
so the loaded rules stay in the collector's sight; `freeze-always`: a freeze at every
pause of the collector, as before issue 14 (the rule watcher's check each second froze the
flows in flight); `log`: the "quietpage" logger at DEBUG
whatever the verbosity, so each cleaned page builds its info record again, which -q drops);
QP_PROBE_MALLOPT=MMAP,TRIM[,ARENAS] (other thresholds, in bytes, and arena limit (0: glibc's
default) for proxy.memory to set);
QP_PROBE_TRACEMALLOC=N (trace allocations, N frames deep: each dump also lists where
the memory that is alive grew most since the previous dump; slow, for finding leaks).

The clocks are thread CPU time (time.thread_time) around `rewrite` (all the addon does to
a page but deciding and setting headers), `Rulebook.clean` (the engine), and the decode
and encode of the body: six clock reads a page, about 3 µs. Also counted: garbage
collections and their time by generation (gc.callbacks), the collector's frozen objects,
and log records made by the "quietpage" logger below WARNING (none should be, under -q).
"""
from __future__ import annotations

import gc
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

TREE = Path(os.environ.get("QP_PROBE_TREE") or Path(__file__).resolve().parents[2])
sys.path.insert(0, str(TREE))

_lock = threading.Lock()
counters: dict[str, float] = {}


def _add(name: str, seconds: float) -> None:
    with _lock:
        counters[name + "_s"] = counters.get(name + "_s", 0.0) + seconds
        counters[name + "_n"] = counters.get(name + "_n", 0) + 1


def _timed(name: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(name, time.thread_time() - t0)
    wrapper.__wrapped__ = fn
    return wrapper


_gc_started: list[float] = [0.0]


def _gc_callback(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.thread_time()
    else:
        _add(f"gc{info['generation']}", time.thread_time() - _gc_started[0])


_records = [0]
_make_record = logging.getLogRecordFactory()


def _record_factory(*args, **kwargs):
    record = _make_record(*args, **kwargs)
    if record.name == "quietpage" and record.levelno < logging.WARNING:
        _records[0] += 1
    return record


_snapshots: list = []


def _growth() -> list[str]:
    import tracemalloc  # noqa: PLC0415

    if not tracemalloc.is_tracing():
        return []
    gc.collect()
    now = tracemalloc.take_snapshot()
    before = _snapshots[-1] if _snapshots else None
    _snapshots[:] = [now]
    if before is None:
        return []
    return [f"{stat}\n" + "\n".join(stat.traceback.format()) for stat in now.compare_to(before, "traceback")[:5]]


def _dump(_signum=None, _frame=None) -> None:
    out = os.environ.get("QP_PROBE_OUT")
    if not out:
        return
    with _lock:
        data = dict(counters)
    data["growth"] = _growth()
    data.update(freeze_count=gc.get_freeze_count(), gc_count=gc.get_count(), gc_threshold=gc.get_threshold(),
                gc_stats=gc.get_stats(), info_records=_records[0], tree=str(TREE))
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, out)


def main() -> int:
    import proxy.addon
    import proxy.rewrite
    import proxy.rulebook
    from proxy.cli.main import main as quietpage

    undo = {u.strip() for u in os.environ.get("QP_PROBE_UNDO", "").split(",") if u.strip()}
    if unknown := undo - {"mallopt", "freeze", "freeze-always", "log"}:
        raise SystemExit(f"qp_probe: QP_PROBE_UNDO: unknown fix(es) {', '.join(sorted(unknown))}")
    if "mallopt" in undo:
        import proxy.runner  # noqa: PLC0415

        proxy.runner.keep_parse_memory = lambda: False
    if os.environ.get("QP_PROBE_MALLOPT"):
        import proxy.memory  # noqa: PLC0415

        values = [int(v) for v in os.environ["QP_PROBE_MALLOPT"].split(",")]
        proxy.memory.MMAP_THRESHOLD, proxy.memory.TRIM_THRESHOLD = values[:2]
        if len(values) > 2:
            proxy.memory.ARENA_MAX = values[2]
    if "freeze" in undo:
        gc.freeze = lambda: None
    if "freeze-always" in undo:
        import proxy.memory  # noqa: PLC0415

        proxy.memory.FREEZE_MIN_OBJECTS = 0
    if "log" in undo:
        configure = proxy.addon.QuietPage.configure

        def configure_verbose(self, updated):
            configure(self, updated)
            proxy.addon.log.setLevel(logging.DEBUG)
        proxy.addon.QuietPage.configure = configure_verbose
    proxy.addon.rewrite = _timed("rewrite", proxy.addon.rewrite)
    proxy.rewrite.decode_body = _timed("decode", proxy.rewrite.decode_body)
    proxy.rewrite.encode_body = _timed("encode", proxy.rewrite.encode_body)
    proxy.rulebook.Rulebook.clean = _timed("engine", proxy.rulebook.Rulebook.clean)
    if os.environ.get("QP_PROBE_TRACEMALLOC"):
        import tracemalloc  # noqa: PLC0415

        tracemalloc.start(int(os.environ["QP_PROBE_TRACEMALLOC"]))
    gc.callbacks.append(_gc_callback)
    logging.setLogRecordFactory(_record_factory)
    signal.signal(signal.SIGUSR1, _dump)
    return quietpage(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
