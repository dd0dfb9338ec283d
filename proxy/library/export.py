"""Taking copies elsewhere: one self-contained HTML file (images inlined as data: URIs),
Markdown (`![alt][image-N]` where each image stands, its caption under it, the data: URIs
as references at the end), and EPUB 3 (images as manifest items).

Pure functions of stored articles and their images: no database, no network. A whole
library goes into one HTML file, one EPUB (a chapter an article), or a zip of Markdown files.
"""
from __future__ import annotations

import base64
import io
import re
import uuid
import zipfile
from datetime import datetime, timezone
from html import escape
from typing import Callable, Sequence

from lxml import etree
from lxml import html as lxml_html

from proxy.library.copies import Image, rewrite_images
from proxy.library.markdown import link_destination, to_markdown
from proxy.library.store import Article
from proxy.library.style import CSS, CSS_SOURCE, date_of, meta_line, site_of

FORMATS = {"html": ("text/html; charset=utf-8", "html"), "md": ("text/markdown; charset=utf-8", "md"),
           "epub": ("application/epub+zip", "epub")}
BULK_TYPES = {"html": "text/html; charset=utf-8", "md": "application/zip", "epub": "application/epub+zip"}
BULK_SUFFIX = {"html": "html", "md": "zip", "epub": "epub"}
# EPUB 3 core media types among the images the library keeps; WebP and AVIF would need fallbacks.
EPUB_IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}

Item = tuple[Article, list[Image]]
Progress = Callable[[int, int, Article], None]


def export(items: Sequence[Item], fmt: str, bulk: bool = False, progress: Progress | None = None) -> bytes:
    """The export of one article (bulk=False: exactly one item) or of many."""
    if fmt == "html":
        return export_html(items, progress).encode("utf-8")
    if fmt == "md":
        if not bulk:
            return article_markdown(*items[0]).encode("utf-8")
        return export_markdown_zip(items, progress)
    if fmt == "epub":
        return export_epub(items, progress)
    raise ValueError(f"unknown export format {fmt!r}; use html, md or epub")


def filename(article: Article | None, fmt: str, bulk: bool = False) -> str:
    if bulk or article is None:
        return f"quietpage-library.{BULK_SUFFIX[fmt]}"
    return f"{slug(article.title)}.{FORMATS[fmt][1]}"


def slug(text: str) -> str:
    words = re.findall(r"\w+", text.lower())
    return "-".join(words)[:60].strip("-") or "article"


def _data_uri(image: Image) -> str:
    return f"data:{image.content_type};base64,{base64.b64encode(image.data).decode('ascii')}"


def _by_url(images: list[Image]) -> dict[str, Image]:
    return {im.url: im for im in images}


def _step(progress: Progress | None, i: int, total: int, article: Article) -> None:
    if progress is not None:
        progress(i, total, article)


# --- HTML -----------------------------------------------------------------------------

def export_html(items: Sequence[Item], progress: Progress | None = None) -> str:
    """One HTML file that needs nothing else: styles inline, images as data: URIs, no script
    (its own Content-Security-Policy forbids any)."""
    sections = []
    for i, (article, images) in enumerate(items, 1):
        stored = _by_url(images)
        body = rewrite_images(article.html or "", lambda src: _data_uri(stored[src]) if src in stored else None)
        sections.append(_article_html(article, body, heading="h1" if len(items) == 1 else "h2"))
        _step(progress, i, len(items), article)
    if len(items) == 1:
        title, lang = items[0][0].title, items[0][0].lang or "en"
        contents = ""
    else:
        title, lang = "QuietPage library", "en"
        links = "".join(f'<li><a href="#article-{a.id}">{escape(a.title)}</a></li>' for a, _ in items)
        contents = f"<h1>QuietPage library</h1><nav><ol>{links}</ol></nav>"
    csp = f"default-src 'none'; img-src data:; style-src {CSS_SOURCE}"
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">'
            f'<meta name="referrer" content="no-referrer">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head>\n"
            f'<body><main>{contents}{"<hr>".join(sections)}</main></body></html>\n')


def _article_html(article: Article, body: str, heading: str = "h1") -> str:
    return (f'<article id="article-{article.id}"><header><{heading}>{escape(article.title)}</{heading}>'
            f'<p class="meta">{meta_line(article)}</p>'
            f'<p class="meta"><a href="{escape(article.url)}" rel="noreferrer noopener">Original at '
            f"{escape(site_of(article))}</a></p></header>\n{body}\n</article>")


# --- Markdown -------------------------------------------------------------------------

def article_markdown(article: Article, images: list[Image]) -> str:
    stored = _by_url(images)
    refs: dict[str, str] = {}

    def image_ref(src: str, alt: str) -> str:
        if src not in stored:
            return f"![{alt}](<{link_destination(src)}>)" if src else ""
        key = refs.setdefault(src, f"image-{len(refs) + 1}")
        return f"![{alt}][{key}]"

    body = to_markdown(article.html or "", image_ref)
    head = [f"# {_md_line(article.title)}", "",
            f"*{_md_line(' · '.join(p for p in (article.byline, site_of(article), date_of(article)) if p))}*", "",
            f"Original: <{link_destination(article.url)}>", ""]
    tail = [f"[{key}]: {_data_uri(stored[src])}" for src, key in refs.items()]
    return "\n".join(head) + "\n" + body + ("\n" + "\n".join(tail) + "\n" if tail else "")


