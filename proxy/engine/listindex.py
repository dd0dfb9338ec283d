"""The adblock lists' index, built the way adblockers' cosmetic engines build theirs:
generic selectors filed under the class, id or attribute value their last compound
needs, site rules under their domain; and what is in force of it on one host.

A page is then looked up by the few hundred class and id words it has, instead of tens
of thousands of selectors being tried on it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from proxy.engine.attribution import Signature, signature
from proxy.rules import Rule, RulePack, RuleSet, Toggles, domain_covers
from proxy.rules.selectors import needed_tokens, presence_literals, split_selector_list, uncommon_tags


def value_forms(value: str) -> tuple[bytes, bytes]:
    """How an attribute value of exactly `value` stands in a page's source."""
    v = value.encode()
    return b'="' + v + b'"', b"='" + v + b"'"


def prefix_forms(prefix: str) -> tuple[bytes, bytes]:
    """How an attribute value starting with `prefix` starts in a page's source."""
    p = prefix.encode()
    return b'="' + p, b"='" + p


@dataclass(frozen=True, eq=False)
class ListEntry:
    """One generic list selector and what a page needs for it to match there."""

    selector: str
    rule: Rule
    tokens: frozenset[str] = frozenset()  # class names and "#ids" it needs
    prefixes: tuple[str, ...] = ()  # attribute values it needs to start so ([attr^="…"])
    values: frozenset[str] = frozenset()  # whole attribute values it needs ([attr="…"])
    tags: tuple[str, ...] = ()  # uncommon tags it needs
    literals: tuple[bytes, ...] = ()  # strings the source must hold (custom tags, attribute names)
    # prefixes and values as they stand in a page's source (see prefix_forms, value_forms)
    prefix_forms: tuple[tuple[bytes, bytes], ...] = ()
    value_forms: tuple[tuple[bytes, bytes], ...] = ()


@dataclass(frozen=True, eq=False)
class ListIndex:
    """Every list's rules, indexed: a page is looked up once, however many lists are on."""

    by_token: dict[str, list[ListEntry]]  # keyed by their longest token
    unkeyed: dict[tuple[str, ...], list[ListEntry]]  # uncommon tags needed -> entries needing nothing else
    by_domain: dict[str, list[Rule]]
    signatures: dict[str, Signature]  # selector -> its last compound, worked out once
    by_prefix: list[ListEntry]  # keyed only by [attr^="value"]s
    by_value: dict[str, list[ListEntry]]  # keyed by a whole attribute value ([attr="value"])
    # The unkeyed ones that need a string in the source ("<custom-tag", an attribute's name)
    # filed under their longest such string, found on a page by one scan.
    by_literal: dict[bytes, list[ListEntry]] = field(default_factory=dict)
    literal_forms: tuple[bytes, ...] = ()  # the strings by_literal, by_value and by_prefix look for
    value_of: dict[bytes, str] = field(default_factory=dict)  # `="value"` form -> value, for by_value
    prefixed: dict[bytes, list[ListEntry]] = field(default_factory=dict)  # `="prefix` form -> by_prefix entries


@dataclass(frozen=True)
class ListsInForce:
    """The lists' index and what switches, exceptions and `~domain`s take out on one host."""

    index: ListIndex
    host: str
    off: frozenset[str]  # rule ids switched off here (whole lists off included, by pack)
    off_packs: frozenset[str]  # lists switched off here
    excepted: frozenset[str]  # selectors under a `#@#` exception here
    generic_off: frozenset[str]  # lists under $generichide / $elemhide here
    site_rules: tuple[Rule, ...]


