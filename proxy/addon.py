"""mitmproxy addon: clean HTML responses with QuietPage's rules.

Embedded by `quietpage run`, or on its own: `mitmdump -s proxy/addon.py`.
Anything it cannot handle passes through untouched, and the log says why.
"""
from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):  # loaded by path with `mitmdump -s proxy/addon.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mitmproxy import ctx, exceptions, http  # noqa: E402

from proxy.reports import PageReport, PageReports  # noqa: E402
from proxy.rewrite import Outcome, decode_inline, rewrite  # noqa: E402
from proxy.rulebook import Rulebook  # noqa: E402
from proxy.transfer import SUPPORTED  # noqa: E402

log = logging.getLogger("quietpage")

HTML_TYPES = ("text/html", "application/xhtml+xml")


def skip_reason(method: str, status: int, headers, size: int | None, max_size: int) -> str | None:
    """Why a response is not a page to clean, or None if it is."""
    if method != "GET":
        return f"method {method}"
    if not 200 <= status < 300 or status in (204, 206):
        return f"status {status}"
    ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype not in HTML_TYPES:
        return f"content type {ctype or 'missing'}"
    if "attachment" in headers.get("content-disposition", "").lower():
        return "attachment"
    coding = headers.get("content-encoding", "identity").strip().lower() or "identity"
    if coding not in SUPPORTED:
        return f"content coding {coding}"
    if size is not None and size > max_size:
        return f"larger than {max_size} bytes"
    return None


# Bodies that arrive over time and must be passed on as they come.
STREAMED_TYPES = ("text/event-stream", "multipart/x-mixed-replace", "application/x-ndjson")


def must_flow(headers) -> bool:
    """An event stream or media: passed on as it comes, never held whole."""
    ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return ctype in STREAMED_TYPES or ctype.startswith(("video/", "audio/"))


def weak_etag(etag: str) -> str:
    """A changed body must not keep the origin's strong validator."""
    return etag if etag.startswith("W/") else f"W/{etag}"


