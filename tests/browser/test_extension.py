"""The companion extension in Debian's headless Chromium, with the real `quietpage run`
behind it and the seed page served through the proxy: pairing, the popup's report and
switches, the pause, the picker, saving a reading copy, trouble said in words, keyboard use.
The tests also take the screenshots in docs/. (The manifest alone: unit/extension/.)"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from support.extensionrig import Api, LoadedExtension, chromium_args, extension_copy
from support.net import free_port
from support.paths import CHROMIUM, DOCS
from support.proxyrig import ProxyProcess, quietpage_run_argv, reroute_env
from support.seed import NOTICE, SEED_PATH
from support.servicerig import cli, make_token

SEED_URL = f"https://www.rt.com{SEED_PATH}"
SHARE = "Like this story? Share it with a friend!"
TRENDS_HTML = 'class="layout__sidebar trends"'
# On rt.com several rules take the share widgets: the site's widget rule and the generic
# ones that find share bars by their links; the prompt sentence is the generic phrase
# rule's. Titles as in rules/.
SHARE_WIDGETS = ("rt.com.share-widgets", "Share widgets (they repeat the headline)")
SHARE_PHRASES = ("share-prompts.phrases", "“Share this”, “Share it with a friend” and “Follow us” prompts")
SHARE_BARS = ("share-prompts.share-bars", "Share bars, found by where their links go")
SHARE_LINK = ("share-prompts.share-link", 'Single "share on …" links')
FOLLOW_BARS = ("share-prompts.follow-bars", "“Follow us” rows, found by where their links go")
STORY_CARDS = ("related-promos.story-cards", "Promo cards of one of the site's other stories")
NOTICE_RULE = ("rt.com.comments-notice", "Comment-engine notice")
ALSO_ON = ("rt.com.read-more", "“Also on rt.com” promos")
INLINE_LINKS = ("related-promos.inline-links", "“Read more:”, “Related:” and “Also on …” links inside the text")
SPRITES = ("icon-sprites.symbol-labels", "Labels of hidden icon sprite sheets")

VISIBLE_TEXT_JS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, noscript, template').forEach(n => n.remove());
  return body.textContent.replace(/\\s+/g, ' ');
}"""


@pytest.fixture(scope="module")
def quiet(upstream, tmp_path_factory):
    """`quietpage run` of this module's own (fresh data dir), and the tests' API client."""
    data = tmp_path_factory.mktemp("extension-data")
    api_token = make_token(data, "extension tests")
    port, service_port = free_port(), free_port()
    running = ProxyProcess(quietpage_run_argv(port, service_port, data), port, data / "proxy.log",
                           service_port=service_port, env=reroute_env(upstream)).start()
    yield running, Api(service_port, api_token), data
    running.stop()


@pytest.fixture(scope="module")
def browser(quiet, tmp_path_factory):
    proxy, _, _ = quiet
    place = tmp_path_factory.mktemp("extension-browser")
    extension = extension_copy(place)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(place / "profile"), headless=True, executable_path=CHROMIUM, ignore_https_errors=True,
            args=chromium_args(extension, proxy.port, proxy.service_port))
        try:
            yield LoadedExtension(context)
        finally:
            context.close()


@pytest.fixture
def ext(browser, quiet) -> LoadedExtension:
    """The extension paired with a token of its own; every page closed afterwards."""
    proxy, _, data = quiet
    browser.configure(f"http://127.0.0.1:{proxy.service_port}", make_token(data, "extension"))
    yield browser
    for page in browser.context.pages:
        page.close()


