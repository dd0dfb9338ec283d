"""Text matching: elements whose whole text is a clutter phrase.

Each needle is looked for in the page's text (its text nodes joined, no Lexbor query);
only where the text around a needle matches a pattern whole are the elements holding it
found (Lexbor's contains()), then climbed from the smallest until one's text matches.
"""
from __future__ import annotations

from proxy.engine.dom import PROTECTED_TAGS, css_string, find, mark_ancestors
from proxy.engine.facts import SEP, Page
from proxy.engine.needles import ODD_CASES, Starts, timed
from proxy.engine.plan import Plan
from proxy.rules import normalize_text

# Text patterns climb at most this many levels from the element holding their needle.
MAX_TEXT_LEVELS = 4
MAX_NEEDLE_HITS = 64
MAX_NEIGHBOURS = 3


def match_text(page: Page, plan: Plan, targets: dict[str, list]) -> None:
    claimed: set[int] = set()  # matched elements and their ancestors
    first = plan.scanner.first(page.segments[1]) if plan.scanner is not None else None
    for n in plan.needles if first is None else _present_needles(plan, first):
        needle, forms, max_len, entries = n.phrase, n.forms, n.max_len, n.entries
        if needle and not _phrase_present(page, forms, max_len, first):
            continue
        seen = set(claimed)
        for node in _holding(page, needle, forms):
            current = node
            for _ in range(MAX_TEXT_LEVELS):
                if current is None or current.tag in PROTECTED_TAGS or current.mem_id in seen:
                    break
                seen.add(current.mem_id)
                raw = current.text(deep=True)
                # Normalising a big container's text costs more than the whole match:
                # text far longer than the longest phrase is taken as too long unread
                # (the bound is wide: indentation can be most of a short element's text).
                if len(raw) > 16 * max_len + 256:
                    break
                norm = normalize_text(raw)
                if len(norm) > max_len:
                    break
                hit = next((rule for rule, pat in entries if norm and len(norm) <= pat.max_len
                            and page.patterns.fullmatch(rule.id, pat.full, norm)
                            and (not rule.requires or page.has(rule.requires))
                            and (rule.within is None or page.inside(current, rule.within))), None)
                if hit is not None:
                    targets.setdefault(hit.id, []).append(current)
                    claimed.add(current.mem_id)
                    mark_ancestors(current, claimed)
                    mark_ancestors(current, seen)
                    break
                current = current.parent


def _present_needles(plan: Plan, first: dict[bytes, int]) -> list:
    """The plan's needles (in order) with a form the scanner found, and those with none to
    look for: most of a page's hundred-odd needles are absent, and are not visited at all."""
    found = {i for form in first for i in plan.needle_forms.get(form, ())}
    found.update(plan.bare_needles)
    needles = plan.needles
    return [needles[i] for i in sorted(found)]


def _phrase_present(page: Page, forms: tuple[tuple[bytes, Starts], ...], max_len: int,
                    first: dict[bytes, int] | None = None) -> bool:
    """Does some run of the page's text nodes around a needle match a pattern whole?

    Checked on the text alone (no Lexbor query): most needles are common words, and
    only a page that really holds a phrase pays for finding its element. `first`: where
    each form first occurs, when a scanner found them all at once.
    """
    raw, low = page.segments
    for form, starts in forms:
        if first is not None:
            pos = first.get(form, -1)
        # A needle in another script: its first byte (a UTF-8 lead byte, rare in most
        # pages) is looked for first, with memchr, before the whole needle.
        elif not form.isascii() and form[:1] not in low:
            continue
        else:
            pos = low.find(form)
        for _ in range(MAX_NEEDLE_HITS):
            if pos < 0:
                break
            lo = low.rfind(SEP, 0, pos) + 1
            hi = low.find(SEP, pos)
            hi = len(low) if hi < 0 else hi
            # A needle inside a long text node (a paragraph) cannot be in a short element.
            if hi - lo <= 4 * max_len + 64:
                live = starts.live(low, lo, pos)
                if live and _windows_match(page, raw, lo, hi, max_len, live):
                    return True
            pos = low.find(form, hi)
    return False


