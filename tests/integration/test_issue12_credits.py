"""Issue 12, item 13 (and issue 13, acceptance 6), for every removal of several pages rather
than the two the browser tests click through: "Switching off what the popup shows must bring
the element back, or the popup shows every rule that would take it." The popup shows a page
report's `removed` rule with the rules of its `also`; here, for each rule a page's report
credits, those rules are switched off for the site through the service (as the popup does),
the page is loaded again through the real `quietpage run`, and what that rule took is back:
no rule the popup did not name takes it over, and the page shows more than before.

(The popup's rendering of the same report: tests/browser/test_extension.py,
test_the_popup_names_every_rule_that_took_a_removal, and
tests/browser/test_popup_credits_markup.py.)"""
from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import pytest

from support.extensionrig import Api
from support.pages import (ARTICLE_EN, ARTICLE_FR, ARTICLE_JA, ARTICLE_RU, CLUTTER_EN, CLUTTER_FR, CLUTTER_JA,
                           CLUTTER_RU, article_page)
from support.pagetext import visible_text
from support.pairedrig import own_quietpage
from support.proxyrig import ProxyProcess, fetch
from support.seed import SEED_URL

GERMAN_BAR = ('<div class="xk-7"><span>Teilen:</span> '
              '<a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a> '
              '<a href="https://twitter.com/intent/tweet?url=x">X</a> '
              '<a href="https://api.whatsapp.com/send?text=x">WhatsApp</a></div>')
ARTICLE_DE = [
    "Der Stadtrat hat am Dienstag beschlossen, die Straßenbahnlinie bis zum Hafen zu verlängern.",
    "Die Bauarbeiten sollen im kommenden Frühjahr beginnen und etwa drei Jahre dauern, teilte das Verkehrsamt mit.",
    "Die Bewohner des Hafenviertels fordern seit Jahrzehnten eine Straßenbahn.",
    "Die Kosten werden auf 240 Millionen Euro geschätzt, etwa die Hälfte davon zahlt das Land.",
]
# (URL, page or None for the seed the session's upstream serves already)
PAGES = {
    "seed (rt.com)": (SEED_URL, None),
    "de, a share bar found by its links": ("https://www.rheinblatt.example/lokales/tram.html",
                                           article_page(ARTICLE_DE, lang="de", middle=GERMAN_BAR)),
    "en": ("https://www.harbour-gazette.example/2024/tram.html", article_page(ARTICLE_EN, CLUTTER_EN)),
    "fr": ("https://www.gazette-du-port.example/2024/tram.html", article_page(ARTICLE_FR, CLUTTER_FR, lang="fr")),
    "ru": ("https://www.portovye-vesti.example/2024/tram.html", article_page(ARTICLE_RU, CLUTTER_RU, lang="ru")),
    "ja": ("https://www.minato-shimbun.example/2024/tram.html", article_page(ARTICLE_JA, CLUTTER_JA, lang="ja")),
}


@pytest.fixture(scope="module")
def quiet(upstream, tmp_path_factory):
    for url, page in PAGES.values():
        if page is not None:
            upstream.put(urlsplit(url).path, page.encode(), content_type="text/html; charset=utf-8")
    with own_quietpage(upstream, tmp_path_factory.mktemp("credits-data"), "credits tests") as (running, api):
        yield running, api


def site_of(url: str) -> str:
    """What the popup writes a switch for: the host without "www."."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


async def load(proxy: ProxyProcess, api: Api, url: str) -> tuple[str, dict]:
    """The page through the proxy, and the report the popup would show for that load."""
    before = api.call("GET", f"/api/page-report?url={url}").body
    page = await fetch(proxy.port, url)
    assert page.status == 200
    deadline = time.monotonic() + 5
    while True:
        report = api.call("GET", f"/api/page-report?url={url}").body
        if report and report.get("at") != (before or {}).get("at"):
            return visible_text(page.body), report
        assert time.monotonic() < deadline, f"no new report for {url}: {report}"
        await asyncio.sleep(0.05)


def switch(api: Api, rules: list[str], site: str, on: bool) -> None:
    for rule_id in rules:
        answer = api.call("PUT", f"/api/rules/{rule_id}", {"enabled": on, "site": site})
        assert answer.status == 200, answer.body


@pytest.mark.parametrize("name", list(PAGES))
async def test_switching_off_what_the_popup_names_brings_each_removal_back(quiet, name):
    proxy, api = quiet
    url, _ = PAGES[name]
    site = site_of(url)
    text, report = await load(proxy, api, url)
    removed, also = report["removed"], report["also"]
    assert removed, f"nothing was removed on {name}: {report}"
    assert set(also) <= set(removed), report
    problems = []
    for rule_id in removed:
        named = [rule_id, *also.get(rule_id, [])]  # what the popup shows for this removal
        switch(api, named, site, on=False)
        try:
            text_off, report_off = await load(proxy, api, url)
        finally:
            switch(api, named, site, on=True)
        # A rule the popup named beside this one may be credited with removals of its own; those
        # go to the rules the popup names for them. Any other rule that now removes more took
        # over what the popup said would come back.
        expected = {other for named_too in named[1:] if named_too in removed for other in also.get(named_too, [])}
        counts_off = report_off["removed"]
        taken_over = {other: (removed.get(other, 0), count) for other, count in counts_off.items()
                      if other not in named and other not in expected and count > removed.get(other, 0)}
        if taken_over:
            problems.append(f"{rule_id} (and {named[1:]}) off: other rules' counts (before, after) {taken_over}")
        if len(text_off) <= len(text):
            problems.append(f"{rule_id} (and {named[1:]}) off: the page shows nothing more")
    assert not problems, f"{name}:\n" + "\n".join(problems)
    # Everything on again: the page as it was cleaned first.
    text_again, report_again = await load(proxy, api, url)
    assert report_again["removed"] == removed and text_again == text