class QuietPage:
    """Cleans HTML responses with the rules in force of its rulebook."""

    def __init__(self, rulebook: Rulebook | None = None, reports: PageReports | None = None):
        self.reports = reports or PageReports()
        # Embedded by `quietpage run`, which shares its rulebook with the service; under
        # plain mitmdump: the built-in packs and `quietpage_rules`.
        self.rulebook = rulebook or Rulebook()
        self._parsers: ThreadPoolExecutor | None = None

    def load(self, loader) -> None:
        # The root logger sits at WARNING; mitmproxy's termlog filters by its own verbosity.
        log.setLevel(logging.DEBUG)
        loader.add_option("quietpage", bool, True, "Clean HTML pages with QuietPage's rules.")
        loader.add_option("quietpage_rules", Sequence[str], [],
                          "Extra rule packs or folders to load besides the built-in packs.")
        loader.add_option("quietpage_max_size", int, 10 * 1024 * 1024,
                          "Largest HTML body to clean, in bytes; larger bodies stream through untouched.")
        loader.add_option("quietpage_budget_ms", int, 2000,
                          "Time budget of one rewrite in milliseconds; over it the original page is sent.")
        loader.add_option("quietpage_recompress", str, "auto",
                          "Content coding of a cleaned page: 'same' as the origin's (at a fast level), "
                          "'identity' (uncompressed), or 'auto': uncompressed to a client on this machine.",
                          choices=("auto", "same", "identity"))
        loader.add_option("quietpage_reload_ms", int, 1000,
                          "How often rule files are checked for edits, in milliseconds; 0 turns it off.")

    def configure(self, updated: set[str]) -> None:
        if "termlog_verbosity" in updated:
            # Records the terminal would drop are not even made (one a cleaned page, under -q).
            level = logging.getLevelName(str(ctx.options.termlog_verbosity).upper().replace("WARN", "WARNING"))
            log.setLevel(level if isinstance(level, int) else logging.DEBUG)
        if "quietpage_max_size" in updated and ctx.options.quietpage_max_size <= 0:
            raise exceptions.OptionsError(f"quietpage_max_size must be positive, got {ctx.options.quietpage_max_size}")
        if "quietpage_budget_ms" in updated and ctx.options.quietpage_budget_ms <= 0:
            raise exceptions.OptionsError(f"quietpage_budget_ms must be positive, got {ctx.options.quietpage_budget_ms}")
        if "quietpage_rules" in updated:
            missing = [p for p in ctx.options.quietpage_rules if not Path(p).exists()]
            if missing:
                raise exceptions.OptionsError(f"quietpage_rules: no such file or directory: {', '.join(missing)}")
            self.rulebook.set_paths(ctx.options.quietpage_rules)
            self.rulebook.reload(force=True)

    def running(self) -> None:
        self.rulebook.start_watching(ctx.options.quietpage_reload_ms / 1000)

    def done(self) -> None:
        self.rulebook.stop_watching()
        if self._parsers is not None:
            self._parsers.shutdown(wait=False, cancel_futures=True)

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        if not flow.response or flow.error or not ctx.options.quietpage:
            return
        headers = flow.response.headers
        size = headers.get("content-length", "")
        size = int(size) if size.isdigit() else None
        if size is not None and size > ctx.options.quietpage_max_size or must_flow(headers):
            # Not a page to clean, and not to be held until it ends (an event stream, a big
            # file). Other bodies are buffered as plain mitmproxy does: for a page's small
            # assets that costs less than streaming them. A later script that needs the
            # body can set `flow.response.stream = False` in its own hook.
            flow.response.stream = True

    async def response(self, flow: http.HTTPFlow) -> None:
        if not flow.response or flow.error or not ctx.options.quietpage or flow.response.stream:
            return
        response = flow.response
        raw = response.raw_content
        reason = skip_reason(flow.request.method, response.status_code, response.headers,
                             len(raw) if raw is not None else None, ctx.options.quietpage_max_size)
        if reason or not raw:
            return
        url = flow.request.pretty_url
        started = time.perf_counter()
        try:
            await self._rewrite(flow, url, raw, started)
        except Exception as exc:  # noqa: BLE001 - never lose a page
            self._pass(url, "error", f"{type(exc).__name__}: {exc}", started)

    async def _rewrite(self, flow: http.HTTPFlow, url: str, raw: bytes, started: float) -> None:
        response = flow.response
        coding = response.headers.get("content-encoding")
        job = functools.partial(rewrite, raw, coding, self._outgoing_coding(flow, coding), url,
                                response.headers.get("content-type"), self.rulebook, ctx.options.quietpage_max_size,
                                started + ctx.options.quietpage_budget_ms / 1000)
        body = decode_inline(raw, coding)
        if body is not None:
            # Measured: cleaning a median page on a worker thread (Lexbor lets go of the
            # GIL) lost more to the thread hops than it won back, at c1 and c16.
            outcome = job(body=body)
        else:
            try:
                outcome = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(self._pool(), job),
                                                 ctx.options.quietpage_budget_ms / 1000 + 0.05)
            except asyncio.TimeoutError:
                outcome = Outcome("passed", reason="over its time budget")
        if outcome.status in ("passed", "error"):
            reason = outcome.reason
            if reason == "over its time budget":
                reason = f"rewrite over its {ctx.options.quietpage_budget_ms} ms budget"
            return self._pass(url, outcome.status, reason, started)
        result = outcome.result
        for rule_id, why in result.skipped.items():
            log.info("guard: %s skipped on %s: %s", self._named(rule_id), url, why)
        if outcome.status != "cleaned":
            self.reports.put(PageReport(url, {}, result.skipped, outcome.status, elapsed_ms=_ms(started)))
            return None
        response.raw_content = outcome.body
        if outcome.coding in (None, "identity"):
            response.headers.pop("content-encoding", None)
        if "transfer-encoding" not in response.headers:
            response.headers["content-length"] = str(len(response.raw_content))
        if "etag" in response.headers:
            response.headers["etag"] = weak_etag(response.headers["etag"])
        elapsed = _ms(started)
        self.reports.put(PageReport(url, result.removed, result.skipped, "cleaned", elapsed_ms=elapsed,
                                    also=result.also))
        if log.isEnabledFor(logging.INFO):
            log.info("cleaned %s: %d removed (%s) in %.1f ms", url, result.removed_total,
                     ", ".join(f"{self._named(k)} {v}" for k, v in result.removed.items()), elapsed)
        return None

    def _named(self, rule_id: str) -> str:
        """A rule as the log names it: a list's rule by its filter too (its id is only a line number)."""
        rule = self.rulebook.rules.rule(rule_id)
        pack = self.rulebook.rules.pack(rule.pack_id) if rule is not None else None
        return f"{rule_id} «{rule.title}»" if pack is not None and pack.adblock else rule_id

    def _pool(self) -> ThreadPoolExecutor:
        if self._parsers is None:
            self._parsers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="quietpage-parse")
        return self._parsers

    def _outgoing_coding(self, flow: http.HTTPFlow, coding: str | None) -> str | None:
        """Compression buys nothing on loopback and costs more than the rewrite, so "auto"
        sends a cleaned page to a local client uncompressed."""
        choice = ctx.options.quietpage_recompress
        if choice == "identity" or (choice == "auto" and _is_loopback(flow.client_conn.peername)):
            return None
        return coding

    def _pass(self, url: str, status: str, reason: str, started: float) -> None:
        """Send the original response, and say why."""
        self.reports.put(PageReport(url, {}, {}, status, reason, _ms(started)))
        log.warning("passed %s unchanged: %s", url, reason)


def _is_loopback(peername) -> bool:
    try:
        return ipaddress.ip_address(peername[0]).is_loopback
    except (TypeError, ValueError, IndexError):
        return False


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def __getattr__(name: str):
    # `mitmdump -s proxy/addon.py` reads `addons` (at every hook): made the first time it
    # is asked for, not at import.
    if name == "addons":
        globals()["addons"] = made = [QuietPage()]
        return made
    raise AttributeError(name)