def open_seed(ext: LoadedExtension) -> tuple[Page, int]:
    page = ext.context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(SEED_URL, wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    return page, ext.tab_id(SEED_URL)


def visible(page: Page) -> str:
    return page.evaluate(VISIBLE_TEXT_JS)


def switch(popup: Page, name: str):
    return popup.get_by_role("switch", name=name, exact=True)


def settle(popup: Page) -> None:
    """Wait until the popup's changes reached the service and it shows the result."""
    popup.wait_for_selector('body[data-pending="0"]', timeout=10_000)


def flip(popup: Page, name: str) -> None:
    switch(popup, name).click()
    settle(popup)


def reload_through_proxy(page: Page) -> str:
    response = page.reload(wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    return response.text()


# --- pairing --------------------------------------------------------------------------------

def test_pairing_end_to_end(browser, quiet):
    proxy, api, data = quiet
    browser.configure(f"http://127.0.0.1:{proxy.service_port}", None)
    options = browser.open("options.html")
    try:
        expect(options.get_by_role("status").first).to_contain_text("not paired yet")
        options.get_by_role("button", name="Pair this browser").click()
        code = options.locator("#pair-code").inner_text(timeout=10_000).strip()
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
        expect(options.locator("#pairing")).to_contain_text(f"quietpage pair {code}")

        approved = cli("pair", code, "--data-dir", str(data))
        assert approved.returncode == 0, approved.stderr
        expect(options.locator("#pairing")).to_contain_text("Paired.", timeout=10_000)
        expect(options.locator("#status")).to_contain_text("This browser is paired.")
        token = browser.storage().get("token")
        assert token and api.call("GET", "/api/clients", token=token).status == 200
        clients = api.call("GET", "/api/clients").body["clients"]
        # Chromium has a `browser` global too: the extension still knows which browser it is in.
        assert any(c["name"].startswith("QuietPage extension in Chromium") and not c["revoked"] for c in clients)
    finally:
        options.close()


# --- the popup ------------------------------------------------------------------------------

def test_popup_lists_the_rules_that_fired_with_counts(ext, quiet):
    _, api, _ = quiet
    page, tab = open_seed(ext)
    popup = ext.popup(tab)
    state = popup.locator("#state")
    expect(state).to_contain_text("Paired with QuietPage.")
    expect(state).to_contain_text("The service is running")
    expect(state).to_contain_text("This page was cleaned: 52 elements removed.")
    # The rules that fired, by title, with the counts the proxy reported, most first.
    report = api.call("GET", f"/api/page-report?url={SEED_URL}").body
    removed = report["removed"]
    assert removed[SPRITES[0]] == 47 and removed[SHARE_WIDGETS[0]] == 1 and removed[SHARE_BARS[0]] == 1
    titles = {r["id"]: r["title"] for p in api.call("GET", "/api/rules").body["packs"] for r in p["rules"]}
    expected = [f"{titles[rule]} — {n} removed" for rule, n in sorted(removed.items(), key=lambda i: -i[1])]
    lines = [re.sub(r"\s+", " ", t) for t in popup.locator("#removed li").all_inner_texts()]
    assert len(lines) == len(expected) == 6
    assert all(line.startswith(want) for line, want in zip(lines, expected)), (lines, expected)
    # A removal other rules also matched says so: switching this one off alone would not bring it back.
    widgets = next(line for line in lines if line.startswith(f"{SHARE_WIDGETS[1]} — 1 removed"))
    assert "Also taken by 4 other rules" in widgets and SHARE_BARS[1] in widgets
    assert f"{NOTICE_RULE[1]} — 1 removed" in lines
    # Every rule of the site's pack is a switch named by its title, on here.
    for title in (SHARE_WIDGETS[1], NOTICE_RULE[1], "“Also on rt.com” promos", SPRITES[1]):
        expect(switch(popup, title)).to_be_checked()
    DOCS.mkdir(exist_ok=True)
    popup.screenshot(path=str(DOCS / "popup.png"), full_page=True)
    # Packs with nothing to show on this page start folded; a click (or Enter) unfolds them.
    closed = "“Comments are closed” notices"
    expect(switch(popup, closed)).to_be_hidden()
    popup.locator("summary", has_text="Comment-system notices").click()
    expect(switch(popup, closed)).to_be_checked()
    expect(switch(popup, "RT (rt.com)")).to_be_checked()
    expect(switch(popup, "RT (rt.com) everywhere")).to_be_checked()
    expect(switch(popup, "Pause QuietPage on this site")).not_to_be_checked()


def test_switching_the_share_prompt_rules_and_pausing_the_site(ext, quiet):
    _, api, _ = quiet
    page, tab = open_seed(ext)
    assert SHARE not in visible(page)
    popup = ext.popup(tab)
    # The prompt goes with its box of share links: the rule credited with the box, and the
    # other rules the popup names as taking it too, off for rt.com only: the prompt is back.
    takers = (SHARE_BARS, SHARE_WIDGETS, SHARE_PHRASES, SHARE_LINK, FOLLOW_BARS)
    try:
        item = popup.locator("#removed li", has_text=f"{SHARE_BARS[1]} — 1 removed")
        expect(item).to_contain_text("Also taken by 4 other rules")
        for _rule_id, title in takers[1:]:
            expect(item).to_contain_text(title)
        for _rule_id, title in takers:
            flip(popup, title)
            expect(switch(popup, title)).not_to_be_checked()
        expect(popup.get_by_role("button", name="Reload the page")).to_be_visible()
        assert api.rule(SHARE_BARS[0], "www.rt.com")["enabled_here"] is False
        assert api.rule(SHARE_BARS[0], "www.bbc.com")["enabled_here"] is True  # only on rt.com
        with page.expect_event("load"):
            popup.get_by_role("button", name="Reload the page").click()
        assert SHARE in visible(page)

        # On again: gone again.
        for _rule_id, title in takers:
            flip(popup, title)
            expect(switch(popup, title)).to_be_checked()
        reload_through_proxy(page)
        assert SHARE not in visible(page)

        # The site's widget rule off: as the popup said, the generic share-bar rules still
        # take the widgets (and the headline they repeat); the prompt stays gone.
        flip(popup, SHARE_WIDGETS[1])
        expect(switch(popup, SHARE_WIDGETS[1])).not_to_be_checked()
        reload_through_proxy(page)
        text = visible(page)
        assert SHARE not in text and text.count("Once more with feeling?") == 1
        flip(popup, SHARE_WIDGETS[1])

        # Paused: everything is back, byte for byte what the site sent.
        flip(popup, "Pause QuietPage on this site")
        expect(switch(popup, "Pause QuietPage on this site")).to_be_checked()
        html = reload_through_proxy(page)
        text = visible(page)
        for back in [SHARE, "Also on rt.com", NOTICE[0], "icon-bookmark"]:
            assert back in text or back in html, back
        popup.reload()
        expect(popup.locator("#state")).to_contain_text("QuietPage is paused on this site")
        flip(popup, "Pause QuietPage on this site")
        expect(switch(popup, "Pause QuietPage on this site")).not_to_be_checked()
        reload_through_proxy(page)
        assert SHARE not in visible(page) and NOTICE[0] not in visible(page)
    finally:
        for rule_id, _title in takers:
            api.call("PUT", f"/api/rules/{rule_id}", {"enabled": True, "site": "rt.com"})
        api.call("PUT", "/api/sites/rt.com", {"paused": False})


def test_popup_shows_changes_made_elsewhere(ext, quiet):
    _, api, _ = quiet
    _, tab = open_seed(ext)
    popup = ext.popup(tab)
    expect(popup.locator("#live")).to_contain_text("Live", timeout=10_000)
    try:
        assert api.call("PUT", f"/api/rules/{NOTICE_RULE[0]}", {"enabled": False, "site": "rt.com"}).status == 200
        expect(switch(popup, NOTICE_RULE[1])).not_to_be_checked(timeout=5_000)
    finally:
        api.call("PUT", f"/api/rules/{NOTICE_RULE[0]}", {"enabled": True, "site": "rt.com"})
    expect(switch(popup, NOTICE_RULE[1])).to_be_checked(timeout=5_000)


def test_popup_by_keyboard_alone(ext, quiet):
    _, api, _ = quiet
    _, tab = open_seed(ext)
    popup = ext.popup(tab)
    target = switch(popup, NOTICE_RULE[1])
    expect(target).to_be_checked()
    names = []
    try:
        for _ in range(80):
            popup.keyboard.press("Tab")
            focused = popup.evaluate("""() => {
                const e = document.activeElement;
                const name = e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].textContent)
                             || e.textContent;
                return {tag: e.tagName, role: e.getAttribute('role'), name: (name || '').trim()};
            }""")
            assert focused["name"], f"a control without a name: {focused}"
            names.append(focused["name"])
            if focused["role"] == "switch" and focused["name"] == NOTICE_RULE[1]:
                break
        else:
            raise AssertionError(f"never reached the switch; tab stops: {names}")
        assert "Pause QuietPage on this site" in names and "Hide an element…" in names
        popup.keyboard.press("Space")
        settle(popup)
        expect(target).not_to_be_checked()
        expect(target).to_be_focused()  # focus survives the popup's refresh
        assert api.rule(NOTICE_RULE[0], "www.rt.com")["enabled_here"] is False
        popup.keyboard.press("Space")
        settle(popup)
        expect(target).to_be_checked()
        assert api.rule(NOTICE_RULE[0], "www.rt.com")["enabled_here"] is True
    finally:
        api.call("PUT", f"/api/rules/{NOTICE_RULE[0]}", {"enabled": True, "site": "rt.com"})


# --- the picker -----------------------------------------------------------------------------

def test_picker_creates_a_rule_that_removes_the_trends_sidebar(ext, quiet):
    _, api, _ = quiet
    page, tab = open_seed(ext)
    popup = ext.popup(tab)
    popup.get_by_role("button", name="Hide an element…").click()
    expect(popup.locator("#action-result")).to_contain_text("The picker is on the page")
    page.bring_to_front()
    picker = page.get_by_role("dialog", name="QuietPage: hide an element")
    expect(picker).to_be_visible()
    page.locator("h3.trends__title").click()
    expect(picker.get_by_label("Selector")).to_have_text("h3.trends__title")
    page.keyboard.press("ArrowUp")  # widen to the sidebar
    expect(picker.get_by_label("Selector")).to_have_text("aside.trends")
    expect(picker).to_contain_text("Matches 1 element on this page.")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "picker.png"))
    picker.get_by_label("Rule title").fill("Trends sidebar")
    rule_id = None
    try:
        picker.get_by_role("button", name="Create rule").click()
        expect(page.locator("aside.trends")).to_be_hidden()  # at once
        expect(picker).to_have_count(0)
        rules = [r for p in api.call("GET", "/api/rules?site=www.rt.com").body["packs"] for r in p["rules"] if r["user"]]
        assert [(r["title"], r["selectors"], r["scope"]["include"]) for r in rules] == [
            ("Trends sidebar", ["aside.trends"], ["rt.com"])]
        rule_id = rules[0]["id"]
        html = reload_through_proxy(page)
        assert TRENDS_HTML not in html and "Venezuela crisis" not in html
        assert "Washington now appears to be in a hurry" in html
        popup.reload()
        expect(popup.locator("#removed")).to_contain_text("Trends sidebar — 1 removed")
        expect(switch(popup, "Trends sidebar")).to_be_checked()
    finally:
        if rule_id:
            api.call("DELETE", f"/api/rules/{rule_id}")
    assert TRENDS_HTML in reload_through_proxy(page)


