"""The cheap tests before the costly ones: a text pattern held to its words before its
search, a class name read back only to where its value opens; either way the same
elements are found as by the costly test alone."""
from __future__ import annotations

import pytest

from proxy.engine import clean_page
from proxy.engine.needles import word_options
from proxy.rules import RuleSet, compile_text_pattern
from proxy.rules.packs import parse_pack_text

PACK = """id: t
title: Test
rules:
  - id: t.closed
    title: Comments closed
    text: ["/comments? (are|is) (now )?closed\\\\.?/"]
  - id: t.share
    title: Share widgets
    words: [share]
    max_text: 200
"""
PROSE = "".join(f"<p>Paragraph {n} of the article tells what happened in the harbour town.</p>" for n in range(6))


def clean(body: str, trusted: bool = True):
    pack, errors = parse_pack_text(PACK, "t.yaml", trusted=trusted)
    assert pack is not None, errors
    html = f"<!doctype html><html lang=en><head><title>t</title></head><body>{PROSE}{body}</body></html>"
    return clean_page(html, "https://example.com/a", RuleSet((pack,)))


@pytest.mark.parametrize(("body", "removed"), [
    ("<div><b>Comments</b> are closed.</div>", {"t.closed": 1}),
    ("<div>Comments are now closed</div>", {"t.closed": 1}),
    ("<div>Comments are not closed</div>", {}),
    ("<div>Comments are open</div>", {}),
    # 'ſ' matches 's' when case is ignored but does not lower-case to it: the words are not
    # looked for in such a text, the pattern is searched
    ("<div>Comments are cloſed</div>", {"t.closed": 1}),
])
def test_a_text_pattern_is_held_to_its_words_first(body, removed):
    assert clean(body).removed == removed  # a built-in pack's pattern: held to its words
    assert clean(body, trusted=False).removed == removed  # run under a time limit: searched


def test_word_options_are_the_ascii_ones_of_a_stdlib_pattern():
    assert word_options(compile_text_pattern("/(read|see) our comment policy/", trusted=True)) == \
        (("read", "see"), ("our",), ("comment",), ("policy",))
    assert word_options(compile_text_pattern("/(read|see) our comment policy/")) == ()  # a time limit


@pytest.mark.parametrize(("body", "removed"), [
    ('<div class="tools share-bar" id="x">Share</div>', {"t.share": 1}),
    ('<div data-x="a b" class=\'share-bar\'>Share</div>', {"t.share": 1}),
    ('<div id="share-top">Share</div>', {"t.share": 1}),
    ('<div title="the share-bar" class="tools">Share</div>', {}),
    ('<div class="x=share-bar">Share</div>', {}),  # the name read ends at "=": no element has it
])
def test_a_class_name_is_read_back_to_where_its_value_opens(body, removed):
    assert clean(body).removed == removed


def test_a_megabyte_long_class_value_is_read_a_bounded_number_of_times(monkeypatch):
    # Every place a word stands in one long value names the same class: it is read once,
    # and never past the tag's reach (a hostile page's value is not read to its end once
    # per word in it: that was ~400 reads of the whole value).
    from proxy.engine import match_markup
    from proxy.engine.scanners import MAX_TAG_REACH

    real = match_markup._TOKEN_END
    spans: list[int] = []

    class Counting:
        def search(self, data, pos=0, endpos=None):
            spans.append((len(data) if endpos is None else min(endpos, len(data))) - pos)
            return real.search(data, pos, len(data) if endpos is None else endpos)

    monkeypatch.setattr(match_markup, "_TOKEN_END", Counting())
    result = clean('<div class="' + "share" * 200_000 + '">x</div><div class="share-bar">Share</div>')
    assert result.error is None
    assert "Share" not in result.html.split("</p>")[-1]  # the real bar still goes
    assert len(spans) <= 4 and sum(spans) <= 4 * MAX_TAG_REACH, spans


def test_share_endpoints_with_an_equals_sign_match_whole_links():
    # "ok.ru/dk?st.cmd=WidgetSharePreview": the link is read from its value's quote, not
    # from the `=` inside the fragment (such endpoints never matched).
    bar = ('<div class="x1"><a href="https://connect.ok.ru/dk?st.cmd=WidgetSharePreview&amp;st.shareUrl=u">OK</a> '
           '<a href="https://www.xing.com/app/user?op=share&amp;url=u">XING</a></div>')
    html = (f"<!doctype html><html lang=en><head><title>t</title></head><body><main><article>{PROSE}{bar}"
            "</article></main></body></html>")
    result = clean_page(html, "https://example.com/a")
    assert result.removed.get("share-prompts.share-bars") == 1, result.removed
    assert "XING" not in result.html and "Paragraph 5" in result.html
