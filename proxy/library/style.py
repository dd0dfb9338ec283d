"""The reader's typography, shared by the library pages and the HTML export; and the small
pieces of text every view of an article shows."""
from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone
from html import escape
from urllib.parse import urlsplit

CSS = """
:root{color-scheme:light dark;--bg:#fbfaf7;--fg:#1f1f1c;--muted:#6b6a64;--line:#e2dfd6;--link:#1d4f91;--mark:#fbe7a1}
@media (prefers-color-scheme:dark){:root{--bg:#191a1c;--fg:#e4e2dc;--muted:#9b998f;--line:#33343a;--link:#8fb6f0;--mark:#5b4a12}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:19px/1.65 Charter,"Bitstream Charter","Sitka Text",Cambria,Georgia,serif}
main,.page{max-width:38rem;margin:0 auto;padding:2rem 1.25rem 4rem}
a{color:var(--link)}
h1,h2,h3,h4{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.25}
h1{font-size:2rem;margin:.5rem 0 1rem}
.meta,.site,nav,form,.tags,.pager,footer{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--muted)}
img{max-width:100%;height:auto}
figure{margin:1.5rem 0}
figcaption{font-size:.85em;color:var(--muted)}
blockquote{margin:1.5rem 0;padding-left:1rem;border-left:3px solid var(--line);color:var(--muted)}
pre{overflow:auto;font-size:.85em}
table{border-collapse:collapse}td,th{border:1px solid var(--line);padding:.25rem .5rem}
mark{background:var(--mark);color:inherit}
hr{border:0;border-top:1px solid var(--line);margin:2.5rem 0}
ol.articles{list-style:none;padding:0}
ol.articles li{border-bottom:1px solid var(--line);padding:1rem 0}
ol.articles h2{font-size:1.2rem;margin:0 0 .25rem}
.excerpt{margin:.25rem 0 0;font-size:.95em}
input,select,button{font:inherit}
input[type=search]{width:min(100%,20rem)}
.tags a,.tag{display:inline-block;margin-right:.5rem}
"""


def csp_hash(css: str) -> str:
    """The CSP source that allows exactly this `<style>` block and no other."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode() + "'"


CSS_SOURCE = csp_hash(CSS)


def site_of(article) -> str:
    return article.site_name or (urlsplit(article.url).hostname or "").removeprefix("www.")


def date_of(article) -> str:
    """The published date, else the day it was saved."""
    return article.published or datetime.fromtimestamp(article.saved_at, timezone.utc).date().isoformat()


def meta_line(article) -> str:
    """Byline · site · date · reading time, as escaped HTML."""
    parts = [article.byline, site_of(article), date_of(article), f"{article.reading_minutes} min read"]
    return " · ".join(escape(p) for p in parts if p)


# The export formats (proxy.library.export knows how to write them); here so the service can
# check a format without loading lxml.
EXPORT_FORMATS = ("html", "md", "epub")
