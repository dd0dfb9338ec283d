"""The real `quietpage run` against hostile pages (issue #12: items 2, 3, 4, 8, 10 and 11,
acceptance 1 and 2): compression bombs, 250 KB of <div>s nested 20,000-50,000 deep,
catastrophic regular expressions in a person's rule and in a list, a list import under
load, a pack of 600 rules, a page that lies about its charset.

During each hostile load another client's page through the same proxy and /api/health
must answer within 0.5 s; through the bombs and the nested pages the proxy's peak RSS
must stay under twice its idle RSS."""
from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.hostile import (RssSampler, brotli_bomb, gzip_bomb, idle_rss_kb, nested_divs, probes_during,
                             slow_or_failed, write_pack)
from support.net import free_port
from support.pages import ARTICLE_EN, CLUTTER_EN, CLUTTERED_EN, GONE_EN, article_page
from support.pagetext import visible_text
from support.paths import ROOT, SHARED
from support.proxyrig import Fetched, ProxyProcess, fetch, quietpage_run_argv, reroute_env
from support.servicerig import Service, make_token

ORDINARY = "http://calm.example/hostile/ordinary"  # the other client's page
LATENCY = 0.5  # s: what another client may wait while a hostile page goes through
PACK_SITE = "pack.example"
PACK_FILLERS = 595  # + 5 rules the tests check: 600 in one pack


@pytest.fixture(scope="module")
def hostile(upstream, tmp_path_factory):
    """A `quietpage run` of this module's own (its memory is measured), with a token for
    its service and a pack of 600 rules for pack.example."""
    data = tmp_path_factory.mktemp("hostile-data")
    token = make_token(data)
    pack = write_pack(tmp_path_factory.mktemp("hostile-pack") / "big.yaml", PACK_SITE, PACK_FILLERS)
    port, service_port = free_port(), free_port()
    upstream.put("/hostile/ordinary", CLUTTERED_EN.encode(), content_type="text/html; charset=utf-8")
    running = ProxyProcess(quietpage_run_argv(port, service_port, data, "--rules", str(pack)), port,
                           data / "proxy.log", service_port=service_port, env=reroute_env(upstream)).start()
    yield running, Service(service_port, data, token)
    running.stop()


async def load(proxy: ProxyProcess, url: str, timeout: float) -> Fetched | None:
    """One page through the proxy; None if it did not answer within `timeout` s."""
    try:
        return await fetch(proxy.port, url, timeout=timeout)
    except (asyncio.TimeoutError, OSError) as exc:  # aiohttp's errors are OSErrors
        print(f"no answer for {url}: {type(exc).__name__}: {exc}")
        return None


async def hostile_load(proxy: ProxyProcess, service: Service, url: str, timeout: float = 60,
                       memory: bool = False) -> tuple[Fetched | None, list, int, int]:
    """`url` through the proxy while another client loads a page and polls /api/health;
    with `memory`, the proxy's VmRSS is sampled all along. Returns the answer (None if
    none came in `timeout` s), the other requests' probes, and the idle and peak RSS (KiB),
    idle measured after a few warm-up pages."""
    pid = proxy.process.pid
    idle = 0
    if memory:
        for _ in range(4):
            await fetch(proxy.port, ORDINARY)
        await asyncio.sleep(0.2)
        idle = idle_rss_kb(pid)
    sampler = RssSampler(pid)
    with sampler if memory else contextlib.nullcontext():
        job = asyncio.ensure_future(load(proxy, url, timeout))
        probes = await probes_during(job, proxy.port, ORDINARY, service.port)
        answer = await job
    peak = sampler.peak_kb
    slowest = max(probes, key=lambda p: p.seconds)
    print(f"{url}: {'no answer' if answer is None else f'{answer.seconds:.3f} s'}; {len(probes)} probes, slowest "
          f"{slowest}" + (f"; RSS idle {idle // 1024} MiB, peak {peak // 1024} MiB ({sampler.readings} readings)"
                          if memory else ""))
    return answer, probes, idle, peak


