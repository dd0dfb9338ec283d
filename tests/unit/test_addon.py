"""The addon's hooks in-process with mitmproxy's own test tools (taddons, tflow): which
responses are pages to clean, a page rewritten in place, the options refused at the
boundary, the original kept when cleaning fails. No proxy, no socket: the real `quietpage
run` and mitmdump are tests/integration/test_proxy.py's."""
from __future__ import annotations

import logging
import re

import pytest
from mitmproxy import exceptions, http
from mitmproxy.test import taddons, tflow

from proxy.addon import QuietPage, must_flow, skip_reason, weak_etag
from proxy.reports import PageReports
from proxy.rulebook import Rulebook
from support.boom import BOOM_HOST, ExplodingToggles
from support.coding import apply_coding, undo_coding
from support.pages import ARTICLE_EN, CLUTTERED_EN, GONE_EN, PLAIN_EN
from support.pagetext import visible_text

MAX = 10 * 1024 * 1024  # quietpage_max_size's default
HTML = {"content-type": "text/html; charset=utf-8"}
URL = "https://news.example/tram"


def headers(fields: dict[str, str]) -> http.Headers:
    return http.Headers([(k.encode(), v.encode()) for k, v in fields.items()])


def page_flow(body: bytes, coding: str = "identity", url: str = URL, **fields: str) -> http.HTTPFlow:
    """A GET of `url` answered 200 with `body` as an origin sends it (content-coded as
    `coding`, with its length); header names are given with underscores (etag=…)."""
    raw = body if coding == "identity" else apply_coding(body, coding)
    sent = {**HTML, "content-length": str(len(raw)), **{k.replace("_", "-"): v for k, v in fields.items()}}
    if coding != "identity":
        sent["content-encoding"] = coding
    flow = tflow.tflow(resp=True)
    flow.request.url = url
    flow.response.headers = headers(sent)
    flow.response.raw_content = raw
    return flow


def as_sent(flow: http.HTTPFlow) -> tuple[bytes, list]:
    return flow.response.raw_content, list(flow.response.headers.fields)


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    """The built-in packs, read once for the module (no test changes them)."""
    book = Rulebook()
    book.reload(force=True)
    return book


@pytest.fixture
def addon(rulebook) -> QuietPage:
    return QuietPage(rulebook=rulebook, reports=PageReports())


# --- skip_reason, must_flow, weak_etag: plain functions, tables ---------------------------------

@pytest.mark.parametrize("method, status, fields, size, reason", [
    ("GET", 200, HTML, 30_000, None),
    ("GET", 200, {"content-type": "application/xhtml+xml"}, 30_000, None),
    ("GET", 200, {"content-type": "TEXT/HTML"}, None, None),  # size not known yet
    ("GET", 203, HTML, 30_000, None),
    ("POST", 200, HTML, 30_000, "method POST"),
    ("HEAD", 200, HTML, 0, "method HEAD"),
    ("GET", 204, HTML, 0, "status 204"),
    ("GET", 206, HTML, 30_000, "status 206"),
    ("GET", 301, HTML, 100, "status 301"),
    ("GET", 304, HTML, 0, "status 304"),
    ("GET", 404, HTML, 30_000, "status 404"),
    ("GET", 500, HTML, 30_000, "status 500"),
    ("GET", 200, {"content-type": "text/plain; charset=utf-8"}, 30_000, "content type text/plain"),
    ("GET", 200, {"content-type": "application/json"}, 30_000, "content type application/json"),
    ("GET", 200, {}, 30_000, "content type missing"),
    ("GET", 200, {**HTML, "content-disposition": 'attachment; filename="story.html"'}, 30_000, "attachment"),
    ("GET", 200, {**HTML, "content-disposition": "inline"}, 30_000, None),
    ("GET", 200, {**HTML, "content-encoding": "gzip"}, 30_000, None),
    ("GET", 200, {**HTML, "content-encoding": "br"}, 30_000, None),
    ("GET", 200, {**HTML, "content-encoding": "zstd"}, 30_000, None),
    ("GET", 200, {**HTML, "content-encoding": "deflate"}, 30_000, None),
    ("GET", 200, {**HTML, "content-encoding": "compress"}, 30_000, "content coding compress"),
    ("GET", 200, {**HTML, "content-encoding": "gzip, br"}, 30_000, "content coding gzip, br"),
    ("GET", 200, HTML, MAX, None),
    ("GET", 200, HTML, MAX + 1, f"larger than {MAX} bytes"),
])
def test_skip_reason(method, status, fields, size, reason):
    assert skip_reason(method, status, headers(fields), size, MAX) == reason


@pytest.mark.parametrize("content_type, flows", [
    ("text/event-stream", True),
    ("text/event-stream; charset=utf-8", True),
    ("multipart/x-mixed-replace; boundary=frame", True),
    ("application/x-ndjson", True),
    ("video/mp4", True),
    ("audio/mpeg", True),
    ("VIDEO/webm", True),
    ("text/html; charset=utf-8", False),
    ("image/png", False),
    ("application/json", False),
    (None, False),
])
def test_must_flow(content_type, flows):
    assert must_flow(headers({"content-type": content_type} if content_type else {})) is flows


@pytest.mark.parametrize("etag, weak", [
    ('"abc123"', 'W/"abc123"'),
    ('W/"abc123"', 'W/"abc123"'),
    ('""', 'W/""'),
])
def test_weak_etag(etag, weak):
    assert weak_etag(etag) == weak


# --- the response hook ----------------------------------------------------------------------

