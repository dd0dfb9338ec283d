"""Issue 13, acceptance 6: the popup still credits each removal to the rule whose switch
brings it back. A German article whose share bar is named by nothing in its markup (a
class like "xk-7"), so only the links rule (share-prompts.share-bars) can find it by where
its links go; loaded in headless Chromium through the real `quietpage run`, with the
extension paired, and switched from the popup."""
from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect
from selectolax.lexbor import LexborHTMLParser

from support.extensionrig import LoadedExtension
from support.pages import article_page
from support.pagetext import visible_text
from support.pairedrig import own_quietpage, paired_extension

HOST = "www.rheinblatt.example"
SITE = "rheinblatt.example"  # what the popup writes a switch for: the host without "www."
PATH = "/lokales/2024/05/14/strassenbahn-zum-hafen.html"
URL = f"https://{HOST}{PATH}"
SHARE_BARS = ("share-prompts.share-bars", "Share bars, found by where their links go")  # the title as in rules/

TITLE = "Die Straßenbahn fährt bald bis zum Hafen"
ARTICLE_DE = [
    "Der Stadtrat hat am Dienstag beschlossen, die Straßenbahnlinie bis zum Hafen zu verlängern, "
    "ein Vorhaben, das erstmals 1998 vorgeschlagen wurde.",
    "Die Bauarbeiten sollen im kommenden Frühjahr beginnen und etwa drei Jahre dauern, teilte das Verkehrsamt mit.",
    "Die Bewohner des Hafenviertels fordern seit Jahrzehnten eine Straßenbahn; viele kamen zur Sitzung, "
    "um die Abstimmung zu verfolgen.",
    "Die Kosten werden auf 240 Millionen Euro geschätzt, etwa die Hälfte davon zahlt das Land.",
    "Gegner meinen, das Geld wäre für Busse besser ausgegeben, die für denselben Preis mehr Straßen bedienen.",
]
SHARE_HREFS = [
    "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fwww.rheinblatt.example%2Flokales%2F",
    "https://twitter.com/intent/tweet?url=https%3A%2F%2Fwww.rheinblatt.example%2Flokales%2F",
    "https://api.whatsapp.com/send?text=https%3A%2F%2Fwww.rheinblatt.example%2Flokales%2F",
]
# Nothing in the bar's class or id says share, social or follow: only its links' addresses do.
BAR = ('<div class="xk-7"><span>Teilen:</span> '
       f'<a href="{SHARE_HREFS[0]}">Facebook</a> <a href="{SHARE_HREFS[1]}">X</a> '
       f'<a href="{SHARE_HREFS[2]}">WhatsApp</a></div>')
BAR_TEXT = "Teilen: Facebook X WhatsApp"
PAGE = article_page(ARTICLE_DE, title=TITLE, lang="de", middle=BAR)

# The popup's list of removals as a person reads it: per rule, its name, its count and the
# rules its "Also taken by" note names.
REMOVED_JS = """() => [...document.querySelectorAll('#removed > li:not(.quiet)')].map(li => ({
  rule: li.firstElementChild.textContent.trim(),
  count: (li.querySelector(':scope > .count')?.textContent ?? '').trim(),
  also: [...li.querySelectorAll(':scope > .also > .rule-title')].map(s => s.textContent.replace(/^, /, '')),
}))"""
SHARE_LINKS_JS = "() => [...document.querySelectorAll('main a')].map(a => a.href)"


@pytest.fixture(scope="module")
def quiet(upstream, tmp_path_factory):
    """`quietpage run` of this module's own serving the page, the tests' API client, its data dir."""
    upstream.put(PATH, PAGE.encode(), content_type="text/html; charset=utf-8")
    data = tmp_path_factory.mktemp("credits-data")
    with own_quietpage(upstream, data, "credits tests") as (running, api):
        yield running, api, data


@pytest.fixture(scope="module")
def ext(quiet, tmp_path_factory) -> LoadedExtension:
    proxy, _, data = quiet
    with paired_extension(proxy, data, tmp_path_factory.mktemp("credits-browser"), hosts=(HOST,)) as loaded:
        yield loaded


# --- what the page shows ----------------------------------------------------------------------