def memory_problem(idle: int, peak: int) -> str | None:
    if not idle or peak >= 2 * idle:
        return f"peak RSS {peak / 1024:.0f} MiB is not under twice the idle {idle / 1024:.0f} MiB"
    return None


# --- 1. compression bombs (item 2) ------------------------------------------------------------

BOMBS = {"gzip": gzip_bomb, "br": brotli_bomb}


@pytest.mark.parametrize("coding", list(BOMBS))
async def test_compression_bomb_passes_as_it_came_without_stalling_or_swelling(hostile, upstream, coding):
    """2 MB of gzip (2 GB decoded) or 3 KB of brotli (300 MB decoded), as text/html."""
    proxy, service = hostile
    bomb = BOMBS[coding]()
    assert len(bomb) > 2_000_000 if coding == "gzip" else 2_000 < len(bomb) < 4_000
    upstream.put(f"/hostile/bomb-{coding}", bomb, content_type="text/html; charset=utf-8", content_encoding=coding)
    url = f"http://news.example/hostile/bomb-{coding}"
    mark = proxy.log_size()
    r, probes, idle, peak = await hostile_load(proxy, service, url, memory=True)

    problems = []
    if r is None or r.status != 200 or r.raw != bomb or r.headers.get("Content-Encoding") != coding:
        problems.append("the bomb did not come back as it came: "
                        + ("no answer" if r is None else f"{r.status}, {len(r.raw)} bytes, "
                                                         f"coding {r.headers.get('Content-Encoding')}"))
    if slow_or_failed(probes, LATENCY):
        problems.append(f"others waited during the bomb: {slow_or_failed(probes, LATENCY)}")
    if memory_problem(idle, peak):
        problems.append(memory_problem(idle, peak))
    try:
        line = proxy.wait_for_log(f"passed {url} unchanged:", after=mark, timeout=2)
        if not re.search(r"larger than \d+ bytes decoded", line):
            problems.append(f"the log does not say the body decodes too large: {line}")
    except AssertionError as exc:
        problems.append(str(exc)[:400])
    assert not problems, "\n".join(problems)


# --- 2. 250 KB of <div>s nested 20,000 (closed) or 50,000 (unclosed) deep (item 3) ------------

@pytest.mark.parametrize("closed", [True, False], ids=["closed", "unclosed"])
async def test_deeply_nested_page_passes_as_it_came_without_stalling_or_swelling(hostile, upstream, closed):
    proxy, service = hostile
    page = nested_divs(CLUTTER_EN, closed=closed)
    assert 240_000 < len(page) <= 256_000 and page.count(b"<div>") > 20_000
    name = "closed" if closed else "unclosed"
    upstream.put(f"/hostile/nested-{name}", page, content_type="text/html; charset=utf-8")
    url = f"http://news.example/hostile/nested-{name}"
    mark = proxy.log_size()
    r, probes, idle, peak = await hostile_load(proxy, service, url, memory=True)

    problems = []
    if r is None or r.status != 200 or r.raw != page:
        problems.append("the page did not come back as it came: "
                        + ("no answer" if r is None else f"{r.status}, {len(r.raw)} of {len(page)} bytes"))
    if slow_or_failed(probes, LATENCY):
        problems.append(f"others waited during the nested page: {slow_or_failed(probes, LATENCY)}")
    if memory_problem(idle, peak):
        problems.append(memory_problem(idle, peak))
    try:
        line = proxy.wait_for_log(f"passed {url} unchanged:", after=mark, timeout=2)
        if "nest over 4096 levels" not in line:
            problems.append(f"the log does not say the page nests too deep: {line}")
    except AssertionError as exc:
        problems.append(str(exc)[:400])
    assert not problems, "\n".join(problems)


# --- 3. a pack of 600 rules (item 10) ---------------------------------------------------------

