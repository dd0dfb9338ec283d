"""Selector strings read without a DOM: split into selectors and compounds, and what a
selector needs of a page's source (class names, ids, attribute values, rare tags) for
it to match there. Pure: selectolax (to compile selectors) and the stdlib.
"""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

_SELECTOR_CHECK = LexborHTMLParser("<html></html>")


def selector_problem(selector: str) -> str | None:
    """Why Lexbor cannot use this selector, or None if it compiles."""
    if not selector.strip():
        return "empty selector"
    try:
        _SELECTOR_CHECK.css(selector)
    except (SelectolaxError, ValueError, TypeError) as exc:
        return f"Lexbor cannot compile it ({exc})"
    return None



def split_selector_list(selectors: str) -> list[str]:
    """Split "a, b:is(c, d)" at its top-level commas."""
    return _split_at(selectors, top_level(selectors, ","))


def compounds(selector: str) -> list[str]:
    """A complex selector's compounds, split at its combinators."""
    s = selector.strip()
    return _split_at(s, top_level(s, " >+~"))


def rightmost_compound(selector: str) -> str:
    found = compounds(selector)
    return found[-1] if found else ""


def top_level(selector: str, chars: str) -> list[int]:
    """Where `chars` stand in a selector outside quotes, brackets, parentheses and escapes
    (the space ending `#\\5f x`'s hex escape is part of the name, not a combinator)."""
    found, depth, quote, i, n = [], 0, "", 0, len(selector)
    while i < n:
        ch = selector[i]
        if ch == "\\":
            escape = _ESCAPE.match(selector, i)
            i = escape.end() if escape else i + 2
            continue
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch in chars:
            found.append(i)
        i += 1
    return found


_ESCAPE = re.compile(r"\\(?:[0-9a-fA-F]{1,6}[ \t\n]?|.)", re.DOTALL)


def _split_at(text: str, cuts: list[int]) -> list[str]:
    bounds = [-1, *cuts, len(text)]
    return [text[a + 1:b].strip() for a, b in zip(bounds, bounds[1:]) if text[a + 1:b].strip()]


def depth_at(s: str, pos: int) -> int:
    """Parentheses open at `pos`."""
    depth = 0
    for ch in s[:pos]:
        depth += ch == "("
        depth -= ch == ")"
    return depth


def closing_paren(s: str, open_at: int) -> int:
    """Index of the ")" closing the "(" at `open_at` (len(s) if none)."""
    depth = 0
    for i in range(open_at, len(s)):
        depth += s[i] == "("
        depth -= s[i] == ")"
        if depth == 0:
            return i
    return len(s)


# Tags on nearly every page: looking them up would cost more than it could save.
COMMON_TAGS = frozenset("""html head body div span a p li ul ol img script link meta style i b u s em strong
br hr section article header footer nav aside main button input form label select option textarea h1 h2 h3
h4 h5 h6 figure figcaption picture source svg path g use time small table thead tbody tr td th blockquote
iframe noscript""".split()) - {"iframe", "noscript"}
_LEADING_IDENT = re.compile(r"[\w-]+")


def uncommon_tags(selector: str) -> tuple[str, ...]:
    """Tags the selector's compounds name (outside :not() and friends) that are rare enough
    to be worth checking for before querying."""
    tags = [m.group(0).lower() for c in compounds(selector) if (m := _LEADING_IDENT.match(c))]
    return tuple(t for t in dict.fromkeys(tags) if t not in COMMON_TAGS)


# An attribute test: [name], or [name op "value"] with op one of = ~= ^= $= *=.
ATTR_TEST = re.compile(r'\[\s*([\w:-]+)\s*(?:([~^$*]?=)\s*"([^"]*)"\s*)?\]')
_EXACT_ATTR = re.compile(r'\[\s*([\w:-]+)\s*(\^?)=\s*"([^"]*)"\s*\]')
_HAS = re.compile(r":(?:-abp-)?has\(")


def needed_tokens(selector: str) -> frozenset[str]:
    """Every class and id ("#id") a selector's compounds require (not those in :not()
    or other parentheses): a page lacking one cannot match it. Attribute values come as
    "=value" ([name="value"]) and "^prefix" ([name^="prefix"])."""
    s, needs = selector, set()
    for i in top_level(s, ".#"):
        name = _LEADING_IDENT.match(s, i + 1)
        if name is None:
            continue
        if name.end() < len(s) and s[name.end()] == "\\":  # escaped characters: not worth decoding, no key
            return frozenset()
        needs.add(name.group(0))
    for m in _EXACT_ATTR.finditer(s):  # [name="value"] at the top level needs that value,
        if depth_at(s, m.start()) == 0 and m.group(3).strip():  # [name^="v"] a value starting so
            needs.add(("^" if m.group(2) == "^" else "=") + m.group(3))
    return frozenset(needs)


def gate_literals(selector: str) -> tuple[str, ...]:
    """Strings the source of a page must hold for `selector` to match there: the class
    names and ids its compounds require and the values its attribute tests name (not
    those in :not() or other parentheses; looked for without regard to case)."""
    found = {t[1:] if t[0] in "=^" else t for t in needed_tokens(selector)}
    found.update(m.group(3) for m in ATTR_TEST.finditer(selector)
                 if m.group(3) and depth_at(selector, m.start()) == 0)
    for m in _HAS.finditer(selector):  # what a one-argument :has() needs, the page needs
        end = closing_paren(selector, m.end() - 1)
        argument = selector[m.end():end].strip().lstrip(">+~ ")
        if depth_at(selector, m.start()) == 0 and argument and not top_level(argument, ","):
            found.update(gate_literals(argument))
    return tuple(sorted(lit for lit in found if len(lit) >= 3))


def gate_bytes(selector: str) -> tuple[bytes, ...]:
    """`gate_literals` as the UTF-8 strings a scan of the page's bytes looks for."""
    return tuple(lit.encode() for lit in gate_literals(selector))


# Attribute names on nearly every page: not worth looking for.
_COMMON_ATTRS = frozenset("class id href src style title type name rel alt role lang content".split())


def presence_literals(selector: str) -> tuple[bytes, ...]:
    """Strings the page's source must hold for `selector` to match: "<tag" for each
    uncommon tag it names, the names of the attributes it tests, and its values."""
    found = {b"<" + t.encode() for t in uncommon_tags(selector)}
    found.update(m.group(1).lower().encode() for m in ATTR_TEST.finditer(selector)
                 if depth_at(selector, m.start()) == 0 and len(m.group(1)) >= 4
                 and m.group(1).lower() not in _COMMON_ATTRS)
    found.update(gate_bytes(selector))
    return tuple(sorted(found))
