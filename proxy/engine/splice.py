"""Splicing: the removed elements cut out of the page's own source, so every other byte
leaves as it came; where that cannot be done safely the tree is serialized instead."""
from __future__ import annotations

from proxy.engine.scanners import RAW_TEXT, RAW_TEXT_B

# Pages with more nodes to remove than this are serialized whole: each cut costs a scan of
# the source, and serializing costs about four (measured on the AEB pages).
SPLICE_MAX = 4


def splice(source: str | bytes, nodes: list, openers: frozenset[bytes] | None = None,
           codec: str = "utf-8") -> str | bytes | None:
    """Cut the nodes out of the page's own source, leaving every other byte as it came.

    `source` may be the page's own bytes in `codec` (an ASCII-compatible charset: the
    raw-text openers are ASCII). Works when each node's markup stands in the source exactly as Lexbor writes it
    (double-quoted attributes, and so on), once, outside scripts, styles and comments;
    otherwise None, and the caller serializes the tree instead. Cheaper than serializing
    for a few nodes, and faithful to the rest of the page.
    """
    if len(nodes) > SPLICE_MAX:
        return None
    as_bytes = isinstance(source, bytes)
    # An opener the page lacks (`<SCRIPT` on most) is looked for once, not once per node:
    # `openers`, the ones the page's scan found, when it was scanned.
    if openers is not None:
        pairs = tuple(pair for pair, b in zip(RAW_TEXT_B if as_bytes else RAW_TEXT, RAW_TEXT_B) if b[0] in openers)
    else:
        pairs = tuple(pair for pair in (RAW_TEXT_B if as_bytes else RAW_TEXT) if pair[0] in source)
    spans = []
    for node in nodes:
        markup = node.html
        if not markup:
            return None
        try:
            needle = markup.encode(codec) if as_bytes else markup
        except UnicodeEncodeError:  # a character the page's charset can only hold as a reference
            return None
        start = source.find(needle)
        if start < 0 or source.find(needle, start + 1) >= 0 or _in_raw_text(source, start, pairs):
            return None
        spans.append((start, start + len(needle)))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
        return None
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(source[last:start])
        last = end
    pieces.append(source[last:])
    return (b"" if as_bytes else "").join(pieces)


def _in_raw_text(source: str | bytes, pos: int, pairs: tuple) -> bool:
    """Whether `pos` lies inside a <script>, <style> or comment of the source (`pairs`:
    the (opener, closer) pairs whose opener the source holds at all).

    Looked for backwards in growing windows: the nearest opener or closer is usually
    close by.
    """
    for opener, closer in pairs:
        width = 4096
        while True:
            lo = max(0, pos - width)
            opened, closed = source.rfind(opener, lo, pos), source.rfind(closer, lo, pos)
            if opened >= 0 or closed >= 0 or lo == 0:
                if opened > closed:
                    return True
                break
            width *= 8
    return False