def test_picker_escape_leaves_no_trace(ext):
    page, tab = open_seed(ext)
    before = page.evaluate("() => document.documentElement.outerHTML")
    popup = ext.popup(tab)
    popup.get_by_role("button", name="Hide an element…").click()
    page.bring_to_front()
    picker = page.get_by_role("dialog", name="QuietPage: hide an element")
    expect(picker).to_be_visible()
    page.mouse.move(200, 300)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    expect(picker).to_have_count(0)
    assert page.evaluate("() => document.documentElement.outerHTML") == before
    page.locator("h3.trends__title").click()  # the page's own clicks work again
    assert page.url == SEED_URL


# --- reading copy ---------------------------------------------------------------------------

def test_save_reading_copy_says_what_the_service_answered(ext, quiet):
    _, api, _ = quiet
    _, tab = open_seed(ext)
    popup = ext.popup(tab)
    popup.get_by_role("button", name="Save reading copy").click()
    result = popup.locator("#action-result")
    library_built = "/api/articles" in api.call("GET", "/api/openapi.json").body["paths"]
    if library_built:
        expect(result).to_contain_text("Saved “", timeout=20_000)
        expect(result.get_by_role("link", name="Open it in the library")).to_be_visible()
    else:
        # Issue 5's library is not there yet: the popup says so, and claims no success.
        expect(result).to_contain_text("Not saved: this QuietPage service has no reading-copy library yet")
        expect(result).to_contain_text("404")
        expect(result).not_to_contain_text("Saved “")


