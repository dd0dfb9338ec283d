"""Words of class names and ids: how `words` rules read them, and which rule a name
belongs to (worked out once per name: the same names come back on every page of a site).
"""
from __future__ import annotations

import re

_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


def words_of(name: str) -> list[str]:
    """A class name or id as words: split at -, _ and other punctuation, where lower case
    turns upper ("SocialShare") and between letters and digits; lower-cased."""
    return [w.lower() for w in _SPLIT.split(name) if w]


def holds(words: list[str], wanted: tuple[str, ...]) -> bool:
    """Whether `words` hold one of `wanted`: a word, or words in a row ("comment count")."""
    present = set(words)
    for entry in wanted:
        if " " not in entry:
            if entry in present:
                return True
            continue
        run = entry.split(" ")
        if run[0] in present and any(words[i:i + len(run)] == run for i in range(len(words) - len(run) + 1)):
            return True
    return False


class WordIndex:
    """Which of `rules` (in order) a class name or id belongs to: the first one holding
    one of its words. Answers are kept, up to CACHED names."""

    CACHED = 50_000

    def __init__(self, rules):
        self.rules = tuple(rules)
        self._words = [tuple(r.words) for r in self.rules]
        self._known: dict[str, int] = {}

    def rule_of(self, name: str) -> int:
        """The index in `rules` of the rule `name` belongs to; -1 for none."""
        found = self._known.get(name)
        if found is None:
            words = words_of(name)
            found = next((i for i, wanted in enumerate(self._words) if holds(words, wanted)), -1)
            if len(self._known) >= self.CACHED:
                self._known.clear()
            self._known[name] = found
        return found

    def rule_of_node(self, node):
        """The rule the node's id or one of its class names belongs to (the first in order)."""
        attrs = node.attributes
        best = -1
        for name in (attrs.get("id") or "", *(attrs.get("class") or "").split()):
            if name:
                i = self.rule_of(name)
                if i >= 0 and (best < 0 or i < best):
                    best = i
        return self.rules[best] if best >= 0 else None