@pytest.mark.parametrize("coding, recompress, client, sent_as", [
    ("gzip", "same", "127.0.0.1", "gzip"),
    ("br", "same", "127.0.0.1", "br"),
    ("zstd", "same", "127.0.0.1", "zstd"),
    ("deflate", "same", "127.0.0.1", "deflate"),
    ("identity", "same", "127.0.0.1", None),
    ("gzip", "identity", "192.0.2.7", None),
    ("gzip", "auto", "127.0.0.1", None),  # compressing for this machine costs more than it saves
    ("gzip", "auto", "192.0.2.7", "gzip"),
])
async def test_response_cleans_a_page_in_place(addon, coding, recompress, client, sent_as):
    flow = page_flow(CLUTTERED_EN.encode(), coding, etag='"tram-1"')
    flow.client_conn.peername = (client, 50_000)
    with taddons.context(addon) as tctx:
        tctx.configure(addon, quietpage_recompress=recompress)
        await addon.response(flow)
    response = flow.response
    assert response.headers.get("content-encoding") == sent_as
    assert response.headers["content-length"] == str(len(response.raw_content))
    assert response.headers["etag"] == 'W/"tram-1"'
    text = visible_text(undo_coding(response.raw_content, sent_as).decode("utf-8"))
    assert all(p in text for p in ARTICLE_EN)
    assert not any(g in text for g in GONE_EN)
    assert addon.reports.get(URL).status == "cleaned"


@pytest.mark.parametrize("coding", ["identity", "gzip", "br"])
async def test_response_leaves_a_page_without_clutter_byte_for_byte(addon, coding):
    flow = page_flow(PLAIN_EN.encode(), coding, etag='"plain-1"')
    before = as_sent(flow)
    with taddons.context(addon) as tctx:
        tctx.configure(addon, quietpage_recompress="identity")  # a rewrite would drop the coding
        await addon.response(flow)
    assert as_sent(flow) == before
    assert addon.reports.get(URL).status == "unchanged"


@pytest.mark.parametrize("change", [
    {"method": "POST"},
    {"status": 404},
    {"content_type": "text/plain; charset=utf-8"},
    {"content_disposition": 'attachment; filename="story.html"'},
    {"content_encoding": "compress"},
    {"streamed": True},
], ids=["post", "404", "text-plain", "attachment", "unknown-coding", "streamed"])
async def test_response_passes_what_is_not_a_page_to_clean(addon, change):
    flow = page_flow(CLUTTERED_EN.encode())
    flow.request.method = change.get("method", "GET")
    flow.response.status_code = change.get("status", 200)
    for name in ("content_type", "content_disposition", "content_encoding"):
        if name in change:
            flow.response.headers[name.replace("_", "-")] = change[name]
    flow.response.stream = change.get("streamed", False)
    before = as_sent(flow)
    with taddons.context(addon):
        await addon.response(flow)
    assert as_sent(flow) == before
    assert addon.reports.get(URL) is None


# --- configure: bad options are refused with the offending value ------------------------------

def test_configure_refuses_a_max_size_that_is_not_positive():
    addon = QuietPage(rulebook=Rulebook(builtin=False))
    with taddons.context(addon) as tctx:
        with pytest.raises(exceptions.OptionsError, match="quietpage_max_size must be positive, got -5"):
            tctx.configure(addon, quietpage_max_size=-5)
        assert tctx.options.quietpage_max_size == MAX  # rolled back


def test_configure_refuses_a_budget_that_is_not_positive():
    addon = QuietPage(rulebook=Rulebook(builtin=False))
    with taddons.context(addon) as tctx:
        with pytest.raises(exceptions.OptionsError, match="quietpage_budget_ms must be positive, got 0"):
            tctx.configure(addon, quietpage_budget_ms=0)
        assert tctx.options.quietpage_budget_ms == 2000


def test_configure_refuses_a_rules_path_that_does_not_exist(tmp_path):
    missing = tmp_path / "no-such-pack.yaml"
    addon = QuietPage(rulebook=Rulebook(builtin=False))
    with taddons.context(addon) as tctx:
        with pytest.raises(exceptions.OptionsError, match=re.escape(f"quietpage_rules: no such file or directory: {missing}")):
            tctx.configure(addon, quietpage_rules=[str(missing)])
        assert tctx.options.quietpage_rules == []


# --- failures while traffic flows: the original goes on, the log says why ---------------------

class RaisingRulebook(Rulebook):
    """A rulebook whose cleaning raises (the engine itself never does: it reports .error)."""

    def clean(self, *args, **kwargs):
        raise RuntimeError("the rulebook broke")


def exploding_rulebook() -> Rulebook:
    """The built-in packs with switches that raise for boom.example, as tests/support/boom.py
    hands the running proxy: the engine hands back the original with .error set."""
    book = Rulebook()
    book.reload(force=True)
    book.set_state(ExplodingToggles(book.toggles), book.user_rules)
    return book


@pytest.mark.parametrize("make_rulebook, why", [
    (exploding_rulebook, f"RuntimeError: boom on {BOOM_HOST}"),
    (RaisingRulebook, "RuntimeError: the rulebook broke"),
], ids=["engine-error", "rulebook-raises"])
async def test_original_is_kept_with_a_log_line_when_cleaning_fails(make_rulebook, why, caplog):
    url = f"https://{BOOM_HOST}/tram"
    addon = QuietPage(rulebook=make_rulebook(), reports=PageReports())
    flow = page_flow(CLUTTERED_EN.encode(), "gzip", url=url, etag='"boom-1"')
    before = as_sent(flow)
    with taddons.context(addon), caplog.at_level(logging.WARNING, logger="quietpage"):
        await addon.response(flow)
    assert as_sent(flow) == before
    report = addon.reports.get(url)
    assert report.status == "error" and why in report.reason
    warnings = [r.getMessage() for r in caplog.records if r.name == "quietpage" and r.levelno >= logging.WARNING]
    assert warnings == [f"passed {url} unchanged: {report.reason}"]
