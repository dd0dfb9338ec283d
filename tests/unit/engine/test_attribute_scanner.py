"""`AttributeScanner.scan` reads a place like the one before it when nothing between them
could change the reading; it must find what reading every place afresh finds."""
from __future__ import annotations

import pytest

from proxy.engine.scanners import MAX_TAG_REACH, AttributeScanner, attribute_at

WORDS = ("ico", "icon", "icons", "share", "news")
LINKS = ("//www.facebook.com/",)
PAGES = [
    b'<div class="icon icons share-icon news">news share icons</div>',
    b'<a href="https://www.facebook.com/news" class=share>share news</a><p>icons, news</p>',
    b"<p>news " + b"x" * (MAX_TAG_REACH + 10) + b" news</p><i id='icon' data-x=\"share\">icon</i>",
    b'<div class="' + b"news " * 600 + b'share">icon</div>',
    b"<p>news > share < icon news</p><span title=news class = 'news'>news</span>",
    b"<script>var a = '<div class=\"share\">' + news + icons;</script><b class=news>x</b>",
]


def _afresh(scanner: AttributeScanner, data: bytes) -> list[tuple[str, int, int]]:
    low = data.lower()
    places = sorted((pos + len(form), i) for i, form in enumerate(scanner.forms)
                    for pos in range(len(low)) if low.startswith(form, pos))
    found = []
    for end, i in places:
        at = attribute_at(data, end - len(scanner.forms[i]))
        if at is not None and at[0] in scanner._kinds[i]:
            found.append((at[0], at[1], end))
    return found


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("data", PAGES)
def test_scan_reads_every_place_as_afresh(data: bytes, fast: bool) -> None:
    scanner = AttributeScanner(WORDS, LINKS, fast)
    assert sorted(scanner.scan(data)) == sorted(_afresh(scanner, data))