PACK_ARTICLE = ARTICLE_EN[:4]
WP_HEAD = '<meta charset="utf-8"><link rel="stylesheet" href="/wp-content/themes/news/style.css">'
PACK_CLUTTER = ('<div class="second-of-two">The box under its second name</div>\n'
                '<div class="other-of-pair">The box under the other name of a pair</div>\n'
                '<div class="wp-promo">The promo of WordPress pages</div>\n'
                '<p>Sign up for the big pack newsletter today</p>\n'
                '<p>Rated 5 stars by our readers</p>\n'
                f'<div class="filler-{PACK_FILLERS - 1}">The last filler box</div>\n')
PACK_GONE = ["The box under its second name", "The box under the other name of a pair",
             "Sign up for the big pack newsletter today", "Rated 5 stars by our readers", "The last filler box"]


async def test_pack_of_600_rules_with_text_and_two_selectors_and_requires_cleans_pages(hostile, upstream):
    """More than 500 rules in a person's pack must not make the engine take it for an
    adblock list: no IndexError, the second selector of a rule and `requires` hold, text
    rules (a phrase, a regex) work."""
    proxy, service = hostile
    wordpress = article_page(PACK_ARTICLE, PACK_CLUTTER, head=WP_HEAD).encode()
    plain = article_page(PACK_ARTICLE, PACK_CLUTTER).encode()
    upstream.put("/hostile/pack-wp", wordpress, content_type="text/html; charset=utf-8")
    upstream.put("/hostile/pack-plain", plain, content_type="text/html; charset=utf-8")
    mark = proxy.log_size()

    url = f"http://{PACK_SITE}/hostile/pack-wp"
    r = await fetch(proxy.port, url)
    assert r.status == 200
    text = visible_text(r.body)
    log = proxy.log()[mark:]
    assert "IndexError" not in log, log
    for p in PACK_ARTICLE:
        assert p in text
    for gone in [*PACK_GONE, "The promo of WordPress pages"]:
        assert gone not in text, f"{gone!r} is still there; the log says:\n{log}"
    report = await service.call("GET", f"/api/page-report?url={url}")
    assert report["status"] == "cleaned"
    for rule in ("big.two-selectors", "big.two-in-one", "big.requires", "big.text", "big.regex",
                 f"big.filler-{PACK_FILLERS - 1}"):
        assert report["removed"].get(rule) == 1, report.body

    # Without the WordPress sign in its <head>, the `requires` rule leaves its box alone.
    url = f"http://{PACK_SITE}/hostile/pack-plain"
    r = await fetch(proxy.port, url)
    text = visible_text(r.body)
    assert "The promo of WordPress pages" in text, "a rule ran without what it `requires`"
    for gone in PACK_GONE:
        assert gone not in text
    assert "big.requires" not in (await service.call("GET", f"/api/page-report?url={url}"))["removed"]


# --- 4. a page that lies about its charset (item 11) ------------------------------------------

MISDECLARED_ARTICLE = ARTICLE_EN[:3] + [
    "Le café « crème » coûte 3 € — 東京の路面電車は百年を超えた — и это правда.",  # not GB2312 as bytes
]
UTF8_META_TAG, GB2312_META_TAG = '<meta charset="utf-8">', '<meta charset="gb2312">'
STRAY_AT, STRAY = b"voted on Tuesday", b"voted \xff on Tuesday"


def misdeclared_page(stray: bool, meta: str = GB2312_META_TAG) -> tuple[bytes, int, int]:
    """UTF-8 bytes under <meta charset=gb2312> (or `meta`), the share clutter in them (and,
    if `stray`, a byte no text in any charset holds, in the first paragraph); the page and
    where the clutter starts and ends."""
    html = article_page(MISDECLARED_ARTICLE, CLUTTER_EN, head=meta).encode("utf-8")
    if stray:
        html = html.replace(STRAY_AT, STRAY, 1)
    start = html.index(CLUTTER_EN.encode())
    return html, start, start + len(CLUTTER_EN.encode())


