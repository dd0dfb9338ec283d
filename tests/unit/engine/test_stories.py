"""`story_links`: boxes and cards of the site's other headlines, found by where their links
go and what their text is, whatever they are called; the article, sentences with links,
other sites' links and the site's sidebars stay."""
from __future__ import annotations

from proxy.engine import clean_page
from proxy.rules import RuleSet
from proxy.rules.packs import parse_pack_text
from support.pagetext import visible_text

PACK = """id: stories
title: Story boxes
rules:
  - id: stories.boxes
    title: Boxes
    story_links: 2
    max_text: 3000
  - id: stories.cards
    title: Cards
    story_links: 1
    max_text: 400
"""
URL = "https://www.example-news.com/world/2024/05/14/the-story/"
ARTICLE = "".join(
    f"<p>Paragraph {n} of the article tells what happened in the harbour town during the long night of the storm.</p>"
    for n in range(6))


def rules() -> RuleSet:
    pack, errors = parse_pack_text(PACK, "stories.yaml")
    assert pack is not None, errors
    return RuleSet((pack,))


def clean(body: str):
    html = f"<!doctype html><html lang=en><head><title>t</title></head><body>{body}</body></html>"
    result = clean_page(html, URL, rules())
    return visible_text(result.output_bytes(html.encode()) or html.encode()), result


def headlines(n: int, host: str = "") -> list[tuple[str, str]]:
    return [(f"{host}/world/2024/05/{n + 10}/story-{n}/", f"Flood defences in the valley hold for a {n}th day")
            for n in range(n)]


def box_after(items: str, article: str = ARTICLE) -> str:
    """The article's body, and after it a box of `items` under a "More" heading."""
    return (f'<main><article><div class="body">{article}</div>'
            f'<div class="x9"><h3>More</h3><ul>{items}</ul></div></article></main>')


def listed(links: list[tuple[str, str]]) -> str:
    return "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)


def test_a_box_after_the_article_goes_with_its_kickers_and_counts():
    items = "".join(f'<li><a href="/world/">World</a> <a href="{href}">{text}</a> <a href="{href}#c">12</a></li>'
                    for href, text in headlines(3))
    text, result = clean(box_after(items))
    assert "Flood defences" not in text and result.removed == {"stories.boxes": 1}
    assert text.count("Paragraph") == 6


def test_a_box_in_the_sites_sidebar_stays():
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in headlines(3))
    text, result = clean(f'<main><article><div class="body">{ARTICLE}</div></article>'
                         f'<aside><h3>Most read</h3><ol>{items}</ol></aside></main>')
    assert text.count("Flood defences") == 3 and not result.removed


def test_a_headline_to_another_site_stops_the_box():
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in headlines(2))
    items += '<li><a href="https://elsewhere.example/a/b/">A headline of another newspaper entirely</a></li>'
    text, _ = clean(f'<article><div class="body">{ARTICLE}</div><ul class="x">{items}</ul></article>')
    assert "another newspaper" in text and text.count("Flood defences") == 2


def test_a_teaser_article_goes_and_the_page_article_stays():
    (href, title), = headlines(1)
    text, result = clean(f'<article class="main"><div class="body">{ARTICLE}</div></article>'
                         f'<div class="grid"><article class="t"><a href="{href}"><h3>{title}</h3></a>'
                         f'<span>2 hours ago</span></article></div>')
    assert "Flood defences" not in text and result.removed == {"stories.cards": 1}
    assert text.count("Paragraph") == 6


def test_a_labelled_card_goes_but_a_sentence_with_a_link_stays():
    (href, title), = headlines(1)
    body = (f'<article><div class="body">{ARTICLE[:400]}'
            f'<p>Lire aussi : <a href="{href}">{title}</a></p>'
            f'<p>He was <a href="/world/2023/04/01/arrest/">arrested in April last year</a> for the call.</p>'
            f'{ARTICLE[400:]}</div></article>')
    text, result = clean(body)
    assert "Lire aussi" not in text and "Flood defences" not in text
    assert "He was arrested in April last year for the call." in text
    assert result.removed == {"stories.cards": 1}


def test_the_guard_counts_prose_not_headlines():
    # A short article under a long box of headlines: the box is over 30 % of the page's
    # text, but its text is links, not the article's prose; the guard lets it go.
    short = "".join(f"<p>Paragraph {n} of the article tells what happened in the harbour town during the night.</p>"
                    for n in range(3))
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in headlines(8))
    text, result = clean(f'<main><article><div class="body">{short}</div>'
                         f'<div class="x9"><ul>{items}</ul></div></article></main>')
    assert "Flood defences" not in text and result.removed == {"stories.boxes": 1}
    assert text.count("Paragraph") == 3
    # The same share of prose in what a rule matches is still the article's: skipped.
    pack = PACK + """  - id: stories.notes
    title: Notes
    selectors: [".notes"]
"""
    parsed, errors = parse_pack_text(pack, "stories.yaml")
    assert parsed is not None, errors
    prose = "".join(f"<div>Flood defences in the valley held for day {n}, the engineers said tonight.</div>"
                    for n in range(8))
    html = (f"<!doctype html><html lang=en><body><main><article>{short}"
            f'<div class="notes">{prose}</div></article></main></body></html>')
    result = clean_page(html, URL, RuleSet((parsed,)))
    assert "stories.notes" in result.skipped and "links not counted" in result.skipped["stories.notes"]
    assert not result.removed