# --- trouble in words -----------------------------------------------------------------------

def test_popup_when_the_service_is_stopped(ext, quiet):
    proxy, _, _ = quiet
    _, tab = open_seed(ext)
    proxy.stop()
    try:
        popup = ext.popup(tab)
        problem = popup.get_by_role("alert")
        expect(problem).to_contain_text("QuietPage's service is not answering")
        expect(problem).to_contain_text("Start it with quietpage run")
        expect(popup.locator("#state")).to_contain_text("The service is not running.")
        expect(popup.get_by_role("button", name="Hide an element…")).to_be_disabled()
    finally:
        proxy.start()
    # Back: "Try again" brings the popup round, unless its live channel saw the service
    # come back first and refreshed it already (then the button is gone).
    try:
        popup.get_by_role("button", name="Try again").click(timeout=2_000)
    except PlaywrightTimeout:
        expect(popup.get_by_role("button", name="Try again")).to_have_count(0)
    expect(popup.locator("#state")).to_contain_text("The service is running")
    expect(popup.get_by_role("alert")).to_be_hidden()


def test_popup_when_the_token_was_revoked(ext, quiet):
    _, api, _ = quiet
    _, tab = open_seed(ext)
    token = ext.storage()["token"]
    me = next(c for c in api.call("GET", "/api/clients", token=token).body["clients"] if c["current"])
    assert api.call("DELETE", f"/api/clients/{me['id']}").status == 200
    popup = ext.popup(tab)
    problem = popup.get_by_role("alert")
    expect(problem).to_contain_text("no longer accepts this browser's token")
    expect(problem).to_contain_text("Pair again")
    expect(problem.get_by_role("button", name="Open Options")).to_be_visible()


