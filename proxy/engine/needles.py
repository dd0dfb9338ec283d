"""Needles: for each text pattern a word or phrase every match of it contains, so a page
is searched once per needle (not once per pattern), and a place a needle occurs is
vetted by what the patterns' literal starts say about the text before it."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from heapq import heapify, heappop, heappush

from proxy.engine.facts import SEP
from proxy.rules import MAX_TEXT_MATCH, Rule, TextPattern

# Words so frequent in articles that a phrase holding them is the better needle.
COMMON_WORDS = frozenset({"this", "that", "more", "like", "read", "with", "from", "your", "have", "will"})

Entry = tuple[Rule, TextPattern]
# Characters that match an ASCII letter under re.IGNORECASE but do not lower-case to it.
ODD_CASES = ("\u0130", "\u0131", "\u017f", "\u212a")


def timed(pattern: TextPattern) -> bool:
    """Whether the pattern runs under a time limit (compiled by the `regex` module, not `re`)."""
    return type(pattern.full) is not re.Pattern


def word_options(pattern: TextPattern) -> tuple[tuple[str, ...], ...]:
    """The pattern's options of ASCII words: every match holds one word of each (in some
    case). None, `()`, for a pattern run under a time limit (the `regex` module folds
    case its own way)."""
    if timed(pattern):
        return ()
    return tuple(o for o in pattern.options if all(w.isascii() for w in o))


class Starts:
    """A needle's patterns grouped by what their literal start says about the text
    before the needle, so each place the needle occurs is vetted with a few slices.
    Each comes as (rule, pattern, its word options)."""

    def __init__(self, form: bytes, entries) -> None:
        self.adjacent: dict[bytes, list] = {}  # text right before the needle -> patterns
        self.distant: dict[bytes, list] = {}  # a start somewhere before the needle -> patterns
        self.free: list = []  # patterns with no literal start to go by
        for rule, pattern in entries:
            entry = (rule, pattern, word_options(pattern))
            head = pattern.head
            if not head or not head.isascii():
                self.free.append(entry)
                continue
            k = head.encode().find(form)
            if k >= 0:
                self.adjacent.setdefault(head.encode()[:k], []).append(entry)
            else:
                self.distant.setdefault(head.strip().encode(), []).append(entry)

    def live(self, low: bytes, lo: int, pos: int) -> list:
        live = list(self.free)
        for before, group in self.adjacent.items():
            if _starts_here(low, lo, pos, before):
                live.extend(group)
        for head, group in self.distant.items():
            if low.rfind(head, max(0, pos - MAX_TEXT_MATCH), pos) >= 0:
                live.extend(group)
        return live


def _starts_here(low: bytes, lo: int, pos: int, before: bytes) -> bool:
    """Can an element's text start `before` ahead of this needle?

    The element holds the needle's whole text node, so only whitespace may precede its
    start within that node; an inline tag inside the start splits it (SEP), so SEPs are
    ignored when the start reaches back before the node.
    """
    if not before:
        return not low[lo:pos].strip()
    if low.startswith(before, pos - len(before)) and pos - len(before) >= lo:
        return not low[lo:pos - len(before)].strip()
    window = low[max(0, pos - len(before) - 64):pos].replace(SEP, b"")
    return window.endswith(before)


@dataclass(frozen=True)
class Needle:
    """A needle ("" for patterns with none: tried on every element) and its patterns."""

    phrase: str
    forms: tuple[tuple[bytes, Starts], ...]  # its UTF-8 forms, each with its patterns' starts
    max_len: int  # longest text its patterns match
    entries: tuple[Entry, ...]


def needles_for(entries: list[Entry]) -> tuple[Needle, ...]:
    return tuple(Needle(n, tuple((f, Starts(f, group)) for f in _needle_variants(n)),
                        max(p.max_len for _r, p in group), tuple(group))
                 for n, group in _cover_needles(entries).items())


def _cover_needles(entries: list[Entry]) -> dict[str, list[Entry]]:
    """Give each text pattern a needle: a word or phrase every match of it contains.

    Each needle costs one search of the page's text, so needles are shared: a greedy set
    cover picks the string contained in the most patterns' phrases ("comment" serves
    "comments are closed" and "log in to comment"). A pattern with alternatives only is
    filed under each of them.
    """
    required = {id(p): [o[0] for o in p.phrase_options if len(o) == 1] for _r, p in entries}
    groups: dict[str, list[Entry]] = {}
    left = {i for i, e in enumerate(entries) if required[id(e[1])]}
    candidates = {c for i in left for s in required[id(entries[i][1])]
                  for c in [_short(s), *(w for w in s.split(" ") if len(w) >= 4)]}
    # Which patterns each candidate serves, worked out once: each candidate looked for in
    # all the patterns' phrases joined, each place it occurs mapped back to its pattern.
    owners: list[int] = []
    starts: list[int] = []
    pieces: list[str] = []
    at = 0
    for i in sorted(left):
        for phrase in required[id(entries[i][1])]:
            starts.append(at)
            owners.append(i)
            pieces.append(phrase)
            at += len(phrase) + 1
    joined = "\0".join(pieces)
    serves: dict[str, set[int]] = {}
    for c in candidates:
        ids = serves[c] = set()
        pos = joined.find(c)
        while pos >= 0:
            ids.add(owners[bisect_right(starts, pos) - 1])
            pos = joined.find(c, pos + 1)
    # Greedy, lazily: counts only fall as patterns are covered, so a candidate whose count
    # is still what it was when it reached the top of the heap is the best one.
    # Not a word found everywhere (each place it occurs costs a look); then the one serving
    # most patterns; then a single word (bytes search is slowest on phrases ending in a
    # common letter or a space), then the longer (rarer) one; then the first in order, so
    # the same rules always give the same needles.
    def rank(c: str, count: int) -> tuple:
        return (c in COMMON_WORDS, -count, " " in c, -len(c), c)

    heap = [rank(c, len(ids)) for c, ids in serves.items() if ids]
    heapify(heap)
    while left and heap:
        top = heappop(heap)
        best = top[-1]
        count = len(serves[best] & left)
        if not count:
            continue
        fresh = rank(best, count)
        if heap and fresh > heap[0]:
            heappush(heap, fresh)
            continue
        covered = sorted(serves[best] & left)
        groups.setdefault(best, []).extend(entries[i] for i in covered)
        left -= serves[best]
    for entry in entries:
        if not required[id(entry[1])]:
            for phrase in entry[1].phrases or ("",):
                groups.setdefault(phrase, []).append(entry)
    return groups


def _short(phrase: str) -> str:
    """At most three words: a longer phrase may wrap across lines in a page's source."""
    return " ".join(phrase.split(" ")[:3])


def _needle_variants(phrase: str) -> tuple[bytes, ...]:
    """The UTF-8 forms to look for in the page's ASCII-lower-cased text."""
    forms = {phrase}
    if not phrase.isascii():
        # bytes.lower() folds ASCII only: the word as written in capitals, and capitalised
        # as a label or a sentence starts it ("Комментарии", "Σχόλια").
        forms.update((phrase.upper(), phrase[:1].upper() + phrase[1:]))
    return tuple(f.encode() for f in forms)