def as_misdeclared(cleaned_utf8: bytes, stray: bool) -> bytes:
    """What must come out for the misdeclared page: what comes out for the same page honestly
    declared UTF-8 (without the stray byte), with the page's own <meta> (and byte) put back."""
    assert UTF8_META_TAG.encode() in cleaned_utf8 and STRAY_AT in cleaned_utf8
    out = cleaned_utf8.replace(UTF8_META_TAG.encode(), GB2312_META_TAG.encode(), 1)
    return out.replace(STRAY_AT, STRAY, 1) if stray else out


def assert_only_clutter_cut(out: bytes, expected: bytes, page: bytes, start: int, end: int) -> None:
    assert out != page, "nothing was removed"
    assert out.startswith(page[:start]), "the bytes before the clutter changed"
    assert out.endswith(page[end:]), "the bytes after the clutter changed"
    text = visible_text(out.decode("utf-8", "replace"))
    for gone in GONE_EN:
        assert gone not in text
    assert out == expected, "not cut as the same page honestly declared is"


@pytest.mark.parametrize("stray", [False, True], ids=["utf8-under-gb2312", "and-a-stray-byte"])
async def test_misdeclared_page_keeps_every_byte_but_the_clutter_through_the_proxy(hostile, upstream, stray):
    proxy, _service = hostile
    honest, _start, _end = misdeclared_page(False, meta=UTF8_META_TAG)
    upstream.put("/hostile/declared-utf8", honest, content_type="text/html")
    reference = await fetch(proxy.port, "http://news.example/hostile/declared-utf8")
    assert reference.status == 200 and reference.body != honest

    page, start, end = misdeclared_page(stray)
    path = f"/hostile/misdeclared-{int(stray)}"
    upstream.put(path, page, content_type="text/html")
    mark = proxy.log_size()
    r = await fetch(proxy.port, f"http://news.example{path}")
    assert r.status == 200
    assert r.raw != page, f"passed unchanged; the log says:\n{proxy.log()[mark:]}"
    assert_only_clutter_cut(r.body, as_misdeclared(reference.body, stray), page, start, end)


def clean_command(tmp_path: Path, page: bytes) -> bytes:
    """`quietpage clean --url … FILE`: what it writes to stdout."""
    file = tmp_path / f"page-{len(page)}.html"
    file.write_bytes(page)
    run = subprocess.run([sys.executable, "-m", "proxy.cli", "clean", "--url", "http://news.example/story", str(file)],
                         cwd=ROOT, capture_output=True, timeout=60,
                         env={**os.environ, "HOME": str(tmp_path), "QUIETPAGE_DATA_DIR": str(tmp_path / "data")})
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    return run.stdout


def test_misdeclared_page_keeps_every_byte_but_the_clutter_through_clean(tmp_path):
    honest, _start, _end = misdeclared_page(False, meta=UTF8_META_TAG)
    reference = clean_command(tmp_path, honest)
    assert reference != honest
    for stray in (False, True):
        page, start, end = misdeclared_page(stray)
        assert_only_clutter_cut(clean_command(tmp_path, page), as_misdeclared(reference, stray), page, start, end)


# --- 5. a list import under load (item 8) ----------------------------------------------------

LIST_FILES = sorted([*(SHARED / "corpora/filterlists/ubo").glob("*.txt"),
                     *(SHARED / "corpora/filterlists/easylist-2026-08").glob("*.txt")])
BIG_LIST = "easylist-cookies"  # 1.2 MB, the biggest
FRESH_BOX = '<div class="qp-fresh-from-the-list">A box only the new version of the list knows</div>\n'
LOAD_URL = "http://load.example/hostile/under-load"