def _windows_match(page: Page, raw: bytes, lo: int, hi: int, max_len: int, entries) -> bool:
    """Try the needle's text node alone and joined with its neighbours: an element's
    text is a run of consecutive text nodes."""
    own = _segment_len(raw, lo, hi)
    entries = [e for e in entries if e[1].max_len >= own]
    if not entries:
        return False
    max_len = max(e[1].max_len for e in entries)
    # The text nodes before and after it, nearest first, while their text could still fit.
    # Each is decoded and normalised once: a window's text is joined from its nodes'
    # (`_joined`), not decoded and normalised again for each of the 16 windows.
    heads, tails = [], []
    start, total = lo, own
    for _ in range(MAX_NEIGHBOURS):
        if start == 0:
            break
        prev = raw.rfind(SEP, 0, start - 1) + 1
        node, size = _node(raw, prev, start - 1)
        total += size
        if total > max_len:
            break
        heads.append(node)
        start = prev
    end, total = hi, own
    for _ in range(MAX_NEIGHBOURS):
        if end >= len(raw):
            break
        nxt = raw.find(SEP, end + 1)
        nxt = len(raw) if nxt < 0 else nxt
        node, size = _node(raw, end + 1, nxt)
        total += size
        if total > max_len:
            break
        tails.append(node)
        end = nxt
    runs = [_node(raw, lo, hi)[0]]  # the needle's node alone, then with 1, 2, 3 before it
    for head in heads:
        runs.append(_joined(head, runs[-1]))
    widest = runs[-1]
    for tail in tails:
        widest = _joined(widest, tail)
    widest = widest[0]
    # Any match lies inside the widest run, and only patterns found there count. But a search
    # costs a broad pattern up to a microsecond a character, and a whole-text match of a
    # window fails fast: a pattern is first held to its words (where lower-casing finds
    # every case of them), then tried on the windows, and the run is searched only for one
    # that matches a window whole. Patterns run under a time limit are searched first, as
    # they always were.
    patterns = page.patterns
    low = widest.lower() if widest.isascii() or not any(c in widest for c in ODD_CASES) else None
    candidates = []  # [rule, pattern, whether the run holds a match (None: not searched yet)]
    for rule, pattern, options in entries:
        if timed(pattern):
            if patterns.search(rule.id, pattern.full, widest):
                candidates.append([rule, pattern, True])
        elif low is None or _holds_words(low, options):
            candidates.append([rule, pattern, None])
    if not candidates:
        return False

    def whole(candidate: list, norm: str) -> bool:
        rule, pattern, found = candidate
        if len(norm) > pattern.max_len or not patterns.fullmatch(rule.id, pattern.full, norm):
            return False
        if found is None:
            found = candidate[2] = patterns.search(rule.id, pattern.full, widest)
        return found

    for window in runs:
        for tail in [None, *tails]:
            if tail is not None:
                window = _joined(window, tail)
            norm = window[0]
            if len(norm) > max_len:  # and longer still with the next node
                break
            if norm and any(whole(c, norm) for c in candidates):
                return True
    return False


def _holds_words(low: str, options: tuple[tuple[str, ...], ...]) -> bool:
    """Whether `low` holds a word of each option (loops, not generators: this runs for
    every pattern of every window)."""
    for option in options:
        for word in option:
            if word in low:
                break
        else:
            return False
    return True


def _joined(left: tuple[str, str, str], right: tuple[str, str, str]) -> tuple[str, str, str]:
    """Two runs of text nodes as one, as `_node` would read them joined: normalising
    joins their texts with a space only where whitespace stood between them."""
    a, b = left[0], right[0]
    if not a or not b:
        text = a or b
    elif left[2].isspace() or right[1].isspace():
        text = f"{a} {b}"
    else:
        text = a + b
    return text, left[1] or right[1], right[2] or left[2]


def _segment_len(raw: bytes, lo: int, hi: int) -> int:
    """Characters of one text node once whitespace is collapsed (close enough, cheaply)."""
    chunk = raw[lo:hi]
    if len(chunk) > 256:
        return len(normalize_text(chunk.decode("utf-8", "replace")))
    return len(chunk.strip()) if chunk.isascii() else len(chunk.decode("utf-8", "replace").strip())


def _node(raw: bytes, lo: int, hi: int) -> tuple[tuple[str, str, str], int]:
    """One text node as (its normalised text, its first character, its last character),
    and `_segment_len` of it."""
    chunk = raw[lo:hi]
    text = chunk.decode("utf-8", "replace")
    norm = normalize_text(text)
    if len(chunk) > 256:
        size = len(norm)
    else:
        size = len(chunk.strip()) if chunk.isascii() else len(text.strip())
    return (norm, text[:1], text[-1:]), size


def _holding(page: Page, needle: str, forms) -> list:
    """Elements whose own text holds the needle (Lexbor's contains(), ASCII case-blind)."""
    if not needle:
        return page.body.css(":not(script, style, template)")
    found = []
    for form, _starts in forms:
        # Lexbor looks at one text node: a phrase may be split by inline tags, a word is not.
        word = max(form.decode().split(" "), key=len)
        found.extend(find(page.body, f':not(script, style, template):lexbor-contains("{css_string(word)}" i)'))
    return found
