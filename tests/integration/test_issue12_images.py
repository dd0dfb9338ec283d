"""Issue 12, item 15: "image download failures when saving are only in the proxy's log".
`quietpage save` now tells the person which of the article's images the copy is saved
without, and the library's reason for each; a copy whose images were all stored says
nothing more. (The popup's side: tests/browser/test_issue12_save_images.py.)"""
from __future__ import annotations

import pytest

from support.pages import ARTICLE_EN, COVER_PATH, article_page
from support.newcomer import quietpage, shell_env

GONE_PATH = "/img/taken-down.png"
PRIVATE_FETCH = "QUIETPAGE_TEST_ALLOW_PRIVATE_FETCH"  # tests only: the site is on 127.0.0.1


def story(image: str) -> str:
    """The tram story as a CMS writes it, its cover image (og:image) at `image`."""
    return article_page(ARTICLE_EN, site="Harbour News", published="2024-03-05T09:00:00Z", image=image)


def save(tmp_path, article_site, image: str, *, private_fetch: bool):
    page = tmp_path / "story.html"
    page.write_text(story(image), encoding="utf-8")
    (tmp_path / "home").mkdir()
    env = shell_env(tmp_path / "home")
    env.pop(PRIVATE_FETCH, None)
    if private_fetch:
        env[PRIVATE_FETCH] = "1"
    return quietpage("save", str(page), "--url", f"{article_site.base}/tram.html", "--data-dir", str(tmp_path / "D"),
                     env=env)


@pytest.mark.parametrize("private_fetch, why", [
    (True, "answered 404"),  # the site no longer has it
    (False, "loopback"),  # refused: an address on this machine (the tests' site is on 127.0.0.1)
])
def test_save_names_the_image_it_could_not_store_and_why(tmp_path, article_site, private_fetch, why):
    image = f"{article_site.base}{GONE_PATH if private_fetch else COVER_PATH}"
    done = save(tmp_path, article_site, image, private_fetch=private_fetch)
    assert done.returncode == 0, done.stderr
    assert "0 images stored" in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    at = next((n for n, line in enumerate(lines) if "not stored" in line), None)
    assert at is not None, f"the image that could not be stored is not named:\n{done.stderr}"
    assert lines[at] == "the article's image not stored (the copy is saved without it):", done.stderr
    assert lines[at + 1].strip() == image, done.stderr
    reasons = [line for line in lines[at + 2:] if line.lstrip().startswith("why:")]
    assert reasons and image in reasons[0] and why in reasons[0], done.stderr


def test_save_with_every_image_stored_says_no_more(tmp_path, article_site):
    done = save(tmp_path, article_site, f"{article_site.base}{COVER_PATH}", private_fetch=True)
    assert done.returncode == 0, done.stderr
    assert "1 images stored" in done.stderr, done.stderr
    assert "not stored" not in done.stderr and "why:" not in done.stderr, done.stderr