def import_lists(data_dir: Path) -> dict[str, str]:
    """Every list of the corpora into the data dir, as `quietpage lists add` does (its
    workflow, in this process): names and texts of those imported."""
    from proxy import lists
    from proxy.errors import Unprocessable
    from proxy.store import Store

    store = Store.in_dir(data_dir)

    async def run(fn, *args):
        return fn(store, *args)

    imported = {}
    try:
        for path in LIST_FILES:
            name, text = lists.default_name(path), lists.read_text(path)
            try:
                asyncio.run(lists.import_list(data_dir, name, text, False, frozenset(), run))
            except Unprocessable:  # ubo's annoyances.txt is one `!#include` line
                continue
            imported[name] = text
    finally:
        store.close()
    return imported


@pytest.fixture
def listed(upstream, tmp_path_factory):
    """A `quietpage run` whose data dir holds every list of the corpora, a token for its
    service; stopped right after its test (its heap and threads would weigh on the others)."""
    data = tmp_path_factory.mktemp("listed-data")
    token = make_token(data)
    imported = import_lists(data)
    assert BIG_LIST in imported and len(imported) >= 9, sorted(imported)
    port, service_port = free_port(), free_port()
    upstream.put("/hostile/under-load", article_page(ARTICLE_EN, FRESH_BOX).encode(),
                 content_type="text/html; charset=utf-8")
    running = ProxyProcess(quietpage_run_argv(port, service_port, data), port, data / "proxy.log",
                           service_port=service_port, env=reroute_env(upstream)).start(timeout=90)
    yield running, Service(service_port, data, token), imported
    # Its exit collects a heap of ~46,000 list rules for seconds: no need to wait for that.
    running.stop(grace=3)


async def test_list_import_under_load_stalls_no_one_and_applies_at_once(listed):
    """With every list of the corpora in force (~46,000 rules), the biggest is replaced
    through the service while a client loads pages through the proxy and another polls
    /api/health: each answers within 0.5 s, and the next load obeys the new version."""
    proxy, service, imported = listed
    for _ in range(2):  # the plans for the page's host, warm
        r = await fetch(proxy.port, LOAD_URL)
        assert r.status == 200 and "A box only the new version" in visible_text(r.body)

    newer = imported[BIG_LIST] + "\nload.example##.qp-fresh-from-the-list\n"
    job = asyncio.ensure_future(service.call("PUT", f"/api/lists/{BIG_LIST}", {"text": newer}))
    probes = await probes_during(job, proxy.port, LOAD_URL, service.port)
    answer = await job
    print(f"{BIG_LIST} replaced under load: {len(probes)} probes, slowest {max(probes, key=lambda p: p.seconds)}")
    assert answer.status == 200, answer.body
    assert not slow_or_failed(probes, LATENCY), f"others waited during the import: {slow_or_failed(probes, LATENCY)}"

    r = await fetch(proxy.port, LOAD_URL)
    assert r.status == 200
    text = visible_text(r.body)
    assert "A box only the new version" not in text, "the next load after the import did not apply the new list"
    assert ARTICLE_EN[0] in text


# --- 6. catastrophic regular expressions (item 4) ---------------------------------------------
# /(a|aa)+b/ against a text of 60 a's backtracks exponentially in `re` and in `regex` alike
# (fib(60) paths): without a time limit one page would hold the proxy for ever. These tests
# come last: on code without the limit the proxy they use never answers again.

CATASTROPHIC = "/(a|aa)+b/"
A60 = "a" * 60
PAGE_BUDGET = 2.0  # s: quietpage_budget_ms's default
PATTERN_LIMIT_MS = 50  # what one untrusted pattern may take on one text (proxy/engine/patterns.py)
TOO_LONG = re.compile(r"regular expression.*(ran over|too long|backtrack)", re.IGNORECASE)


def tiny_page(body: str) -> bytes:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tiny</title></head>\n"
            f"<body>{body}\n<p>The rest of a tiny page, with a few words in it.</p></body></html>\n").encode()


