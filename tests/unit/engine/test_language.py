"""Which language's text rules a page gets: its `<html lang>`, unless its text is mostly
Chinese, Japanese or Korean where it says another language (a template's lang="en")."""
from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from proxy.engine import clean_page
from proxy.engine.prepare import text_language

ZH = "".join(f"<p>据介绍，今年以来夜班线路日均客流同比增长两成，第{n}条线路将在下月开通。</p>" for n in range(5))
EN = "".join(f"<p>The council said on Tuesday that the night buses and the trams would run until {n} am.</p>"
             for n in range(5))


def lang_of(html: str) -> str:
    tree = LexborHTMLParser(html)
    return text_language(tree, tree.body.text(separator="\n").lower().encode())


def test_a_page_says_its_language():
    assert lang_of(f'<html lang="de-DE"><body>{EN}</body></html>') == "de"
    assert lang_of(f'<html lang="zh-CN"><body>{ZH}</body></html>') == "zh"
    assert lang_of(f'<html lang="en"><body>{EN}</body></html>') == "en"


def test_chinese_text_under_a_templates_english_gets_every_languages_rules():
    assert lang_of(f'<html lang="en"><body>{ZH}</body></html>') == ""
    # A few Chinese words in an English article do not make it Chinese.
    assert lang_of(f'<html lang="en"><body>{EN}<p>夜班线路</p></body></html>') == "en"


def test_the_chinese_share_prompt_goes_on_a_page_that_says_english():
    html = f'<!doctype html><html lang="en"><body><main><article>{ZH}<div>分享到：</div></article></main></body></html>'
    result = clean_page(html, "https://news.example.cn/a.html")
    assert "分享到" not in result.html and "夜班线路" in result.html