def teasers(n: int) -> str:
    return "".join(f'<div class="c{n}"><a href="{href}">{text}</a><p>A summary of story {n}: what the council '
                   f'decided about the flood defences, and what the engineers said of it afterwards.</p></div>'
                   for href, text in headlines(n))


def test_a_list_of_teasers_with_summaries_after_the_article_goes():
    text, result = clean(f'<main><article><div class="body">{ARTICLE}{ARTICLE}</div></article>'
                         f'<section class="q1"><h3>Latest</h3><div class="row">{teasers(4)}</div></section></main>')
    assert "Flood defences" not in text and "A summary of story" not in text
    assert result.removed == {"stories.boxes": 1} and text.count("Paragraph") == 12


def test_linked_headlines_with_a_sentence_each_among_the_articles_paragraphs_stay():
    # A round-up: the article itself is a list of other stories with a sentence each.
    text, result = clean(f'<main><article><div class="body">{ARTICLE}{teasers(4)}{ARTICLE}</div></article></main>')
    assert text.count("Flood defences") == 4 and text.count("A summary of story") == 4


def test_menus_stay_though_their_entries_have_three_words():
    entries = ["News by Neighborhood", "Guide to San Antonio", "Letters to the Editor", "Things To Do Tonight"]
    menu = "".join(f'<li><a href="/{n}/">{e}</a></li>' for n, e in enumerate(entries))
    short = "".join(f'<li><a href="/s{n}/">{e}</a></li>' for n, e in enumerate(["Local", "Texas", "Weather", "Traffic",
                                                                              "Obituaries", "Opinion"]))
    for wrap in ("<nav><ul>{}</ul></nav>", '<div role="navigation"><ul>{}</ul></div>', '<div class="m"><ul>{}</ul></div>'):
        body = wrap.format(menu + short)
        text, result = clean(f'<main><article><div class="body">{ARTICLE}</div></article>{body}</main>')
        assert text.count("News by Neighborhood") == 1 and not result.removed, wrap


def test_an_aside_among_the_articles_paragraphs_is_a_promo_not_a_sidebar():
    links = "".join(f'<a href="{href}">{text}</a> ' for href, text in headlines(3))
    text, result = clean(f'<main><article><div class="body">{ARTICLE}<aside class="em" aria-label="The latest">'
                         f'<div><div>{links}</div></div></aside>{ARTICLE}</div></article></main>')
    assert "Flood defences" not in text and result.removed == {"stories.boxes": 1}
    assert text.count("Paragraph") == 12


def test_names_are_not_headlines_whatever_their_letters():
    names = ["Amanda Hällsten", "Jürgen Rüttgers", "Søren Kierkegård"]
    items = "".join(f'<li><a href="/av/{n}/">{name}</a></li>' for n, name in enumerate(names))
    text, result = clean(f'<main><article><div class="body">{ARTICLE}</div>'
                         f'<div class="authors"><ul>{items}</ul></div></article></main>')
    assert "Amanda Hällsten" in text and not result.removed


def test_a_bar_of_headlines_above_the_article_stays():
    # A ticker or a top bar of the site's headlines comes before the article's first
    # paragraph: the site's furniture, not a promo in or after the article.
    items = "".join(f'<span><a href="{href}">{text}</a></span>' for href, text in headlines(4))
    text, result = clean(f'<div class="ticker">{items}</div><main><article><div class="body">{ARTICLE}</div>'
                         '</article></main>')
    assert text.count("Flood defences") == 4 and not result.removed


def test_paragraphs_each_in_a_wrapper_of_their_own_are_still_the_article():
    wrapped = "".join(f'<div class="text-module">{p}</p></div>' for p in ARTICLE.split("</p>") if p)
    text, result = clean(box_after(listed(headlines(3)), wrapped))
    assert "Flood defences" not in text and result.removed == {"stories.boxes": 1}
    assert text.count("Paragraph") == 6


def test_the_sites_own_pages_under_another_suffix_are_its_stories():
    # bbc.com's article links to bbc.co.uk: the same site under another suffix.
    def elsewhere(host: str) -> str:
        return listed([(f"https://{host}/news/{n}", text) for n, (_href, text) in enumerate(headlines(3))])

    text, result = clean(box_after(elsewhere("www.example-news.co.uk")))
    assert "Flood defences" not in text and result.removed == {"stories.boxes": 1}
    # Another name is another site: its headlines stay.
    text, result = clean(box_after(elsewhere("www.other-paper.co.uk")))
    assert text.count("Flood defences") == 3 and not result.removed