def test_popup_for_a_page_the_proxy_has_not_cleaned(ext, quiet):
    page = ext.context.new_page()
    page.goto("https://www.rt.com/not-through-quietpage/")  # the upstream's 404: nothing cleaned
    popup = ext.popup(ext.tab_id("https://www.rt.com/not-through-quietpage/"))
    expect(popup.locator("#state")).to_contain_text("QuietPage has not cleaned this page since it started")
    expect(popup.locator("#state")).to_contain_text("not going through QuietPage's proxy")


# --- options: routing -----------------------------------------------------------------------

def test_routing_switch_is_off_by_default_and_the_check_says_what_it_found(ext):
    options = ext.open("options.html")
    options.set_viewport_size({"width": 900, "height": 1100})
    expect(options.locator("#status")).to_contain_text("This browser is paired.")
    route = options.get_by_role("switch", name="Send this browser's traffic through QuietPage", exact=True)
    expect(route).not_to_be_checked()
    expect(options.get_by_label("Proxy address")).to_have_value("127.0.0.1:8080")
    # This browser was started with --proxy-server pointing at QuietPage: the check sees a proxy answer.
    options.get_by_role("button", name="Check that it works").click()
    expect(options.locator("#route-result")).to_contain_text("This browser's traffic goes through QuietPage's proxy.")
    options.get_by_text("HTTPS pages need QuietPage's certificate").click()
    expect(options.get_by_text("quietpage ca", exact=True)).to_be_visible()
    DOCS.mkdir(exist_ok=True)
    options.screenshot(path=str(DOCS / "options.png"), full_page=True)
    # Nobody can answer the browser's permission prompt here: the switch must not claim it is on.
    route.click()
    expect(options.locator("#route-result")).to_contain_text("Routing stays off", timeout=10_000)
    expect(route).not_to_be_checked()
    assert ext.storage().get("proxyEnabled") in (None, False)


# --- adblock lists --------------------------------------------------------------------------

