"""Selector matching: every selector in force that can match this page, in one Lexbor
query per group of rules, its hits credited to their rules.

Each selector costs Lexbor a look at every element, so one that needs a class name, id
or attribute value the page's source does not hold at all, or a rare tag the page lacks,
is left out of the query.
"""
from __future__ import annotations

from proxy.engine.attribution import attribute, by_key
from proxy.engine.dom import find
from proxy.engine.facts import Page
from proxy.engine.plan import GATED_CACHE, Plan, SelectorGroup


def match_selectors(page: Page, plan: Plan, targets: dict[str, list]) -> None:
    hits = page.hits()
    # Only the selectors' own strings: the same set on many pages, so each group's cache holds.
    literals = hits.caseless & plan.gate_forms if hits is not None else None
    for group in plan.selector_groups:
        if group.requirement and not (_may_match(group.requirement_needs, literals) and page.has(group.requirement)):
            continue
        query, selector_rules, keyed = group.query, group.rules, group.keyed
        if group.gate_tags or literals is not None:
            # Lexbor finds elements by tag name without a walk: selectors needing a tag
            # the page lacks (<symbol>, <noscript>…) are left out of the query too.
            present = frozenset(t for t in group.gate_tags if page.has_tag(t))
            query, selector_rules, keyed = gated(group, present, literals)
            if not query:
                continue
        found = find(page.body, query)
        if found:
            attribute(found, selector_rules, targets, keyed)


def _may_match(alternatives: tuple[tuple[bytes, ...], ...], literals: frozenset[bytes] | None) -> bool:
    """Whether some selector of a list has all its strings in the page."""
    return literals is None or any(all(lit in literals for lit in needs) for needs in alternatives)


def gated(group: SelectorGroup, present: frozenset[str], literals: frozenset[bytes] | None):
    """The query, rules and their attribution keys left when only the `present` gate
    tags, and (unless None) only the `literals` of the selectors' strings, are in the
    page; kept by the group (pages of a site share them)."""
    key = (present, literals)
    cached = group.gated.get(key)
    if cached is None:
        live = []
        for s in group.rules:
            usable = [sel for sel, gates, needs in s.parts if all(t in present for t in gates)
                      and (literals is None or all(lit in literals for lit in needs))]
            if usable:
                live.append((s, usable))
        rules = tuple(s for s, _usable in live)
        cached = (", ".join(sel for _s, usable in live for sel in usable), rules, by_key(rules))
        if len(group.gated) >= GATED_CACHE:
            group.gated.clear()
        group.gated[key] = cached
    return cached