def build_list_index(packs: tuple[RulePack, ...], scanning: bool) -> ListIndex:
    """One index over every list. `scanning`: the page's strings will be found by a scan
    (literal entries and the strings to scan for are worked out only then)."""
    by_token: dict[str, list[ListEntry]] = {}
    unkeyed: dict[tuple[str, ...], list[ListEntry]] = {}
    by_domain: dict[str, list[Rule]] = {}
    signatures: dict[str, Signature] = {}
    by_prefix: list[ListEntry] = []
    by_value: dict[str, list[ListEntry]] = {}
    by_literal: dict[bytes, list[ListEntry]] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.scope.include:
                for domain in rule.scope.include:
                    by_domain.setdefault(domain, []).append(rule)
                signatures[rule.selectors[0]] = signature(rule.selectors[0])
                continue
            for sel in split_selector_list(rule.selectors[0]):
                signatures[sel] = signature(sel)
                needs = needed_tokens(sel)
                plain = frozenset(n for n in needs if n[0] not in "^=")
                prefixes = tuple(n[1:] for n in needs if n[0] == "^")
                exact = frozenset(n[1:] for n in needs if n[0] == "=")
                entry = ListEntry(sel, rule, plain, prefixes, exact,
                                  prefix_forms=tuple(prefix_forms(p) for p in prefixes),
                                  value_forms=tuple(value_forms(v) for v in exact))
                if plain:
                    by_token.setdefault(max(plain, key=len), []).append(entry)
                elif exact:
                    by_value.setdefault(max(exact, key=len), []).append(entry)
                elif prefixes:
                    by_prefix.append(entry)
                elif scanning and (literals := presence_literals(sel)):
                    by_literal.setdefault(max(literals, key=len), []).append(
                        ListEntry(sel, rule, tags=uncommon_tags(sel), literals=literals))
                else:
                    unkeyed.setdefault(uncommon_tags(sel), []).append(ListEntry(sel, rule))
    literals = {lit for entries in by_literal.values() for e in entries for lit in e.literals}
    # Attribute values and value prefixes are looked for as `="value"` / `="prefix` too.
    for entries in (*by_token.values(), *by_value.values()):
        for e in entries:
            literals.update(form for forms in e.value_forms for form in forms)
            literals.update(form for forms in e.prefix_forms for form in forms)
    literals.update(form for e in by_prefix for forms in e.prefix_forms for form in forms)
    value_of = {form: v for v in by_value for form in value_forms(v)}
    prefixed: dict[bytes, list[ListEntry]] = {}
    for entry in by_prefix:
        for form in prefix_forms(max(entry.prefixes, key=len)):
            prefixed.setdefault(form, []).append(entry)
    literal_forms = tuple(sorted(literals)) if scanning else ()
    return ListIndex(by_token, unkeyed, by_domain, signatures, by_prefix, by_value, by_literal, literal_forms,
                     value_of, prefixed)


def lists_in_force(rules: RuleSet, packs: tuple[RulePack, ...], index: ListIndex, host: str,
                   toggles: Toggles) -> ListsInForce:
    off_packs = frozenset(p.id for p in packs if not toggles.pack_on(p, host))
    ids = {p.id for p in packs}
    mentioned = {rid for rid, _on in toggles.rules} | {rid for _site, rid, _on in toggles.site_rules}
    off = frozenset(rid for rid in mentioned if rid.rsplit(".", 1)[0] in ids
                    and rules.rule(rid) is not None and not toggles.rule_on(rules.rule(rid), host))
    excepted = frozenset(e.selector for p in packs for e in p.filter_list.exceptions if e.scope.covers(host))
    generic_off, site_off = set(), set()
    for p in packs:
        for exception in p.filter_list.page_exceptions:
            if any(domain_covers(d, host) for d in exception.domains):
                generic_off.update(ids)
                if exception.kind == "elemhide":
                    site_off.update(ids)
    parts = host.split(".")
    site_rules = tuple(r for i in range(len(parts)) for r in index.by_domain.get(".".join(parts[i:]), ())
                       if r.pack_id not in site_off and r.scope.covers(host))
    return ListsInForce(index, host, off, off_packs, excepted, frozenset(generic_off), site_rules)