def test_a_list_rule_that_fired_is_a_switch_and_off_for_the_site_it_stays_off(ext, quiet):
    """Acceptance 4 of issue 7: a rule from an imported list switched off for one site from
    the extension, and the next load obeys it."""
    _, api, _ = quiet
    r = api.call("POST", "/api/lists", {"name": "mini", "text": "! Title: Mini list\n##.trends\nrt.com##.read-more\n"})
    assert r.status == 201, r.body
    try:
        page, tab = open_seed(ext)
        expect(page.locator("aside.trends")).to_have_count(0)
        popup = ext.popup(tab)
        # The generic list rule that fired, titled with its filter line, with a real switch.
        expect(popup.locator("#removed")).to_contain_text("##.trends — 1 removed")
        expect(switch(popup, "##.trends")).to_be_checked()
        expect(switch(popup, "Mini list")).to_be_checked()  # the list is a pack with its switches
        expect(switch(popup, "Mini list everywhere")).to_be_checked()
        expect(popup.locator("summary", has_text="Mini list")).to_contain_text("adblock list of 2 rules")

        flip(popup, "##.trends")
        expect(switch(popup, "##.trends")).not_to_be_checked()
        assert api.rule("mini.2", "www.rt.com")["enabled_here"] is False
        assert api.rule("mini.2", "www.bbc.com")["enabled_here"] is True  # only on rt.com
        html = reload_through_proxy(page)
        assert TRENDS_HTML in html
        expect(page.locator("aside.trends")).to_be_visible()
        popup.reload()
        popup.wait_for_selector("body[data-ready=true]")
        expect(switch(popup, "##.trends")).not_to_be_checked()  # still listed: it has a switch set
    finally:
        api.call("DELETE", "/api/lists/mini")


def test_the_popup_names_every_rule_that_took_a_removal(ext, quiet):
    """Issue 12, item 13: rt.com's "Also on" promo is taken by the site's rule and by the
    generic inline-links and story-cards rules; the popup says so, and all three switched
    off bring it back."""
    _, api, _ = quiet
    page, tab = open_seed(ext)
    assert "Also on rt.com" not in visible(page)
    popup = ext.popup(tab)
    item = popup.locator("#removed li", has_text=ALSO_ON[1])
    expect(item).to_contain_text("Also taken by 2 other rules; switch those off too to bring it back")
    expect(item).to_contain_text(INLINE_LINKS[1])
    expect(item).to_contain_text(STORY_CARDS[1])
    try:
        flip(popup, ALSO_ON[1])
        reload_through_proxy(page)
        assert "Also on rt.com" not in visible(page)  # the other rule took it, as the popup said
        popup.reload()
        popup.wait_for_selector("body[data-ready=true]")
        popup.locator("details", has_text="Inline “Read more” and “Also on” promos").first.evaluate("d => d.open = true")
        flip(popup, INLINE_LINKS[1])
        reload_through_proxy(page)
        assert "Also on rt.com" not in visible(page)  # nor this one: the third rule took it
        popup.reload()
        popup.wait_for_selector("body[data-ready=true]")
        popup.locator("details", has_text="Inline “Read more” and “Also on” promos").first.evaluate("d => d.open = true")
        flip(popup, STORY_CARDS[1])
        reload_through_proxy(page)
        assert "Also on rt.com" in visible(page)
    finally:
        for rule_id, _title in (ALSO_ON, INLINE_LINKS, STORY_CARDS):
            api.call("PUT", f"/api/rules/{rule_id}", {"enabled": True, "site": "rt.com"})


def test_a_long_filter_is_shown_whole_and_wraps_inside_the_popup(ext, quiet):
    """Issue 12, item 15: a list rule is named by its whole filter, however long, and the
    popup keeps its width."""
    _, api, _ = quiet
    long_filter = "rt.com##aside.trends" + "".join(f":not(.never-{i:03d})" for i in range(40))
    assert len(long_filter) > 600
    r = api.call("POST", "/api/lists", {"name": "long", "text": f"! Title: Long filters\n{long_filter}\n"})
    assert r.status == 201, r.body
    try:
        page, tab = open_seed(ext)
        popup = ext.popup(tab)
        removed = popup.locator("#removed code.filter", has_text="never-039")
        expect(removed).to_have_text(long_filter)
        popup.screenshot(path=str(DOCS / "popup-long-filter.png"))
        wide = popup.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert not wide, wide
    finally:
        api.call("DELETE", "/api/lists/long")
