"""Reading copies: an article as a reader keeps it.

    copy.py       read_article: clean with the rules, extract (trafilatura), complete
    images.py     the article's pictures, put back where they stand (never changing its text)
    metadata.py   what the page says about itself
    sanitize.py   the allow-list sanitiser and plain text
"""
from proxy.reader.copy import ReadingCopy, extract_main, read_article
from proxy.reader.metadata import PageMetadata, page_metadata
from proxy.reader.sanitize import html_to_text, sanitize_html

__all__ = ["PageMetadata", "ReadingCopy", "extract_main", "html_to_text", "page_metadata", "read_article", "sanitize_html"]
