"""The sanitiser keeps the article's markup and nothing active; plain text keeps its blocks."""
import pytest

from proxy.reader import html_to_text, sanitize_html
from support.pagetext import assert_harmless

BASE = "https://news.example/a/b.html"


@pytest.mark.parametrize("dirty, clean", [
    ('<p onclick="x()">a</p>', "<p>a</p>"),
    ('<p>a<script>alert(1)</script>b</p>', "<p>ab</p>"),
    ('<p>a<style>p{}</style></p>', "<p>a</p>"),
    ('<img src="x.png" onerror="alert(1)" alt="A">', '<img src="https://news.example/a/x.png" alt="A">'),
    ('<img src="javascript:alert(1)">', ""),
    ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', ""),
    ('<a href="javascript:alert(1)">x</a>', "x"),
    ('<a href=" JaVa\tScRiPt:alert(1)">x</a>', "x"),
    ('<a href="vbscript:msgbox(1)">x</a>', "x"),
    ('<a href="/c?d=1" target="_blank" rel="x">x</a>', '<a href="https://news.example/c?d=1">x</a>'),
    ('<a href="//cdn.example/p">x</a>', '<a href="https://cdn.example/p">x</a>'),
    ('<a href="mailto:a@b.example">m</a>', '<a href="mailto:a@b.example">m</a>'),
    ('<iframe src="https://x.example"></iframe><p>t</p>', "<p>t</p>"),
    ('<form><input value="v"><button>b</button></form><p>t</p>', "<p>t</p>"),
    ('<svg><script>alert(1)</script><a href="javascript:1"><text>s</text></a></svg>t', "t"),
    ('<math><mtext><script>alert(1)</script></mtext></math>t', "t"),
    ('<object data="x.swf"><embed src="x.swf"></object>t', "t"),
    ('<div class="c" style="color:red"><span id="s">t</span></div>', "t"),
    ('<table><tr><td colspan="2" onclick="x">c</td><td colspan="x">d</td></tr></table>',
     '<table><tbody><tr><td colspan="2">c</td><td>d</td></tr></tbody></table>'),
    ('<blockquote cite="javascript:x">q</blockquote>', "<blockquote>q</blockquote>"),
    ('<figure><img src="i.jpg"><figcaption>cap</figcaption></figure>',
     '<figure><img src="https://news.example/a/i.jpg"><figcaption>cap</figcaption></figure>'),
    ('<p>a<!-- <script>alert(1)</script> -->b</p>', "<p>ab</p>"),
    ('<p>t<noscript><img src="x.png"></noscript><template><p>t</p></template>u</p>', "<p>tu</p>"),
])
def test_sanitize_html(dirty, clean):
    assert sanitize_html(dirty, BASE) == clean
    assert_harmless(sanitize_html(dirty, BASE))


def test_html_to_text_separates_blocks_with_blank_lines():
    html = "<h2>Head</h2><p>One <b>two</b><br>three</p><ul><li>x</li><li>y</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
    assert html_to_text(html) == "Head\n\nOne two\nthree\n\nx\n\ny\n\na b"