def load(page: Page, reload: bool = False) -> str:
    """The page through the proxy (first load or reload); its visible text."""
    response = page.reload(wait_until="domcontentloaded") if reload else page.goto(URL, wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    return visible_text(page.content())


def assert_article_stays(text: str) -> None:
    for paragraph in [TITLE, *ARTICLE_DE]:
        assert paragraph in text, f"the article lost {paragraph[:50]!r}…"


def assert_bar_gone(page: Page, text: str) -> None:
    assert "Teilen" not in text and "Facebook" not in text and "WhatsApp" not in text, text
    assert page.evaluate(SHARE_LINKS_JS) == []


def assert_bar_back(page: Page, text: str) -> None:
    assert BAR_TEXT in text, text
    assert page.evaluate(SHARE_LINKS_JS) == SHARE_HREFS


# --- what the popup shows and does --------------------------------------------------------------

def removals(popup: Page) -> list[dict]:
    """The popup's removals, once it shows the last load's report."""
    popup.reload()
    popup.wait_for_selector("body[data-ready=true]", timeout=15_000)
    return popup.evaluate(REMOVED_JS)


def flip(popup: Page, title: str, on: bool) -> None:
    """The rule's "on here" switch in the popup, set to `on`; returns once the service has it."""
    control = popup.get_by_role("switch", name=title, exact=True, include_hidden=True)
    control.locator("xpath=ancestor::details[1]").evaluate("d => d.open = true")  # a folded pack's switches
    expect(control).to_be_checked(checked=not on)
    control.click()
    popup.wait_for_selector('body[data-pending="0"]', timeout=10_000)
    expect(control).to_be_checked(checked=on)


def test_the_popup_credits_a_share_bar_found_by_its_links_to_the_switch_that_brings_it_back(ext, quiet, upstream):
    _, api, _ = quiet
    # As the site sends it: German, the bar in the article, no name of it says share.
    original = visible_text(urllib.request.urlopen(upstream.base + PATH, timeout=10).read())
    assert BAR_TEXT in original
    assert_article_stays(original)
    tree = LexborHTMLParser(PAGE)
    assert tree.css_first("html").attributes["lang"] == "de"
    names = " ".join(f"{n.attributes.get('class') or ''} {n.attributes.get('id') or ''}" for n in tree.css("body *"))
    assert not re.search(r"share|shar|social|sns|follow|teil", names, re.I), names

    titles = {r["id"]: r["title"] for p in api.call("GET", f"/api/rules?site={HOST}").body["packs"] for r in p["rules"]}
    assert titles[SHARE_BARS[0]] == SHARE_BARS[1]
    page = ext.context.new_page()
    text = load(page)
    tab = ext.tab_id(URL)
    popup = ext.popup(tab)
    switched: list[str] = []
    try:
        # Cleaned: the bar's text and links are gone, the article is whole.
        assert_bar_gone(page, text)
        assert_article_stays(text)
        report = api.call("GET", f"/api/page-report?url={URL}").body
        assert report["removed"] == {SHARE_BARS[0]: 1}, report
        others = report.get("also", {}).get(SHARE_BARS[0], [])

        # The popup credits the bar to the links rule, by its title, with its count, and its
        # note names every other rule that took the bar (or a part of it).
        shown = popup.evaluate(REMOVED_JS)
        assert shown == [{"rule": SHARE_BARS[1], "count": "— 1 removed", "also": [titles[o] for o in others]}], shown
        expect(popup.locator("#state")).to_contain_text("This page was cleaned: 1 element removed.")
        item = popup.locator("#removed > li", has_text=SHARE_BARS[1])
        if others:
            many = "another rule" if len(others) == 1 else f"{len(others)} other rules"
            expect(item).to_contain_text(f"Also taken by {many}; switch those off too to bring it back")
        else:
            expect(item.locator(".also")).to_have_count(0)
        expect(popup.get_by_role("switch", name=SHARE_BARS[1], exact=True)).to_be_checked()

        if others:
            # What the note warns of: the links rule off alone leaves the bar to the others,
            # and the popup now credits one of them.
            flip(popup, SHARE_BARS[1], on=False)
            switched.append(SHARE_BARS[0])
            text = load(page, reload=True)
            assert BAR_TEXT not in text
            assert_article_stays(text)
            shown = removals(popup)
            assert shown and all(r["rule"] in {titles[o] for o in others} for r in shown), shown
            flip(popup, SHARE_BARS[1], on=True)
            # The others off for the site: the links rule alone takes the bar, with no note.
            for other in others:
                flip(popup, titles[other], on=False)
                switched.append(other)
                assert api.rule(other, HOST)["enabled_here"] is False
            text = load(page, reload=True)
            assert_bar_gone(page, text)
            assert removals(popup) == [{"rule": SHARE_BARS[1], "count": "— 1 removed", "also": []}]

        # The links rule off for this site, from the popup: on reload the bar is back, whole,
        # and the article with it; nothing else took it.
        flip(popup, SHARE_BARS[1], on=False)
        switched.append(SHARE_BARS[0])
        expect(popup.get_by_role("button", name="Reload the page")).to_be_visible()
        assert api.rule(SHARE_BARS[0], HOST)["enabled_here"] is False
        assert api.rule(SHARE_BARS[0], "www.example-zeitung.de")["enabled_here"] is True  # only on this site
        with page.expect_event("load"):
            popup.get_by_role("button", name="Reload the page").click()
        text = visible_text(page.content())
        assert_bar_back(page, text)
        assert_article_stays(text)
        assert removals(popup) == []
        expect(popup.locator("#removed")).to_have_text("Nothing.")

        # On again: gone again, credited to it again.
        flip(popup, SHARE_BARS[1], on=True)
        assert api.rule(SHARE_BARS[0], HOST)["enabled_here"] is True
        text = load(page, reload=True)
        assert_bar_gone(page, text)
        assert_article_stays(text)
        assert [(r["rule"], r["count"]) for r in removals(popup)] == [(SHARE_BARS[1], "— 1 removed")]
    finally:
        for rule_id in dict.fromkeys(switched):
            api.call("PUT", f"/api/rules/{rule_id}", {"enabled": True, "site": SITE})
        page.close()
        popup.close()
