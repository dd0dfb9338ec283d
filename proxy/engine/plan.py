"""Plans: the rules in force for one host under one set of switches, compiled for a page.

Selector rules are grouped by the `<head>` selector they require and joined into one
query a group; text patterns are filed under shared needles; the lists come as their
index and what is in force of it on the host; and the strings the page's bytes are
scanned for once are worked out. The engine caches plans (most hosts share one).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from proxy.engine.attribution import SelectorRule, by_key, signature
from proxy.engine.listindex import ListsInForce
from proxy.engine.needles import Needle, needles_for
from proxy.engine.scanners import AttributeScanner, NeedleScanner, SourceScanner
from proxy.engine.words import WordIndex
from proxy.rules import Rule
from proxy.rules.selectors import gate_bytes, split_selector_list, uncommon_tags

# Gated queries a selector group keeps (one per distinct set of strings and tags present).
GATED_CACHE = 64


@dataclass(frozen=True, eq=False)
class SelectorGroup:
    """Selector rules that require the same `<head>` selector ("" for none), as one query."""

    requirement: str
    requirement_needs: tuple[tuple[bytes, ...], ...]  # the strings each of its selectors needs
    query: str  # every selector of the rules, joined
    rules: tuple[SelectorRule, ...]
    gate_tags: tuple[str, ...]  # uncommon tags some selector needs
    keyed: dict[str, tuple[int, ...]]  # attribution's index of `rules` (see attribution.by_key)
    gated: dict = field(default_factory=dict)  # see match_selectors.gated


@dataclass(frozen=True)
class Plan:
    """The rules in force for one host under one set of switches, ready to run."""

    rules: tuple[Rule, ...]
    selector_groups: tuple[SelectorGroup, ...]
    needles: tuple[Needle, ...]
    lists: tuple[ListsInForce, ...] = ()  # adblock lists, matched through their index
    scanner: NeedleScanner | None = None  # where the needles' forms first occur, in one pass
    gate_forms: frozenset[bytes] = frozenset()  # strings the selectors need (see rules.selectors.gate_literals)
    source: SourceScanner | None = None  # finds them, and the lists' strings, in one pass of the page
    word_rules: tuple[Rule, ...] = ()  # rules finding elements by a word of their class or id
    link_rules: tuple[Rule, ...] = ()  # rules finding containers of links by their addresses
    markup_forms: frozenset[bytes] = frozenset()  # those words and link fragments, as the page's scan finds them
    markup: AttributeScanner | None = None  # where they stand in class, id and href values
    word_index: WordIndex | None = None  # which word rule a class name or id belongs to
    story_rules: tuple[Rule, ...] = ()  # rules finding boxes of links to the site's other stories
    needle_forms: dict[bytes, tuple[int, ...]] = field(default_factory=dict)  # form -> needles (indexes)
    bare_needles: tuple[int, ...] = ()  # needles with no phrase: tried on every page

    @property
    def empty(self) -> bool:
        return (not self.selector_groups and not self.needles and not self.lists and self.markup is None
                and not self.story_rules)


def compile_rules(active: tuple[Rule, ...], lang: str, scanning: bool) -> Plan:
    """A plan of `active` rules (lists aside), text rules for page language `lang` (all if "")."""
    by_requirement: dict[str, list[SelectorRule]] = {}
    for r in active:
        if r.selectors:
            singles = [s for sel in r.selectors for s in split_selector_list(sel)]
            parts = tuple((s, uncommon_tags(s), gate_bytes(s)) for s in singles)
            by_requirement.setdefault(r.requires or "", []).append(
                SelectorRule(r, ", ".join(r.selectors), tuple(signature(s) for s in singles), parts))
    groups = tuple(_group(req, tuple(rules)) for req, rules in by_requirement.items())
    entries = [(r, p) for r in active if not (lang and r.lang and lang not in r.lang) for p in r.text]
    needles = needles_for(entries)
    forms = [f for n in needles if n.phrase for f, _starts in n.forms]
    needle_forms: dict[bytes, tuple[int, ...]] = {}
    for i, n in enumerate(needles):
        for f in dict.fromkeys(f for f, _starts in n.forms) if n.phrase else ():
            needle_forms[f] = (*needle_forms.get(f, ()), i)
    word_rules = tuple(r for r in active if r.words)
    link_rules = tuple(r for r in active if r.links)
    # A word in a row with others ("comment count") is looked for by its first one.
    words = tuple(dict.fromkeys(w.split(" ", 1)[0] for r in word_rules for w in r.words))
    fragments = tuple(dict.fromkeys(f for r in link_rules for f in r.links))
    markup_forms = frozenset(x.lower().encode() for x in (*words, *fragments))
    literals = frozenset({lit for g in groups for s in g.rules for _sel, _tags, needs in s.parts for lit in needs}
                         | {lit for g in groups for needs in g.requirement_needs for lit in needs} | markup_forms)
    return Plan(active, groups, needles, scanner=NeedleScanner(forms) if forms and scanning else None,
                gate_forms=literals, source=SourceScanner(sorted(literals)) if scanning else None,
                word_rules=word_rules, link_rules=link_rules, markup_forms=markup_forms,
                markup=AttributeScanner(words, fragments, scanning) if words or fragments else None,
                word_index=WordIndex(word_rules), story_rules=tuple(r for r in active if r.story_links),
                needle_forms=needle_forms, bare_needles=tuple(i for i, n in enumerate(needles) if not n.phrase))


def _group(requirement: str, rules: tuple[SelectorRule, ...]) -> SelectorGroup:
    needs = tuple(gate_bytes(sel) for sel in split_selector_list(requirement)) if requirement else ()
    tags = tuple(sorted({t for s in rules for _sel, gates, _needs in s.parts for t in gates}))
    return SelectorGroup(requirement, needs, ", ".join(s.query for s in rules), rules, tags, by_key(rules))