def _md_line(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", re.sub(r"\s+", " ", text)).strip()


def export_markdown_zip(items: Sequence[Item], progress: Progress | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (article, images) in enumerate(items, 1):
            archive.writestr(f"{article.id:05d}-{slug(article.title)}.md", article_markdown(article, images))
            _step(progress, i, len(items), article)
    return buffer.getvalue()


# --- EPUB 3 ---------------------------------------------------------------------------

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""
_XML_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?")


def export_epub(items: Sequence[Item], progress: Progress | None = None) -> bytes:
    """An EPUB 3 book: a chapter an article, its images inside, a navigation document."""
    first = items[0][0]
    single = len(items) == 1
    title = first.title if single else "QuietPage library"
    lang = _lang(first.lang) if single else "en"
    manifest, spine, nav = [], [], []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
        book.writestr("EPUB/style.css", CSS, compress_type=zipfile.ZIP_DEFLATED)
        manifest.append('<item id="css" href="style.css" media-type="text/css"/>')
        for i, (article, images) in enumerate(items, 1):
            names: dict[str, str] = {}
            for image in images:
                suffix = EPUB_IMAGE_TYPES.get(image.content_type)
                if suffix is None:
                    continue
                name = f"images/a{article.id}-{image.n}.{suffix}"
                names[image.url] = name
                cover = ' properties="cover-image"' if single and image.url == article.lead_image else ""
                manifest.append(f'<item id="img-{article.id}-{image.n}" href="{name}" media-type="{image.content_type}"{cover}/>')
                book.writestr(f"EPUB/{name}", image.data, compress_type=zipfile.ZIP_STORED)
            chapter = f"text/a{article.id}.xhtml"
            book.writestr(f"EPUB/{chapter}", _chapter(article, names), compress_type=zipfile.ZIP_DEFLATED)
            manifest.append(f'<item id="a{article.id}" href="{chapter}" media-type="application/xhtml+xml"/>')
            spine.append(f'<itemref idref="a{article.id}"/>')
            nav.append(f'<li><a href="{chapter}">{_x(article.title)}</a></li>')
            _step(progress, i, len(items), article)
        book.writestr("EPUB/nav.xhtml", _nav(title, lang, nav), compress_type=zipfile.ZIP_DEFLATED)
        manifest.insert(0, '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>')
        book.writestr("EPUB/package.opf", _package(items, title, lang, manifest, spine), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _x(text: str | None) -> str:
    return escape(_XML_JUNK.sub("", text or ""), quote=True)


def _lang(lang: str | None) -> str:
    return lang if lang and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang) else "en"


def _package(items: Sequence[Item], title: str, lang: str, manifest: list[str], spine: list[str]) -> str:
    modified = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = [f'<dc:identifier id="uid">urn:uuid:{uuid.uuid4()}</dc:identifier>', f"<dc:title>{_x(title)}</dc:title>",
            f"<dc:language>{lang}</dc:language>", f'<meta property="dcterms:modified">{modified}</meta>']
    if len(items) == 1:
        article = items[0][0]
        if article.byline:
            meta.append(f"<dc:creator>{_x(article.byline)}</dc:creator>")
        if article.site_name:
            meta.append(f"<dc:publisher>{_x(article.site_name)}</dc:publisher>")
        if article.published:
            meta.append(f"<dc:date>{article.published}</dc:date>")
        meta.append(f"<dc:source>{_x(article.url)}</dc:source>")
    else:
        meta.append("<dc:creator>QuietPage</dc:creator>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="{lang}">\n'
            f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n{chr(10).join(meta)}\n</metadata>\n'
            f"<manifest>\n{chr(10).join(manifest)}\n</manifest>\n"
            f"<spine>\n{chr(10).join(spine)}\n</spine>\n</package>\n")


def _nav(title: str, lang: str, entries: list[str]) -> str:
    return _xhtml(title, lang, f'<nav epub:type="toc" id="toc"><h1>{_x(title)}</h1><ol>{"".join(entries)}</ol></nav>',
                  css="style.css")


def _xhtml(title: str, lang: str, body: str, css: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" '
            f'xml:lang="{lang}"><head><meta charset="utf-8"/><title>{_x(title)}</title>'
            f'<link rel="stylesheet" type="text/css" href="{css}"/></head>\n<body>{body}</body></html>\n')


def _chapter(article: Article, images: dict[str, str]) -> str:
    """The article as an XHTML content document; images not in the book are left out."""
    body = rewrite_images(article.html or "", lambda src: "../" + images[src] if src in images else None)
    head = (f"<header><h1>{_x(article.title)}</h1><p class=\"meta\">{_x(_plain_meta(article))}</p>"
            f'<p class="meta"><a href="{_x(article.url)}">Original at {_x(site_of(article))}</a></p></header>')
    return _xhtml(article.title, _lang(article.lang), f"<article>{head}{_to_xhtml(body)}</article>", css="../style.css")


def _plain_meta(article: Article) -> str:
    parts = [article.byline, site_of(article), date_of(article), f"{article.reading_minutes} min read"]
    return " · ".join(p for p in parts if p)


def _to_xhtml(html: str) -> str:
    """Sanitised HTML re-serialised as well-formed XHTML (lxml, XML method)."""
    html = _XML_JUNK.sub("", html)
    if not html.strip():
        return ""
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    for node in root.iter("time"):
        if not _DATETIME.fullmatch(node.get("datetime", "")):
            node.attrib.pop("datetime", None)
    for node in root.iter("img"):
        node.set("alt", node.get("alt", ""))
        for name in ("width", "height"):
            if name in node.attrib and not node.get(name).isdigit():
                del node.attrib[name]
    parts = [escape(root.text or "")]
    parts += [etree.tostring(child, method="xml", encoding="unicode", with_tail=True) for child in root]
    return "".join(parts)
