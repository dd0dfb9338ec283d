"""List matching: the lists' rules a page's class and id words (and source strings)
can match, in one Lexbor query, then uBlock Origin's procedural tests on what matched."""
from __future__ import annotations

import bisect
import re
from itertools import chain

from proxy.engine.attribution import SelectorRule, attribute, signature
from proxy.engine.dom import find
from proxy.engine.facts import Page
from proxy.engine.listindex import ListEntry, ListsInForce
from proxy.engine.scanners import UPPER_FORMS
from proxy.rules import Rule

# Quoted attribute values, either quote, in one pass (a second pass for '…' would cost a
# whole scan of the source again).
_VALUES = re.compile(r"""=(?:"([^"]*)"|'([^']*)')""")
_VALUES_B = re.compile(rb"""=(?:"([^"]*)"|'([^']*)')""")
_UPPER_SET = frozenset(UPPER_FORMS)
# A quoted value right after `class=` or `id=`: one pass, found at each "=" and checked
# backwards (faster than a pass per attribute name).
_CLASS_ID = re.compile(rb"""=(?:(?<=class=)|(?<=id=))(?:"([^"]*)"|'([^']*)')""")


def page_tokens(source: str | bytes) -> tuple[set[str], set[str], "Prefixes"]:
    """What the list index can key on, from the page's source: every word of every quoted
    attribute value (class names, ids, …), the whole values (for `[attr="value"]`), and
    a lookup of their beginnings (for `[attr^="prefix"]`)."""
    as_bytes = isinstance(source, bytes)
    distinct = set(chain.from_iterable((_VALUES_B if as_bytes else _VALUES).findall(source)))
    distinct.discard(b"" if as_bytes else "")  # the other quote's empty group
    if as_bytes:
        distinct = {v.decode("utf-8", "replace") for v in distinct}
    tokens = set(distinct)
    tokens.update(" ".join([value for value in distinct if " " in value]).split())  # class lists' words
    return tokens, distinct, Prefixes(distinct)


def class_and_id_words(data: bytes, upper: bool = False) -> set[str]:
    """The words of a page's class and id attributes (and of anything named *class= or
    *id=, which only adds candidates); `upper`-case attribute names, as old pages write
    them, send it to reading every attribute value."""
    if upper:
        return page_tokens(data)[0]
    values = set(chain.from_iterable(_CLASS_ID.findall(data)))
    return set(b" ".join(values).decode("utf-8", "replace").split())


class Prefixes:
    """Whether some attribute value starts with a prefix: the values sorted on first use,
    then a bisection per prefix."""

    def __init__(self, values: set[str]):
        self._values = values
        self._sorted: list[str] | None = None

    def __contains__(self, prefix: str) -> bool:
        if self._sorted is None:
            self._sorted = sorted(self._values)
        i = bisect.bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)


def match_lists(page: Page, lists: tuple[ListsInForce, ...], source: str | bytes, targets: dict[str, list]) -> None:
    hits = page.hits()
    scanned = hits is not None and all(f.index.literal_forms for f in lists)
    if scanned:
        # Class names and ids from their attributes alone; attribute values and prefixes
        # are found by the page's one scan.
        tokens, whole, values = class_and_id_words(page.data, bool(hits.exact & _UPPER_SET)), None, None
    else:
        tokens, whole, values = page_tokens(source)
    for in_force in lists:
        index = in_force.index
        present = hits.caseless if scanned else None
        off, off_packs, excepted, host = in_force.off, in_force.off_packs, in_force.excepted, in_force.host
        generic_off = in_force.generic_off
        chosen: dict[str, list[str]] = {}  # rule id -> selectors to run
        rules: dict[str, Rule] = {}

        def take(sel: str, rule: Rule) -> None:
            if rule.id in off or rule.pack_id in off_packs or sel in excepted or \
                    (rule.scope.exclude and not rule.scope.covers(host)):
                return
            chosen.setdefault(rule.id, []).append(sel)
            rules[rule.id] = rule

        if present is not None:
            def fits(e: ListEntry) -> bool:
                return all(any(form in present for form in forms) for forms in e.value_forms) \
                    and all(any(form in present for form in forms) for forms in e.prefix_forms)
        else:
            def fits(e: ListEntry) -> bool:
                return all(v in whole for v in e.values) and all(p in values for p in e.prefixes)

        # The page's few hundred tokens looked up in the index, not the other way round
        # (`set & dict.keys()` would copy tens of thousands of keys on every page).
        value_keys = whole if present is None else {index.value_of[f] for f in present if f in index.value_of}
        for keys, table in ((tokens, index.by_token), (value_keys, index.by_value)):
            for key in table.keys() & keys:
                for e in table[key]:
                    if e.tokens <= tokens and fits(e):
                        take(e.selector, e.rule)
        for e in (index.by_prefix if present is None else
                  {id(e): e for f in present for e in index.prefixed.get(f, ())}.values()):
            if fits(e):
                take(e.selector, e.rule)
        for tags, entries in index.unkeyed.items():
            if all(page.has_tag(t) for t in tags):
                for e in entries:
                    take(e.selector, e.rule)
        if index.by_literal:
            for key in (present if present is not None else index.by_literal):
                for e in index.by_literal.get(key, ()):
                    if (present is None or all(lit in present for lit in e.literals)) \
                            and all(page.has_tag(t) for t in e.tags):
                        take(e.selector, e.rule)
        if generic_off:
            for rid in [rid for rid, r in rules.items() if r.pack_id in generic_off]:
                del chosen[rid], rules[rid]
        for rule in in_force.site_rules:
            take(rule.selectors[0], rule)
        if not chosen:
            continue
        sigs = index.signatures
        selector_rules = tuple(SelectorRule(rules[rid], ", ".join(sels),
                                            tuple(sigs.get(s) or signature(s) for s in sels))
                               for rid, sels in chosen.items())
        hits_ = find(page.body, ", ".join(s.query for s in selector_rules))
        if not hits_:
            continue
        found: dict[str, list] = {}
        attribute(hits_, selector_rules, found)
        for rid, nodes in found.items():
            kept = procedure(page, rules[rid], nodes)
            if kept:
                targets.setdefault(rid, []).extend(kept)


def procedure(page: Page, rule: Rule, nodes: list) -> list:
    """uBO's procedural tests on what the CSS part matched: the page's path, the
    element's text and its length."""
    steps = rule.procedure
    if steps is None:
        return nodes
    if steps.path is not None and not page.patterns.search(rule.id, steps.path, page.path):
        return []
    out = []
    for node in nodes:
        if steps.text is not None or steps.min_text_length:
            text = node.text(deep=True)
            if steps.text is not None and not page.patterns.search(rule.id, steps.text, text):
                continue
            if len(text) < steps.min_text_length:
                continue
        out.append(node)
    return out
