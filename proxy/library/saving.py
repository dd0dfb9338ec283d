"""Saving a reading copy: the one workflow behind `quietpage save` and POST /api/articles.

Check the address, fetch the page (unless its HTML came along), make the copy with the
rules in force, refuse a page without article text, then store it with its tags.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from proxy.engine.prepare import PageRefused
from proxy.errors import AddressRefused, FetchFailed, InvalidInput
from proxy.library.copies import PreparedCopy, page_url_problem, prepare_copy
from proxy.library.extraction import ExtractionTimeout
from proxy.library.fetch import FetchError, Fetcher, FetchRefused
from proxy.library.store import Article, save_article
from proxy.rules import RuleSet
from proxy.store import StoreJobs


@dataclass(frozen=True)
class SavedCopy:
    article: Article
    created: bool  # False: it updated the copy of the same canonical URL
    prepared: PreparedCopy


async def save_reading_copy(url: str, html: str | bytes | None, tags: list[str], rules: RuleSet, run: StoreJobs,
                            allow_private_fetch: bool = False,
                            progress: Callable[[int, int], None] | None = None) -> SavedCopy:
    """Save the page at `url` (fetched, or `html` as given) with `tags` (normalized); `run`
    runs the store job where its caller keeps the store."""
    problem = page_url_problem(url)
    if problem:
        raise InvalidInput(f"url: {problem}", field="url")
    try:
        async with Fetcher(allow_private_fetch) as fetcher:
            prepared = await prepare_copy(url, html, fetcher, rules, progress)
    except FetchRefused as exc:
        raise AddressRefused(f"not fetched: {exc}", field="url") from None
    except (FetchError, PageRefused, ExtractionTimeout) as exc:
        raise FetchFailed(f"nothing saved: {exc}", field="url") from None
    if not prepared.copy.text.strip():
        raise FetchFailed("nothing saved: no article text was found on the page", field="url")
    article, created = await run(save_article, prepared, tags)
    return SavedCopy(article, created, prepared)
