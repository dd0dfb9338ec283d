"""The seed page (../shared/seed/rt-secret-talks.html) and what its README says a cleaned
page must show, shared by the engine's, the reader's, the proxy's and the browser's tests."""
from __future__ import annotations

import re

from support.pagetext import broken_uses, visible_text
from support.paths import SEED_DIR

SEED_FILE = SEED_DIR / "rt-secret-talks.html"
SEED_BYTES = SEED_FILE.read_bytes()
SEED_PATH = "/news/467009-us-venezuela-secret-talks/"
SEED_URL = f"https://www.rt.com{SEED_PATH}"

HEADLINE = "Once more with feeling? US holds ‘secret’ talks with Venezuela officials"
SUMMARY = ("Faced with eight months of failed regime-change efforts, the US is trying to achieve its goals "
           "in Venezuela by holding secret talks with members of the government in Caracas, to the dismay "
           "of hawks and US-backed opposition.")
COVER = "https://cdni.rt.com/files/2019.08/article/5d5d8a0e85f54015b4588b52.jpg"
NOTICE = [
    "Dear readers and commenters,",
    "We have implemented a new engine for our comment section.",
    "Unfortunately, the comments made before the change have been lost due to a technical problem.",
    "you are invited to create a new profile with the new commenting system.",
    "Sorry for the inconvenience, and looking forward to your future comments,",
    "RT Team.",
]


def seed_paragraphs() -> list[str]:
    """The 12 article paragraphs of the seed page, as the scraped seed text has them."""
    lines = [ln.strip() for ln in (SEED_DIR / "rt-secret-talks.scraped.txt").read_text().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Following news reports"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Washington now appears"))
    return [ln for ln in lines[start:end + 1] if not ln.startswith("Also on rt.com")]


def assert_seed_clean(original: str, cleaned: str) -> None:
    """Every point of "What a cleaned page must show — through the proxy"."""
    before, after = visible_text(original), visible_text(cleaned)
    labels = re.findall(r"<title>(icon[^<]*)</title>", original)
    assert len(labels) == 47 and all(label in before for label in labels)
    for label in labels:
        assert label not in after, f"sprite label {label!r} still visible"
    assert "icon " not in after
    for gone in ["Like this story? Share it with a friend!", "Also on rt.com",
                 "Maduro uses Venezuelan Independence Day to call for dialogue", *NOTICE]:
        assert gone in before
        assert gone not in after, f"{gone!r} still visible"
    assert before.count(HEADLINE) == 2 and after.count(HEADLINE) == 1
    assert SUMMARY in after
    paragraphs = seed_paragraphs()
    assert len(paragraphs) == 12
    for p in paragraphs:
        assert p in after, f"paragraph lost: {p[:60]}"
    assert "5d5d8a0e85f54015b4588b52.jpg" in cleaned  # cover image
    for kept in ["World News", "Russia", "Business", "Op-ed", "Trends", "Venezuela crisis", "US sanctions",
                 "All rights reserved."]:
        assert kept in after, f"{kept!r} lost"
    for label in ["Search", "Facebook", "Twitter", "Telegram"]:
        assert f'aria-label="{label}"' in cleaned
    assert cleaned.count("<use") >= 4  # header search + footer icons are still drawn
    assert broken_uses(cleaned) == []
    assert cleaned.lstrip().lower().startswith("<!doctype html>")
    assert "window.SPOTIM" in cleaned and "application/ld+json" in cleaned  # scripts and head untouched
