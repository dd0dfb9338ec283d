"""What a reader sees of a page: shared by the tests."""
import re

from selectolax.lexbor import LexborHTMLParser

SEED_DIR = __import__("pathlib").Path(__file__).resolve().parents[1].parent / "shared" / "seed"
SEED_URL = "https://www.rt.com/news/467009-us-venezuela-secret-talks/"


def visible_text(html: str | bytes) -> str:
    """textContent of <body> without script/style/noscript/template, whitespace collapsed."""
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    body = tree.body
    return re.sub(r"\s+", " ", body.text(deep=True) if body else "").strip()


def broken_uses(html: str | bytes) -> list[str]:
    """`<use>` references that point at no element of the page."""
    tree = LexborHTMLParser(html)
    ids = {n.attributes.get("id") for n in tree.css("[id]")}
    refs = [n.attributes.get("href") or n.attributes.get("xlink:href") or "" for n in tree.css("use")]
    return [r for r in refs if r.startswith("#") and r[1:] not in ids]


def seed_paragraphs() -> list[str]:
    """The 12 article paragraphs of the seed page, as the scraped seed text has them."""
    lines = [ln.strip() for ln in (SEED_DIR / "rt-secret-talks.scraped.txt").read_text().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Following news reports"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Washington now appears"))
    return [ln for ln in lines[start:end + 1] if not ln.startswith("Also on rt.com")]
