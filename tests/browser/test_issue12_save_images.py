"""Issue 12, item 15: "image download failures when saving are only in the proxy's log". Saved
from the popup, a copy whose image the service could not fetch says so to the person who
saved it, and the log it points to says why. Headless Chromium with the extension, paired
with the real `quietpage run` (see support.pairedrig)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from support.extensionrig import LoadedExtension
from support.pages import ARTICLE_EN, article_page
from support.pairedrig import own_quietpage, paired_extension

HOST = "www.harbour-news.example"
PATH = "/2024/03/05/tram-line.html"
URL = f"https://{HOST}{PATH}"
IMAGE_PATH = "/img/tram-cover.png"  # the upstream has no such file


@pytest.fixture(scope="module")
def quiet(upstream, tmp_path_factory):
    """`quietpage run` of this module's own: its service saves what the popup sends."""
    # The cover image on 127.0.0.1: the service refuses to fetch it (an address on this
    # machine), as it would refuse any image it cannot have.
    page = article_page(ARTICLE_EN, site="Harbour News", published="2024-03-05T09:00:00Z",
                        image=upstream.base + IMAGE_PATH)
    upstream.put(PATH, page.encode(), content_type="text/html; charset=utf-8")
    data = tmp_path_factory.mktemp("save-images-data")
    with own_quietpage(upstream, data, "save images tests") as (running, api):
        yield running, api, data


@pytest.fixture(scope="module")
def ext(quiet, tmp_path_factory) -> LoadedExtension:
    proxy, _, data = quiet
    with paired_extension(proxy, data, tmp_path_factory.mktemp("save-images-browser"), hosts=(HOST,)) as loaded:
        yield loaded


def test_saving_from_the_popup_says_which_images_the_copy_lacks(ext, quiet, upstream):
    proxy, api, _ = quiet
    page = ext.context.new_page()
    response = page.goto(URL, wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    popup = ext.popup(ext.tab_id(URL))
    try:
        offset = proxy.log_size()
        popup.get_by_role("button", name="Save reading copy").click()
        result = popup.locator("#action-result")
        expect(result).to_contain_text("Saved “Tram line to the harbour”.", timeout=20_000)
        expect(result).to_contain_text("Its image could not be fetched, so the copy has none "
                                       "(QuietPage's log says why).")
        expect(result.get_by_role("link", name="Open it in the library")).to_be_visible()
        # The log the popup points to names the image and the reason.
        line = proxy.wait_for_log("image not kept", after=offset)
        assert IMAGE_PATH in line and "loopback" in line, line
        saved = api.call("GET", "/api/articles").body["articles"]
        assert [a["title"] for a in saved] == ["Tram line to the harbour"]
    finally:
        popup.close()
        page.close()
