"""Literal scanners: which of many strings a page holds, found in one Hyperscan pass.

Hyperscan (SIMD literal matching) comes from PyPI's x86_64 wheel. Where it is missing,
or an engine is made with `literal_scanning=False`, no scanner is built and the stages
fall back to one `bytes.find` per string and to querying every selector.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

try:
    import hyperscan
except ImportError:  # pragma: no cover - a platform without its wheel
    hyperscan = None

HYPERSCAN = hyperscan is not None

# Raw-text elements and comments: markup inside them is not markup.
RAW_TEXT = (("<script", "</script"), ("<SCRIPT", "</SCRIPT"), ("<style", "</style"), ("<STYLE", "</STYLE"),
            ("<!--", "-->"))
RAW_TEXT_B = tuple((a.encode(), b.encode()) for a, b in RAW_TEXT)
# Strings looked for as written (not caseless): raw-text openers for splicing, and the
# upper-case attribute names of old pages.
UPPER_FORMS = (b" CLASS=", b" ID=", b"\tCLASS=", b"\nCLASS=", b"\tID=", b"\nID=")
EXACT_FORMS = tuple(opener for opener, _closer in RAW_TEXT_B) + UPPER_FORMS


@dataclass(frozen=True)
class SourceHits:
    caseless: frozenset[bytes]  # the caseless strings found
    exact: frozenset[bytes]  # the strings found as written


class _Literals:
    """A Hyperscan database of literal strings (each reported once per scan), with
    scratch space of its own per thread, as a scan needs."""

    def __init__(self, forms, flags):
        self.forms = tuple(forms)
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(expressions=list(self.forms), ids=list(range(len(self.forms))), elements=len(self.forms),
                         flags=flags, literal=True)
        self._scratch = threading.local()

    def _scan(self, data: bytes, on_match) -> None:
        scratch = getattr(self._scratch, "space", None)
        if scratch is None:
            scratch = self._scratch.space = hyperscan.Scratch(self._db)
        self._db.scan(data, match_event_handler=on_match, scratch=scratch)


class SourceScanner(_Literals):
    """Which of many strings a page's bytes hold, in one pass: the caseless ones (the
    selectors' and the lists' strings) and the exact ones (EXACT_FORMS)."""

    def __init__(self, caseless: list[bytes], exact: tuple[bytes, ...] = EXACT_FORMS):
        one = hyperscan.HS_FLAG_SINGLEMATCH
        super().__init__((*caseless, *exact), [one | hyperscan.HS_FLAG_CASELESS] * len(caseless) + [one] * len(exact))
        self._caseless = len(caseless)

    def scan(self, data: bytes) -> SourceHits:
        found: list[int] = []
        self._scan(data, lambda i, _start, _end, _flags, _context: found.append(i))
        split, forms = self._caseless, self.forms
        return SourceHits(frozenset(forms[i] for i in found if i < split),
                          frozenset(forms[i] for i in found if i >= split))


class NeedleScanner(_Literals):
    """Where each needle form first occurs in a page's text, found for all of them in one
    pass rather than one bytes.find per form: most needles are absent from most pages,
    and those present are looked for again from their first place on."""

    def __init__(self, forms: list[bytes]):
        super().__init__(dict.fromkeys(forms), hyperscan.HS_FLAG_SINGLEMATCH)

    def first(self, text: bytes) -> dict[bytes, int]:
        """Form -> offset of its first occurrence in `text` (absent forms are left out)."""
        found: dict[bytes, int] = {}
        forms = self.forms

        def on_match(i, _start, end, _flags, _context):
            found[forms[i]] = end - len(forms[i])

        self._scan(text, on_match)
        return found


class AttributeScanner:
    """Where words stand inside class and id values, and link fragments inside href values,
    in a page's bytes. The words and fragments are literals, found in one Hyperscan pass
    (or, without Hyperscan, one `bytes.find` loop each); each place is then read backwards
    to the value it stands in and the attribute that value belongs to. (One expression per
    word, attribute name and value included, would scan as fast but take Hyperscan half a
    second to compile: a plan is compiled for each new site.) Reports (kind, where the
    value opens, end offset)."""

    def __init__(self, words: tuple[str, ...], links: tuple[str, ...], fast: bool):
        literals: dict[bytes, tuple[str, ...]] = {}
        for word in words:
            key = word.lower().encode()
            literals[key] = tuple(dict.fromkeys((*literals.get(key, ()), "class", "id")))
        for fragment in links:
            key = fragment.lower().encode()
            literals[key] = tuple(dict.fromkeys((*literals.get(key, ()), "href")))
        self.forms = tuple(literals)
        self._kinds = tuple(literals.values())
        self._lengths = tuple(len(form) for form in self.forms)
        self._fast = fast and HYPERSCAN
        if self._fast:
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._db.compile(expressions=list(self.forms), ids=list(range(len(self.forms))),
                             elements=len(self.forms), flags=[hyperscan.HS_FLAG_CASELESS] * len(self.forms),
                             literal=True)
            self._scratch = threading.local()

    def scan(self, data: bytes) -> list[tuple[str, int, int]]:
        """(attribute, offset where its value opens (its quote or `=`), end offset) for each
        place a literal stands in a value of one of its attributes."""
        places: list[tuple[int, int]] = []  # (literal index, end offset)
        if self._fast:
            scratch = getattr(self._scratch, "space", None)
            if scratch is None:
                scratch = self._scratch.space = hyperscan.Scratch(self._db)
            self._db.scan(data, match_event_handler=lambda i, _s, end, _f, _c: places.append((i, end)),
                          scratch=scratch)
        else:
            low = data.lower()
            for i, form in enumerate(self.forms):
                pos = low.find(form)
                while pos >= 0:
                    places.append((i, pos + len(form)))
                    pos = low.find(form, pos + 1)
        found: list[tuple[str, int, int]] = []
        lengths, kinds = self._lengths, self._kinds
        find, value_break = data.find, _VALUE_BREAK.search
        # The last place read, where its tag opened (-1: in the page's text) and what it is in:
        # a later place reads the same while no byte between them could change the reading
        # (words that start alike, "ico", "icon", "icons"; words in one class value; text).
        # Hundreds of places a page: the loop looks up nothing it can hold in a local.
        last, opened, at = -1, -1, None
        for i, end in places:
            start = end - lengths[i]
            if start != last:
                if last < 0 or last > start or (find(b"<", last, start) >= 0 if opened < 0 else
                                                opened < start - MAX_TAG_REACH
                                                or value_break(data, last, start) is not None):
                    opened, at = _read_attribute(data, start)
                last = start
            if at is not None and at[0] in kinds[i]:
                found.append((at[0], at[1], end))
        return found


# How far back from a word its tag may open, and the name of the attribute whose value
# holds it (read backwards from the value's opening quote or `=`).
MAX_TAG_REACH = 2048
# (A name right at the page's start needs no character before it; but a name read here
# follows the `<` its tag opens with, so the expression starts with that character: a
# search then skips ahead to one, rather than trying every place.)
_ATTRIBUTE_NAME = re.compile(rb"[\s\"'/](class|id|href)\s*=\s*[\"']?\Z", re.IGNORECASE)
_NAMES = {b"class": "class", b"id": "id", b"href": "href"}


_VALUE_BREAK = re.compile(rb"[<>\"'=]")


def attribute_at(data: bytes, start: int) -> tuple[str, int] | None:
    """The attribute (class, id or href) whose value holds the byte at `start`, if it is
    inside a tag's attribute value at all, and the offset of that value's opening quote
    (or `=`)."""
    return _read_attribute(data, start)[1]


def _read_attribute(data: bytes, start: int) -> tuple[int, tuple[str, int] | None]:
    """Where the tag holding the byte at `start` opened (-1: the byte is in the page's
    text), and `attribute_at`."""
    opened = data.rfind(b"<", max(0, start - MAX_TAG_REACH), start)
    if opened < 0 or data.find(b">", opened, start) >= 0:
        return -1, None
    value = max(data.rfind(b'"', opened, start), data.rfind(b"'", opened, start), data.rfind(b"=", opened, start))
    if value < 0:
        return opened, None
    found = _ATTRIBUTE_NAME.search(data, max(opened, value - 24), value + 1)
    if found is None:
        return opened, None
    name = found.group(1)
    return opened, (_NAMES.get(name) or name.decode().lower(), value)