def test_a_paragraph_that_is_only_a_headline_link_among_the_articles_goes():
    (href, headline), = headlines(1)
    lone = f'<p><a href="{href}">{headline}</a></p>'
    sentence = f'<p>Officials said <a href="{href}">{headline}</a> on Monday.</p>'
    elsewhere = f'<p><a href="https://other-paper.org/world/story-9/">{headline} again</a></p>'
    short = '<p><a href="/world/">World news</a></p>'
    half = ARTICLE.index("<p>Paragraph 3")
    article = ARTICLE[:half] + lone + sentence + elsewhere + short + ARTICLE[half:]
    text, result = clean(f'<main><article><div class="body">{article}</div></article></main>')
    assert result.removed == {"stories.cards": 1}
    assert text.count(headline) == 2  # in the sentence, and the other site's link
    assert "Officials said" in text and "World news" in text and text.count("Paragraph") == 6


def test_a_linked_picture_over_a_headline_among_the_articles_paragraphs_goes():
    (href, headline), = headlines(1)
    card = f'<div class="x1"><a href="{href}"><img src="/t.jpg" alt=""><h5>News</h5><h4>{headline}</h4></a></div>'
    photo = '<a href="/photos/2024/05/14/harbour/"><img src="/h.jpg" alt="">Open this photo in the gallery</a>'
    half = ARTICLE.index("<p>Paragraph 3")
    text, result = clean(f'<main><article><div class="body">{ARTICLE[:half]}{card}{photo}{ARTICLE[half:]}'
                         f'</div></article></main>')
    assert headline not in text and result.removed == {"stories.cards": 1}
    assert "Open this photo in the gallery" in text and text.count("Paragraph") == 6


def test_teasers_whose_summaries_are_linked_too_go():
    # Each summary a paragraph that is one link to its story: not the article's prose.
    items = "".join(f'<li><h3><a href="{href}">{text}</a></h3><p><a href="{href}">A summary of story {n}: what the '
                    f'council decided about the flood defences, and what the engineers said.</a></p></li>'
                    for n, (href, text) in enumerate(headlines(3)))
    text, result = clean(f'<main><article><div class="body">{ARTICLE}</div></article>'
                         f'<section class="q1"><h3>More from the newsroom</h3><ul>{items}</ul></section></main>')
    assert "Flood defences" not in text and "A summary of story" not in text
    assert result.removed == {"stories.boxes": 1} and text.count("Paragraph") == 6


def test_a_japanese_articles_short_paragraphs_are_still_its_paragraphs():
    # 45 characters of Japanese say as much as a long line of letters: the article is found,
    # and the box of headlines after it goes.
    article = "".join(f"<p>第{n}段落：嵐のため三日間港に留まっていたフェリーは火曜日に運航を再開したと運航会社が発表した。</p>"
                      for n in range(6))
    items = listed([(href, f"港町の防潮堤が{n}日目も持ちこたえる") for n, (href, _t) in enumerate(headlines(3))])
    text, result = clean(box_after(items, article))
    assert "防潮堤" not in text and result.removed == {"stories.boxes": 1}
    assert text.count("段落") == 6


def test_a_short_sentence_ending_in_a_link_is_not_a_labelled_card():
    sentence = ('<p>As an example, we reuse the silly cow example we used '
                '<a href="/code/2013/testing-the-frontend/">in a previous episode</a>:</p>')
    half = ARTICLE.index("<p>Paragraph 3")
    text, result = clean(f'<main><article><div class="body">{ARTICLE[:half]}{sentence}{ARTICLE[half:]}'
                         f'</div></article></main>')
    assert "we used in a previous episode:" in text and not result.removed


def test_the_articles_byline_stays_and_a_teasers_writer_does_not_stop_its_box():
    byline = ('<div class="byline"><span>By </span><a href="/staff/mikecason/posts.html">Mike Cason | '
              'mcason@al.com</a></div>')
    by_rel = '<p class="by">Par <a rel="author" href="/journalistes/cecile-d/">Cécile Ducourtieux (Bruxelles)</a></p>'
    items = "".join(f'<li><a href="{href}">{text}</a> <a rel="author" href="/people/writer-{n}/">Writer Number {n} | '
                    f'Newsroom</a></li>' for n, (href, text) in enumerate(headlines(3)))
    text, result = clean(f'<main><article><header><h1>Storm</h1>{byline}{by_rel}</header>'
                         f'<div class="body">{ARTICLE}</div><div class="x9"><h3>More</h3><ul>{items}</ul></div>'
                         f'</article></main>')
    assert "By Mike Cason | mcason@al.com" in text and "Par Cécile Ducourtieux (Bruxelles)" in text
    assert "Flood defences" not in text and result.removed == {"stories.boxes": 1}