async def assert_regex_held_at_bay(proxy: ProxyProcess, service: Service, url: str, rule_id: str) -> None:
    """The page answers within its budget while others answer within 0.5 s; its report names
    the rule as skipped for its regex; a second load, the pattern quarantined, is not slower."""
    first, probes, _idle, _peak = await hostile_load(proxy, service, url, timeout=PAGE_BUDGET + 3)
    assert first is not None and first.status == 200, "the page did not answer"
    assert first.seconds < PAGE_BUDGET, f"the page took {first.seconds:.2f} s"
    assert not slow_or_failed(probes, LATENCY), f"others waited: {slow_or_failed(probes, LATENCY)}"
    report = await service.call("GET", f"/api/page-report?url={url}")
    assert report.status == 200, report.body
    assert rule_id in report["skipped"], f"the report does not name {rule_id} as skipped: {report.body}"
    assert TOO_LONG.search(report["skipped"][rule_id]), report["skipped"][rule_id]

    # That the pattern ran into its limit is the report's "ran over 50 ms" above: the regex
    # module's own timer decides when, and it fires a little early (a whole first load of
    # 46.6 ms was seen), so the load's time is not a measure of it. What QuietPage owes is
    # below: the pattern is never run again.
    # Later loads: the pattern is quarantined, so none runs it again. The fastest of three
    # (others share this machine): faster than the first, and under the limit it paid.
    later = []
    for _ in range(3):
        again = await load(proxy, url, PAGE_BUDGET + 3)
        assert again is not None and again.status == 200 and again.raw == first.raw
        later_report = await service.call("GET", f"/api/page-report?url={url}")
        assert rule_id in later_report["skipped"], later_report.body
        later.append((later_report["ms"], again.seconds))
    fastest_ms = min(ms for ms, _s in later)
    assert fastest_ms < min(first.seconds * 1000, PATTERN_LIMIT_MS), f"later loads (ms, s) {later}; the first {first.seconds} s"
    assert min(s for _ms, s in later) <= first.seconds + 0.05, f"later loads (ms, s) {later}; first {first.seconds} s"


async def test_catastrophic_regex_in_a_person_s_rule_is_held_at_bay(hostile, upstream):
    proxy, service = hostile
    r = await service.call("POST", "/api/rules", {"site": "regex.example", "title": "Backtracks for ever",
                                                  "pattern": CATASTROPHIC})
    assert r.status == 201, r.body
    upstream.put("/hostile/regex-user", tiny_page(f"<p>{A60}</p>"), content_type="text/html; charset=utf-8")
    await assert_regex_held_at_bay(proxy, service, "http://regex.example/hostile/regex-user", r["rule"]["id"])


REGEX_LIST = ("! Title: Hostile regexes\n"
              f"site.example##p:has-text({CATASTROPHIC})\n"            # line 2
              f"site.example##div:matches-path({CATASTROPHIC})\n")     # line 3


@pytest.fixture(scope="module")
def regex_list(hostile):
    """The list, imported once through the running service."""
    _proxy, service = hostile
    r = asyncio.run(service.call("POST", "/api/lists", {"name": "hostile-regex", "text": REGEX_LIST}))
    assert r.status == 201 and r["list"]["applied"] == 2, r.body
    return "hostile-regex"


@pytest.mark.parametrize("operator", ["has-text", "matches-path"])
async def test_catastrophic_regex_in_a_list_is_held_at_bay(hostile, upstream, regex_list, operator):
    proxy, service = hostile
    if operator == "has-text":
        path, body, rule_id = "/hostile/regex-has-text", f"<p>{A60}</p>", f"{regex_list}.2"
    else:
        path, body, rule_id = f"/{A60}", "<div>A box on a page whose path is all a's</div>", f"{regex_list}.3"
    upstream.put(path, tiny_page(body), content_type="text/html; charset=utf-8")
    await assert_regex_held_at_bay(proxy, service, f"http://site.example{path}", rule_id)
