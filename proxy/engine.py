"""The cleaning engine: applies a rule set to one HTML page.

Pure: selectolax (Lexbor) and the stdlib. Cost matters here (the proxy runs this on
every page), so the page is walked by Lexbor as few times as possible: one joined query
for every selector in scope, and text patterns only where a cheap needle test on the
body's text says their phrase is present.
"""
from __future__ import annotations

import bisect
import re
from itertools import chain
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser

try:  # finds every needle in one pass; without it, one bytes.find per needle
    import hyperscan
except ImportError:  # pragma: no cover - a platform without its wheel
    hyperscan = None

from proxy.charset import bom_charset, sniff_charset
from proxy.rules import (MAX_TEXT_MATCH, NO_TOGGLES, Rule, RulePack, RuleSet, TextPattern, Toggles, load_rules,
                         normalize_text)

# Text patterns climb at most this many levels from the element holding their needle.
MAX_TEXT_LEVELS = 4
# Text nodes are joined with this in the page text the needles are looked for in.
SEP = b"\x01"
MAX_NEEDLE_HITS = 64
MAX_NEIGHBOURS = 3
# Wrappers left holding nothing but a removed element go with it, this many levels up.
MAX_COLLAPSE = 3
_PROTECTED_TAGS = frozenset({"html", "head", "body", "main", "#document"})
_NOT_TEXT = frozenset({"script", "style", "template"})
# Page text longer than this is looked at again without the nested scripts and styles
# longer than LONG_RAW_TEXT (see _Page.segments).
LONG_PAGE_TEXT = 32768
LONG_RAW_TEXT = 512
_SVG_LABELS = frozenset({"title", "desc"})
# Pages with more nodes to remove than this are serialized whole: each cut costs a scan of
# the source, and serializing costs about four (measured on the AEB pages).
SPLICE_MAX = 4
_RAW_TEXT = (("<script", "</script"), ("<SCRIPT", "</SCRIPT"), ("<style", "</style"), ("<STYLE", "</STYLE"),
             ("<!--", "-->"))
_RAW_TEXT_B = tuple((a.encode(), b.encode()) for a, b in _RAW_TEXT)


@dataclass(frozen=True)
class GuardLimits:
    """When a rule's matches on a page look like the article, the rule is skipped there."""

    max_text_share: float = 0.3  # of the body's text, over all of one rule's matches
    max_paragraph_share: float = 0.5  # of the page's <p>, inside one match holding the h1 or an <article>
    min_paragraphs: int = 3  # pages with fewer <p> skip the paragraph test


DEFAULT_LIMITS = GuardLimits()


@dataclass(frozen=True)
class CleanResult:
    """What cleaning did. `.html` is the cleaned page (the original when nothing changed)."""

    page: str | bytes  # the cleaned page, or the original as given (bytes: in `.encoding`)
    removed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # rule id -> why the guard skipped it
    changed: bool = False
    paused: bool = False
    error: str | None = None
    encoding: str | None = None
    elapsed_ms: float = 0.0

    @property
    def html(self) -> str:
        page = self.page
        if isinstance(page, str):
            return page
        return page.decode(self.encoding or "utf-8", "replace")

    @property
    def removed_total(self) -> int:
        return sum(self.removed.values())


@dataclass(frozen=True)
class _Signature:
    """What a selector's rightmost compound says about the element it matches."""

    tag: str | None
    classes: frozenset[str]
    id: str | None
    attrs: tuple[tuple[str, str, str], ...] = ()  # [name op "value"]: (name, op, value)
    whole: bool = False  # the compound is all of the selector: fitting it is matching it

    def fits(self, tag: str, classes: set[str], ident: str | None, attributes: dict | None = None) -> bool:
        if not ((self.tag is None or self.tag == tag) and self.classes <= classes
                and (self.id is None or self.id == ident)):
            return False
        for name, op, value in self.attrs:
            have = (attributes or {}).get(name)
            if have is None and name not in (attributes or {}):
                return False
            have = have or ""
            if (op == "=" and have != value) or (op == "^=" and not have.startswith(value)) \
                    or (op == "$=" and not have.endswith(value)) or (op == "*=" and value not in have) \
                    or (op == "~=" and value not in have.split()):
                return False
        return True


@dataclass(frozen=True, eq=False)
class _SelectorRule:
    rule: Rule
    query: str
    signatures: tuple[_Signature, ...]
    # each selector with the uncommon tags it needs: absent from a page, it cannot match
    parts: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Plan:
    """The rules in force for one host under one set of toggles, ready to run."""

    rules: tuple[Rule, ...]
    # (required selector or "", all their selectors joined as one Lexbor query, the rules)
    selector_groups: tuple[tuple[str, str, tuple[_SelectorRule, ...]], ...]
    # (needle, its UTF-8 forms each with its patterns' starts, longest text its patterns
    # match, its patterns)
    needles: tuple[tuple[str, tuple[tuple[bytes, "_Starts"], ...], int, tuple[tuple[Rule, TextPattern], ...]], ...]
    lists: tuple["_ListInForce", ...] = ()  # big adblock lists, matched through an index
    scanner: "_NeedleScanner | None" = None  # where the needles' forms first occur, in one pass
    gate_forms: frozenset[bytes] = frozenset()  # strings the selectors need (see _gate_literals)
    source: "_SourceScanner | None" = None  # finds them, and the lists' strings, in one pass of the page

    @property
    def empty(self) -> bool:
        return not self.selector_groups and not self.needles and not self.lists


# Words so frequent in articles that a phrase holding them is the better needle.
_COMMON_WORDS = frozenset({"this", "that", "more", "like", "read", "with", "from", "your", "have", "will"})


@lru_cache(maxsize=1024)
def compile_plan(rules: RuleSet, host: str, toggles: Toggles = NO_TOGGLES, lang: str = "") -> Plan:
    """The rules in scope for `host` and on under `toggles`; text rules for `lang` (all if "")."""
    pack_on = {p.id: p.enabled for p in rules.packs}
    indexed = {p.id for p in rules.packs if p.adblock or len(p.rules) > LIST_INDEX_MIN}
    active = tuple(i for i, r in enumerate(rules.rules) if r.pack_id not in indexed
                   and r.scope.covers(host) and toggles.rule_on(r, host, pack_on.get(r.pack_id, True)))
    # Most hosts have the same rules in force: they share one compiled plan.
    plan = _compile(rules, active, lang)
    packs = tuple(p for p in rules.packs if p.id in indexed)
    if packs:
        in_force = _lists_in_force(rules, packs, host, toggles)
        plan = Plan(plan.rules, plan.selector_groups, plan.needles, (in_force,), plan.scanner, plan.gate_forms,
                    _source_scanner(plan.gate_forms, in_force.index))
    return plan


@lru_cache(maxsize=256)
def _compile(rules: RuleSet, active_indexes: tuple[int, ...], lang: str) -> Plan:
    every = rules.rules
    active = tuple(every[i] for i in active_indexes)
    by_requirement: dict[str, list[_SelectorRule]] = {}
    for r in active:
        if r.selectors:
            singles = [s for sel in r.selectors for s in split_selector_list(sel)]
            parts = tuple((s, _uncommon_tags(s)) for s in singles)
            by_requirement.setdefault(r.requires or "", []).append(
                _SelectorRule(r, ", ".join(r.selectors), tuple(_signature(s) for s in singles), parts))
    selector_groups = tuple((req, ", ".join(s.query for s in group), tuple(group))
                            for req, group in by_requirement.items())
    entries = [(r, p) for r in active if not (lang and r.lang and lang not in r.lang) for p in r.text]
    groups = _cover_needles(entries)
    needles = tuple((n, tuple((f, _Starts(f, group)) for f in _needle_variants(n)),
                     max(p.max_len for _r, p in group), tuple(group))
                    for n, group in groups.items())
    forms = [f for n, variants, _max, _group in needles if n for f, _starts in variants]
    literals = frozenset({lit for _req, _joined, group in selector_groups for s in group
                          for sel, _tags in s.parts for lit in _gate_bytes(sel)}
                         | {lit for req in by_requirement if req for needs in _alternatives(req) for lit in needs})
    return Plan(active, selector_groups, needles, scanner=_NeedleScanner(forms) if forms and hyperscan else None,
                gate_forms=literals, source=_source_scanner(literals, None))


# Strings looked for as written (not caseless): raw-text openers for splicing, and the
# upper-case attribute names of old pages.
_UPPER_FORMS = (b" CLASS=", b" ID=", b"\tCLASS=", b"\nCLASS=", b"\tID=", b"\nID=")
_EXACT_FORMS = tuple(opener for opener, _closer in _RAW_TEXT_B) + _UPPER_FORMS
_SOURCE_SCANNERS: dict[tuple, tuple] = {}


def _source_scanner(gate_forms: frozenset[bytes], index: "_ListIndex | None") -> "_SourceScanner | None":
    """One scanner for everything looked for in a page's bytes: the selectors' strings,
    the lists' strings (if any), raw-text openers and upper-case attribute names."""
    if hyperscan is None:
        return None
    key = (gate_forms, id(index))
    cached = _SOURCE_SCANNERS.get(key)
    if cached is None or cached[0] is not index:
        caseless = sorted(set(gate_forms) | set(index.literal_forms if index is not None else ()))
        if len(_SOURCE_SCANNERS) > 64:
            _SOURCE_SCANNERS.clear()
        cached = _SOURCE_SCANNERS[key] = (index, _SourceScanner(caseless, _EXACT_FORMS))
    return cached[1]


@dataclass(frozen=True)
class _SourceHits:
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


class _SourceScanner(_Literals):
    """Which of many strings a page's bytes hold, in one Hyperscan pass."""

    def __init__(self, caseless: list[bytes], exact: tuple[bytes, ...]):
        one = hyperscan.HS_FLAG_SINGLEMATCH
        super().__init__((*caseless, *exact), [one | hyperscan.HS_FLAG_CASELESS] * len(caseless) + [one] * len(exact))
        self._caseless = len(caseless)

    def scan(self, data: bytes) -> _SourceHits:
        found: list[int] = []
        self._scan(data, lambda i, _start, _end, _flags, _context: found.append(i))
        split, forms = self._caseless, self.forms
        return _SourceHits(frozenset(forms[i] for i in found if i < split),
                           frozenset(forms[i] for i in found if i >= split))


class _NeedleScanner(_Literals):
    """Where each needle form first occurs in a page's text, found for all of them in one
    Hyperscan pass (SIMD literal matching) rather than one bytes.find per form: most
    needles are absent from most pages, and those present are looked for again from
    their first place on."""

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


# Packs with more rules than this (adblock lists) are matched through a token index.
LIST_INDEX_MIN = 500


@dataclass(frozen=True)
class _ListIndex:
    """One big pack, indexed the way adblockers' cosmetic engines do: generic selectors by
    the class or id their last compound needs, site rules by domain."""

    # token -> (selector, rule, tokens, attribute-value prefixes and whole values it needs)
    by_token: dict[str, list[tuple[str, Rule, frozenset[str], tuple[str, ...], frozenset[str]]]]
    unkeyed: dict[tuple[str, ...], list[tuple[str, Rule]]]  # uncommon tags needed -> (selector, rule)
    by_domain: dict[str, list[Rule]]
    signatures: dict[str, _Signature]  # selector -> its last compound, worked out once
    by_prefix: list[tuple[str, Rule, tuple[str, ...]]]  # keyed only by [attr^="value"]s
    by_value: dict[str, list]  # keyed by a whole attribute value ([attr="value"]), as by_token
    # The unkeyed ones that need a string in the source ("<custom-tag", an attribute's name)
    # filed under their longest such string, found on a page by one scan.
    by_literal: dict[bytes, list[tuple[str, Rule, tuple[str, ...], tuple[bytes, ...]]]] = field(default_factory=dict)
    literal_forms: tuple[bytes, ...] = ()  # the strings by_literal, by_value and by_prefix look for
    value_of: dict[bytes, str] = field(default_factory=dict)  # `="value"` form -> value, for by_value
    prefixed: dict[bytes, list] = field(default_factory=dict)  # `="prefix` form -> by_prefix entries


@dataclass(frozen=True)
class _ListInForce:
    """The lists' merged index and what switches, exceptions and `~domain`s take out on
    one host."""

    index: _ListIndex
    host: str
    off: frozenset[str]  # rule ids switched off here (whole lists off included, by pack)
    off_packs: frozenset[str]  # lists switched off here
    excepted: frozenset[str]  # selectors under a `#@#` exception here
    generic_off: frozenset[str]  # lists under $generichide / $elemhide here
    site_rules: tuple[Rule, ...]


@lru_cache(maxsize=16)
def _list_index(packs: tuple[RulePack, ...]) -> _ListIndex:
    """One index over every list: a page is looked up once, however many lists are on."""
    by_token: dict[str, list] = {}
    unkeyed, by_domain, signatures, by_prefix, by_value, by_literal = {}, {}, {}, [], {}, {}
    for pack in packs:
        for rule in pack.rules:
            if rule.scope.include:
                for domain in rule.scope.include:
                    by_domain.setdefault(domain, []).append(rule)
                signatures[rule.selectors[0]] = _signature(rule.selectors[0])
                continue
            for sel in split_selector_list(rule.selectors[0]):
                signatures[sel] = _signature(sel)
                needs = _needed_tokens(sel)
                plain = frozenset(n for n in needs if n[0] not in "^=")
                prefixes = tuple(n[1:] for n in needs if n[0] == "^")
                exact = frozenset(n[1:] for n in needs if n[0] == "=")
                if plain:
                    by_token.setdefault(max(plain, key=len), []).append((sel, rule, plain, prefixes, exact))
                elif exact:
                    by_value.setdefault(max(exact, key=len), []).append((sel, rule, frozenset(), prefixes, exact))
                elif prefixes:
                    by_prefix.append((sel, rule, prefixes))
                elif hyperscan and (literals := _presence_literals(sel)):
                    by_literal.setdefault(max(literals, key=len), []).append(
                        (sel, rule, _uncommon_tags(sel), literals))
                else:
                    unkeyed.setdefault(_uncommon_tags(sel), []).append((sel, rule))
    literals = {lit for entries in by_literal.values() for _s, _r, _t, lits in entries for lit in lits}
    # Attribute values and value prefixes are looked for as `="value"` / `="prefix` too.
    for entries in (*by_token.values(), *by_value.values()):
        for _sel, _rule, _needs, prefixes, exact in entries:
            literals.update(form for v in exact for form in _value_forms(v))
            literals.update(form for p in prefixes for form in _prefix_forms(p))
    literals.update(form for _sel, _rule, prefixes in by_prefix for p in prefixes for form in _prefix_forms(p))
    value_of = {form: v for v in by_value for form in _value_forms(v)}
    prefixed: dict[bytes, list] = {}
    for entry in by_prefix:
        for form in _prefix_forms(max(entry[2], key=len)):
            prefixed.setdefault(form, []).append(entry)
    literal_forms = tuple(sorted(literals)) if hyperscan else ()
    return _ListIndex(by_token, unkeyed, by_domain, signatures, by_prefix, by_value, by_literal, literal_forms,
                      value_of, prefixed)


@lru_cache(maxsize=None)
def _value_forms(value: str) -> tuple[bytes, bytes]:
    """How an attribute value of exactly `value` stands in a page's source."""
    v = value.encode()
    return b'="' + v + b'"', b"='" + v + b"'"


@lru_cache(maxsize=None)
def _prefix_forms(prefix: str) -> tuple[bytes, bytes]:
    """How an attribute value starting with `prefix` starts in a page's source."""
    p = prefix.encode()
    return b'="' + p, b"='" + p


# Attribute names on nearly every page: not worth looking for.
_COMMON_ATTRS = frozenset("class id href src style title type name rel alt role lang content".split())


def _presence_literals(selector: str) -> tuple[bytes, ...]:
    """Strings the page's source must hold for `selector` to match: "<tag" for each
    uncommon tag it names, the names of the attributes it tests, and its values."""
    found = {b"<" + t.encode() for t in _uncommon_tags(selector)}
    found.update(m.group(1).lower().encode() for m in _ATTR_TEST.finditer(selector)
                 if _depth_at(selector, m.start()) == 0 and len(m.group(1)) >= 4
                 and m.group(1).lower() not in _COMMON_ATTRS)
    found.update(_gate_bytes(selector))
    return tuple(sorted(found))


@lru_cache(maxsize=8192)
def _gate_bytes(selector: str) -> tuple[bytes, ...]:
    return tuple(lit.encode() for lit in _gate_literals(selector))


def _may_match(selectors: str, literals: frozenset[bytes] | None) -> bool:
    """Whether some selector of the list has all its strings in the page (see _gate_literals)."""
    return literals is None or any(all(lit in literals for lit in needs) for needs in _alternatives(selectors))


@lru_cache(maxsize=256)
def _alternatives(selectors: str) -> tuple[tuple[bytes, ...], ...]:
    return tuple(_gate_bytes(sel) for sel in split_selector_list(selectors))


@lru_cache(maxsize=8192)
def _gate_literals(selector: str) -> tuple[str, ...]:
    """Strings the source of a page must hold for `selector` to match there: the class
    names and ids its compounds require and the values its attribute tests name (not
    those in :not() or other parentheses; looked for without regard to case)."""
    found = {t[1:] if t[0] in "=^" else t for t in _needed_tokens(selector)}
    found.update(m.group(3) for m in _ATTR_TEST.finditer(selector)
                 if m.group(3) and _depth_at(selector, m.start()) == 0)
    for m in _HAS.finditer(selector):  # what a one-argument :has() needs, the page needs
        end = _closing_paren(selector, m.end() - 1)
        argument = selector[m.end():end].strip().lstrip(">+~ ")
        if _depth_at(selector, m.start()) == 0 and argument and not _top_level(argument, ","):
            found.update(_gate_literals(argument))
    return tuple(sorted(lit for lit in found if len(lit) >= 3))


_HAS = re.compile(r":(?:-abp-)?has\(")


def _closing_paren(s: str, open_at: int) -> int:
    """Index of the ")" closing the "(" at `open_at` (len(s) if none)."""
    depth = 0
    for i in range(open_at, len(s)):
        depth += s[i] == "("
        depth -= s[i] == ")"
        if depth == 0:
            return i
    return len(s)


def _needed_tokens(selector: str) -> frozenset[str]:
    """Every class and id ("#id") a selector's compounds require (not those in :not()
    or other parentheses): a page lacking one cannot match it."""
    s, needs = selector, set()
    for i in _top_level(s, ".#"):
        name = _LEADING_IDENT.match(s, i + 1)
        if name is None:
            continue
        if name.end() < len(s) and s[name.end()] == "\\":  # escaped characters: not worth decoding, no key
            return frozenset()
        needs.add(name.group(0))
    for m in _EXACT_ATTR.finditer(s):  # [name="value"] at the top level needs that value,
        if _depth_at(s, m.start()) == 0 and m.group(3).strip():  # [name^="v"] a value starting so
            needs.add(("^" if m.group(2) == "^" else "=") + m.group(3))
    return frozenset(needs)


_EXACT_ATTR = re.compile(r'\[\s*([\w:-]+)\s*(\^?)=\s*"([^"]*)"\s*\]')


def _depth_at(s: str, pos: int) -> int:
    depth = 0
    for ch in s[:pos]:
        depth += ch == "("
        depth -= ch == ")"
    return depth


def _lists_in_force(rules: RuleSet, packs: tuple[RulePack, ...], host: str, toggles: Toggles) -> _ListInForce:
    index = _list_index(packs)
    off_packs = frozenset(p.id for p in packs
                          if not toggles.rule_on(Rule(id="", title="", kind="other", pack_id=p.id), host, p.enabled))
    ids = {p.id for p in packs}
    mentioned = {rid for rid, _on in toggles.rules} | {rid for _site, rid, _on in toggles.site_rules}
    off = frozenset(rid for rid in mentioned if rid.rsplit(".", 1)[0] in ids
                    and rules.rule(rid) is not None and not toggles.rule_on(rules.rule(rid), host))
    excepted = frozenset(sel for p in packs for sel, scope in p.exceptions if scope.covers(host))
    generic_off, site_off = set(), set()
    for p in packs:
        for kind, domains in p.page_exceptions:
            if any(host == d or host.endswith("." + d) for d in domains):
                generic_off.update(ids)
                if kind == "elemhide":
                    site_off.update(ids)
    parts = host.split(".")
    site_rules = tuple(r for i in range(len(parts)) for r in index.by_domain.get(".".join(parts[i:]), ())
                       if r.pack_id not in site_off and r.scope.covers(host))
    return _ListInForce(index, host, off, off_packs, excepted, frozenset(generic_off), site_rules)


def _cover_needles(entries: list[tuple[Rule, TextPattern]]) -> dict[str, list[tuple[Rule, TextPattern]]]:
    """Give each text pattern a needle: a word or phrase every match of it contains.

    Each needle costs one search of the page's text, so needles are shared: a greedy set
    cover picks the string contained in the most patterns' phrases ("comment" serves
    "comments are closed" and "log in to comment"). A pattern with alternatives only is
    filed under each of them.
    """
    required = {id(p): [o[0] for o in p.phrase_options if len(o) == 1] for _r, p in entries}
    groups: dict[str, list[tuple[Rule, TextPattern]]] = {}
    left = [e for e in entries if required[id(e[1])]]
    while left:
        candidates = {c for _rule, pat in left for s in required[id(pat)]
                      for c in [_short(s), *(w for w in s.split(" ") if len(w) >= 4)]}
        counts = {c: sum(1 for _r, p in left if any(c in s for s in required[id(p)])) for c in candidates}
        # Not a word found everywhere (each place it occurs costs a look); then the one
        # serving most patterns; then a single word (bytes search is slowest on phrases
        # ending in a common letter or a space), then the longer (rarer) one.
        best = max(counts, key=lambda c: (c not in _COMMON_WORDS, counts[c], " " not in c, len(c)))
        covered = [e for e in left if any(best in s for s in required[id(e[1])])]
        groups.setdefault(best, []).extend(covered)
        left = [e for e in left if not any(best in s for s in required[id(e[1])])]
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
        forms.add(phrase.upper())  # bytes.lower() folds ASCII only
    return tuple(f.encode() for f in forms)


_BUILTIN: RuleSet | None = None


def builtin_rules() -> RuleSet:
    global _BUILTIN
    if _BUILTIN is None:
        _BUILTIN = load_rules()
    return _BUILTIN


def path_of(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "/"
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def clean_page(html: str | bytes, url: str = "", rules: RuleSet | None = None,
               toggles: Toggles = NO_TOGGLES, limits: GuardLimits = DEFAULT_LIMITS,
               content_type: str | None = None) -> CleanResult:
    """Remove what the rules in scope for `url` match; never raises.

    Bytes are decoded by their charset (`content_type`'s, a BOM's, `<meta>`'s, or a
    detector's); UTF-8 goes to Lexbor as it is. On any failure the original page comes
    back with `.error` set.
    """
    start = time.perf_counter()
    try:
        prepared = prepare(html, content_type)
    except Exception as exc:  # noqa: BLE001 - never lose a page: hand back the original
        return CleanResult(html, error=f"{type(exc).__name__}: {exc}", elapsed_ms=_ms(start))
    return clean_prepared(prepared, url, rules, toggles, limits, started=start)


@dataclass(frozen=True)
class Prepared:
    """A page decoded and parsed, ready for the rules (see `prepare`)."""

    page: str | bytes  # the page as given (UTF-8 bytes as they came), or decoded text
    encoding: str | None
    tree: LexborHTMLParser | None  # None for an empty page
    data: bytes | None = None  # the UTF-8 (or ASCII-compatible) bytes Lexbor parsed, when there are any


def prepare(html: str | bytes, content_type: str | None = None) -> Prepared:
    """Decode and parse a page. The parse is most of the time and Lexbor releases the GIL
    while parsing, so the proxy calls this off its event loop."""
    encoding = None
    page: str | bytes = html
    parsed: str | bytes = html  # what Lexbor gets
    data = None
    if isinstance(html, (bytes, bytearray, memoryview)):
        page, encoding = _parser_input(bytes(html), content_type)
        parsed = page
        # Bytes to scan: UTF-8 as it came, or (a rare page in another charset) re-encoded.
        data = page if isinstance(page, bytes) else page.encode("utf-8", "surrogatepass")
    elif html:
        try:  # Lexbor reads UTF-8: encoding here costs the parse nothing, and the bytes serve the scanners
            data = parsed = html.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: selectolax's own conversion copes
            data = None
    tree = LexborHTMLParser(parsed) if page else None
    return Prepared(page, encoding, tree, data)


def clean_prepared(prepared: Prepared, url: str = "", rules: RuleSet | None = None,
                   toggles: Toggles = NO_TOGGLES, limits: GuardLimits = DEFAULT_LIMITS,
                   started: float | None = None) -> CleanResult:
    """`clean_page` for a page `prepare` already parsed; never raises."""
    start = time.perf_counter() if started is None else started
    page, encoding = prepared.page, prepared.encoding
    try:
        host = host_of(url)
        if toggles.is_paused(host):
            return CleanResult(page, paused=True, encoding=encoding, elapsed_ms=_ms(start))
        ruleset = rules if rules is not None else builtin_rules()
        plan = compile_plan(ruleset, host, toggles)
        if plan.empty or prepared.tree is None:
            return CleanResult(page, encoding=encoding, elapsed_ms=_ms(start))
        removed, skipped, out = _clean(prepared.tree, page, plan, limits, ruleset, host, toggles, path_of(url),
                                       prepared.data)
        return CleanResult(out if removed else page, removed, skipped, bool(removed),
                           encoding=encoding, elapsed_ms=_ms(start))
    except Exception as exc:  # noqa: BLE001 - never lose a page: hand back the original
        return CleanResult(page, error=f"{type(exc).__name__}: {exc}", encoding=encoding, elapsed_ms=_ms(start))


def _parser_input(data: bytes, content_type: str | None) -> tuple[str | bytes, str]:
    """What to hand Lexbor: UTF-8 bytes as they are (no decode and re-encode), other
    charsets decoded to text."""
    codec, _how = sniff_charset(data, content_type)
    bom = bom_charset(data)
    body = data[bom[1]:] if bom else data
    if codec == "utf-8":
        return body, codec
    return body.decode(codec, errors="replace"), codec


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def page_language(tree: LexborHTMLParser) -> str:
    """Primary language subtag of `<html lang>` ("" if the page does not say)."""
    root = tree.root
    if root is None:
        return ""
    attrs = root.attributes
    lang = attrs.get("lang") or attrs.get("xml:lang") or ""
    return lang.split("-", 1)[0].split("_", 1)[0].strip().lower()


def _guess_language(low: bytes) -> str:
    """"en" for a page without `<html lang>` whose text reads as English ("the" and
    "and" throughout), else "" (every language's text rules run)."""
    the = low.count(b" the ")
    return "en" if the >= 5 and the * 4000 >= len(low) and low.count(b" and ") >= 2 else ""


def _clean(tree: LexborHTMLParser, text: str | bytes, plan: Plan, limits: GuardLimits, rules: RuleSet,
           host: str, toggles: Toggles, path: str = "/", data: bytes | None = None
           ) -> tuple[dict[str, int], dict[str, str], str | bytes]:
    body = tree.body
    if body is None:
        return {}, {}, text
    page = _Page(tree, body, path, data)
    page.scanner = plan.source  # the same for every language's plan
    if plan.needles:
        lang = page_language(tree) or _guess_language(page.segments[1])
        if lang:
            plan = compile_plan(rules, host, toggles, lang)
    targets: dict[str, list] = {}
    if plan.selector_groups:
        _match_selectors(page, plan, targets)
    if plan.needles:
        _match_text(page, plan, targets)
    if plan.lists:
        _match_lists(page, plan, text, targets)
    if not targets:
        return {}, {}, text
    skipped: dict[str, str] = {}
    final: list[tuple[str, object]] = []
    for rule_id, nodes in targets.items():
        rule = rules.rule(rule_id)
        nodes = _widen(page, rule, nodes)
        reason = _guard(page, nodes, limits)
        if reason:
            skipped[rule_id] = reason
            continue
        final.extend((rule_id, n) for n in nodes)
    outermost = _outermost(final)
    removed: dict[str, int] = {}
    for rule_id, _node in outermost:
        removed[rule_id] = removed.get(rule_id, 0) + 1
    if not outermost:
        return removed, skipped, text
    hits = page.hits()
    spliced = _splice(text, [node for _rule_id, node in outermost], hits.exact if hits is not None else None)
    if spliced is not None:
        return removed, skipped, spliced
    for _rule_id, node in outermost:
        node.decompose()
    return removed, skipped, tree.html


class _Page:
    """One parsed page and what has been worked out about it, computed on demand."""

    def __init__(self, tree: LexborHTMLParser, body, path: str = "/", data: bytes | None = None):
        self.tree = tree
        self.body = body
        self.path = path  # the URL's path and query, for `:matches-path()`
        self.data = data  # the page's bytes, for the source scanner
        self.scanner: _SourceScanner | None = None
        self._hits: _SourceHits | None = None
        self._text: str | None = None
        self._segments: tuple[bytes, bytes] | None = None
        self._left_out: set[int] = set()  # long nested scripts and styles, not in the segments
        self._visible: int | None = None
        self._paragraphs: int | None = None
        self._queries: dict[str, set[int]] = {}
        self._has: dict[str, bool] = {}
        self._tags: dict[str, bool] = {}

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.body.text(deep=True)
        return self._text

    @property
    def segments(self) -> tuple[bytes, bytes]:
        """The body's text nodes joined by SEP as UTF-8, and the same ASCII-lower-cased.

        Scripts and styles directly under <body> are left out: on news pages they are
        most of the text, and no clutter phrase is in them. When the text is still long,
        it is mostly scripts nested in wrappers (JSON state, ad set-ups): it is collected
        again without the long ones.
        """
        if self._segments is None:
            text = self._text_of(self.body, set())
            if len(text) > LONG_PAGE_TEXT:
                holders = self._long_raw_text()
                if holders:
                    text = self._text_of(self.body, holders)
            raw = text.encode("utf-8", "surrogatepass")
            self._segments = (raw, raw.lower())
        return self._segments

    def _text_of(self, node, holders: set[int]) -> str:
        """`node`'s text nodes joined by SEP, child by child, descending into `holders`
        (elements holding a long script or style) and leaving out what is in `_left_out`."""
        sep, left_out, top = SEP.decode(), self._left_out, node.tag == "body"
        parts = []
        for child in node.iter(include_text=True):
            if child.tag in _NOT_TEXT and (top or child.mem_id in left_out):
                continue
            if child.mem_id in holders:
                text = self._text_of(child, holders)
            else:  # whitespace-only nodes (indentation between tags) are no one's text
                text = child.text(deep=True, separator=sep, skip_empty=True)
            if text:
                parts.append(text)
        return sep.join(parts)

    def _long_raw_text(self) -> set[int]:
        """Note the long scripts and styles nested in <body> in `_left_out`; return the
        elements between them and <body>."""
        holders: set[int] = set()
        for tag in ("script", "style"):
            for node in self.tree.tags(tag):
                parent = node.parent
                if parent is None or parent.tag in ("body", "head") or len(node.text()) <= LONG_RAW_TEXT:
                    continue
                self._left_out.add(node.mem_id)
                while parent is not None and parent.tag not in ("body", "head", "html") \
                        and parent.mem_id not in holders:
                    holders.add(parent.mem_id)
                    parent = parent.parent
        return holders

    @property
    def visible_bytes(self) -> int:
        """UTF-8 length of the body's text without scripts and styles (for the guard)."""
        if self._visible is None:
            raw = self.segments[0]
            nested = sum(len(n.text(deep=True).encode("utf-8", "surrogatepass"))
                         for n in find(self.body, "script, style, template")
                         if n.parent.tag != "body" and n.mem_id not in self._left_out)
            self._visible = len(raw) - raw.count(SEP) - nested
        return self._visible

    def hits(self) -> _SourceHits | None:
        """What the plan's source scanner found in the page's bytes (None: no scanner)."""
        if self._hits is None and self.scanner is not None and self.data is not None:
            self._hits = self.scanner.scan(self.data)
        return self._hits

    @property
    def paragraphs(self) -> int:
        if self._paragraphs is None:
            self._paragraphs = len(find(self.body, "p"))
        return self._paragraphs

    def has(self, selector: str) -> bool:
        """Whether an element of <head> matches (cached: requirements are shared by rules)."""
        found = self._has.get(selector)
        if found is None:
            head = self.tree.head
            found = self._has[selector] = head is not None and bool(find_first(head, selector))
        return found

    def has_tag(self, tag: str) -> bool:
        found = self._tags.get(tag)
        if found is None:
            found = self._tags[tag] = bool(self.tree.tags(tag))
        return found

    def ids(self, selector: str) -> set[int]:
        found = self._queries.get(selector)
        if found is None:
            found = self._queries[selector] = {n.mem_id for n in find(self.body, selector)}
        return found


def _match_selectors(page: _Page, plan: Plan, targets: dict[str, list]) -> None:
    # Each selector costs Lexbor a look at every element: one needing a class name, id or
    # attribute value the page's source does not hold at all is left out of the query.
    hits = page.hits()
    # Only the selectors' own strings: the same set on many pages, so _gated's cache holds.
    literals = hits.caseless & plan.gate_forms if hits is not None else None
    for requirement, joined, selector_rules in plan.selector_groups:
        if requirement and not (_may_match(requirement, literals) and page.has(requirement)):
            continue
        gates = _gate_tags(selector_rules)
        if gates or literals is not None:
            # Lexbor finds elements by tag name without a walk: selectors needing a tag
            # the page lacks (<symbol>, <noscript>…) are left out of the query too.
            joined, selector_rules = _gated(selector_rules, frozenset(t for t in gates if page.has_tag(t)), literals)
            if not joined:
                continue
        hits = find(page.body, joined)
        if hits:
            _attribute(page, hits, selector_rules, targets)


@lru_cache(maxsize=256)
def _gate_tags(selector_rules: tuple[_SelectorRule, ...]) -> tuple[str, ...]:
    return tuple(sorted({t for s in selector_rules for _sel, gates in s.parts for t in gates}))


@lru_cache(maxsize=1024)
def _gated(selector_rules: tuple[_SelectorRule, ...], present: frozenset[str],
           literals: frozenset[bytes] | None = None) -> tuple[str, tuple[_SelectorRule, ...]]:
    """The query and rules left when only the `present` gate tags, and (unless None)
    only the `literals` of the selectors' strings, are in the page."""
    live = []
    for s in selector_rules:
        usable = [sel for sel, gates in s.parts if all(t in present for t in gates)
                  and (literals is None or all(lit in literals for lit in _gate_bytes(sel)))]
        if usable:
            live.append((s, usable))
    return ", ".join(sel for _s, usable in live for sel in usable), tuple(s for s, _usable in live)


_SELECTORS = threading.local()


def _engine() -> LexborCSSSelector:
    engine = getattr(_SELECTORS, "engine", None)
    if engine is None:
        engine = _SELECTORS.engine = LexborCSSSelector()
    return engine


def find(node, query: str) -> list:
    """`node.css(query)` with one Lexbor selector engine per thread, not one per page."""
    return _engine().find(query, node)


def find_first(node, query: str) -> list:
    """`[node.css_first(query)]`, or [] (same shared engine)."""
    return _engine().find_first(query, node)


# Quoted attribute values, either quote, in one pass (a second pass for '…' would cost a
# whole scan of the source again).
_VALUES = re.compile(r"""=(?:"([^"]*)"|'([^']*)')""")
_VALUES_B = re.compile(rb"""=(?:"([^"]*)"|'([^']*)')""")


def page_tokens(source: str | bytes) -> tuple[set[str], set[str], "_Prefixes"]:
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
    return tokens, distinct, _Prefixes(distinct)


_UPPER_SET = frozenset(_UPPER_FORMS)
# A quoted value right after `class=` or `id=`: one pass, found at each "=" and checked
# backwards (faster than a pass per attribute name).
_CLASS_ID = re.compile(rb"""=(?:(?<=class=)|(?<=id=))(?:"([^"]*)"|'([^']*)')""")


def class_and_id_words(data: bytes, upper: bool = False) -> set[str]:
    """The words of a page's class and id attributes (and of anything named *class= or
    *id=, which only adds candidates); `upper`-case attribute names, as old pages write
    them, send it to reading every attribute value."""
    if upper:
        return page_tokens(data)[0]
    values = set(chain.from_iterable(_CLASS_ID.findall(data)))
    return set(b" ".join(values).decode("utf-8", "replace").split())


class _Prefixes:
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


def _match_lists(page: _Page, plan: Plan, source: str | bytes, targets: dict[str, list]) -> None:
    hits = page.hits()
    scanned = hits is not None and all(f.index.literal_forms for f in plan.lists)
    if scanned:
        # Class names and ids from their attributes alone; attribute values and prefixes
        # are found by the page's one scan.
        tokens, whole, values = class_and_id_words(page.data, bool(hits.exact & _UPPER_SET)), None, None
    else:
        tokens, whole, values = page_tokens(source)
    for in_force in plan.lists:
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
            def has_value(v: str) -> bool:
                return any(form in present for form in _value_forms(v))

            def has_prefix(p: str) -> bool:
                return any(form in present for form in _prefix_forms(p))
        else:
            def has_value(v: str) -> bool:
                return v in whole

            def has_prefix(p: str) -> bool:
                return p in values

        # The page's few hundred tokens looked up in the index, not the other way round
        # (`set & dict.keys()` would copy tens of thousands of keys on every page).
        value_keys = whole if present is None else {index.value_of[f] for f in present if f in index.value_of}
        for keys, table in ((tokens, index.by_token), (value_keys, index.by_value)):
            for key in table.keys() & keys:
                for sel, rule, needs, prefixes, exact in table[key]:
                    if needs <= tokens and all(has_value(v) for v in exact) and all(has_prefix(p) for p in prefixes):
                        take(sel, rule)
        for sel, rule, prefixes in (index.by_prefix if present is None else
                                    {id(e): e for f in present for e in index.prefixed.get(f, ())}.values()):
            if all(has_prefix(p) for p in prefixes):
                take(sel, rule)
        for tags, entries in index.unkeyed.items():
            if all(page.has_tag(t) for t in tags):
                for sel, rule in entries:
                    take(sel, rule)
        if index.by_literal:
            for key in (present if present is not None else index.by_literal):
                for sel, rule, tags, literals in index.by_literal.get(key, ()):
                    if (present is None or all(lit in present for lit in literals)) \
                            and all(page.has_tag(t) for t in tags):
                        take(sel, rule)
        if generic_off:
            for rid in [rid for rid, r in rules.items() if r.pack_id in generic_off]:
                del chosen[rid], rules[rid]
        for rule in in_force.site_rules:
            take(rule.selectors[0], rule)
        if not chosen:
            continue
        sigs = index.signatures
        selector_rules = tuple(_SelectorRule(rules[rid], ", ".join(sels),
                                             tuple(sigs.get(s) or _signature(s) for s in sels))
                               for rid, sels in chosen.items())
        hits = find(page.body, ", ".join(s.query for s in selector_rules))
        if not hits:
            continue
        found: dict[str, list] = {}
        _attribute(page, hits, selector_rules, found, per_page=True)
        for rid, nodes in found.items():
            kept = _procedure(page, rules[rid], nodes)
            if kept:
                targets.setdefault(rid, []).extend(kept)


def _procedure(page: _Page, rule: Rule, nodes: list) -> list:
    """uBO's procedural steps on what the CSS part matched: text, length, path, upward."""
    steps = rule.procedure
    if steps is None:
        return nodes
    if steps.path is not None and not steps.path.search(page.path):
        return []
    out = []
    for node in nodes:
        if steps.text is not None or steps.min_text_length:
            text = node.text(deep=True)
            if steps.text is not None and not steps.text.search(text):
                continue
            if len(text) < steps.min_text_length:
                continue
        out.append(_upward(page, node, steps.upward) if steps.upward is not None else node)
    return out


def _attribute(page: _Page, hits: list, selector_rules: tuple[_SelectorRule, ...], targets: dict[str, list],
               per_page: bool = False) -> None:
    """Which rule matched each element of a joined query: by the selectors' last
    compound where that decides it, by the rule's own query where it does not.
    `per_page`: the rules were picked for this page alone (not worth caching)."""
    if len(selector_rules) == 1:
        targets.setdefault(selector_rules[0].rule.id, []).extend(hits)
        return
    keyed = _by_key.__wrapped__(selector_rules) if per_page else _by_key(selector_rules)
    for node in hits:
        attrs = node.attributes
        classes = set((attrs.get("class") or "").split())
        ident = attrs.get("id")
        tag = node.tag
        # Only rules with a signature keyed by this element's id, a class, an attribute,
        # its tag, or by nothing can fit it; in their original order (the first rule is
        # credited).
        order = {*keyed.get("*", ()), *keyed.get("t" + tag, ()), *keyed.get("#" + (ident or ""), ()),
                 *(i for c in classes for i in keyed.get("." + c, ())),
                 *(i for a in attrs for i in keyed.get("@" + a, ()))}
        candidates, sure = [], None
        for i in sorted(order):
            rule = selector_rules[i]
            for sig in rule.signatures:
                if sig.fits(tag, classes, ident, attrs):
                    if sig.whole:  # this selector is all in its last compound: it matched
                        sure = rule
                    elif not candidates or candidates[-1] is not rule:
                        candidates.append(rule)
                    if sure is not None:
                        break
            if sure is not None:
                break
        if sure is None and len(candidates) > 1:
            # Several rules fit (attribute-only list selectors fit any element): the node
            # is removed all the same; credit the first rule whose own query matches it.
            sure = next((s for s in candidates if node.css_matches(s.query)), candidates[0])
        elif sure is None and candidates:
            sure = candidates[0]
        if sure is not None:
            targets.setdefault(sure.rule.id, []).append(node)


@lru_cache(maxsize=256)
def _by_key(selector_rules: tuple[_SelectorRule, ...]) -> dict[str, tuple[int, ...]]:
    """Rule positions by one thing each signature needs: "#id", ".class", "@" + an
    attribute name, "t" + tag, or "*" for a signature needing none of them."""
    keyed: dict[str, list[int]] = {}
    for i, s in enumerate(selector_rules):
        for sig in s.signatures:
            key = ("#" + sig.id if sig.id else "." + min(sig.classes) if sig.classes
                   else "@" + sig.attrs[0][0] if sig.attrs else "t" + sig.tag if sig.tag else "*")
            keyed.setdefault(key, []).append(i)
    return {k: tuple(v) for k, v in keyed.items()}


def _match_text(page: _Page, plan: Plan, targets: dict[str, list]) -> None:
    claimed: set[int] = set()  # matched elements and their ancestors
    first = plan.scanner.first(page.segments[1]) if plan.scanner is not None else None
    for needle, forms, max_len, entries in plan.needles:
        if needle and not _phrase_present(page, forms, max_len, first):
            continue
        seen = set(claimed)
        for node in _holding(page, needle, forms):
            current = node
            for _ in range(MAX_TEXT_LEVELS):
                if current is None or current.tag in _PROTECTED_TAGS or current.mem_id in seen:
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
                            and pat.full.fullmatch(norm) and (not rule.requires or page.has(rule.requires))), None)
                if hit is not None:
                    targets.setdefault(hit.id, []).append(current)
                    claimed.add(current.mem_id)
                    _mark_ancestors(current, claimed)
                    _mark_ancestors(current, seen)
                    break
                current = current.parent


def _phrase_present(page: _Page, forms: tuple[tuple[bytes, "_Starts"], ...], max_len: int,
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
                if live and _windows_match(raw, lo, hi, max_len, live):
                    return True
            pos = low.find(form, hi)
    return False


class _Starts:
    """A needle's patterns grouped by what their literal start says about the text
    before the needle, so each place the needle occurs is vetted with a few slices."""

    def __init__(self, form: bytes, entries) -> None:
        self.adjacent: dict[bytes, list] = {}  # text right before the needle -> patterns
        self.distant: dict[bytes, list] = {}  # a start somewhere before the needle -> patterns
        self.free: list = []  # patterns with no literal start to go by
        for entry in entries:
            head = entry[1].head
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


def _windows_match(raw: bytes, lo: int, hi: int, max_len: int, entries) -> bool:
    """Try the needle's text node alone and joined with its neighbours: an element's
    text is a run of consecutive text nodes."""
    own = _segment_len(raw, lo, hi)
    entries = [e for e in entries if e[1].max_len >= own]
    if not entries:
        return False
    max_len = max(p.max_len for _r, p in entries)
    before, after = [], []  # (offset, running length)
    start, total = lo, own
    for _ in range(MAX_NEIGHBOURS):
        if start == 0:
            break
        prev = raw.rfind(SEP, 0, start - 1) + 1
        total += _segment_len(raw, prev, start - 1)
        if total > max_len:
            break
        before.append(prev)
        start = prev
    end, total = hi, own
    for _ in range(MAX_NEIGHBOURS):
        if end >= len(raw):
            break
        nxt = raw.find(SEP, end + 1)
        nxt = len(raw) if nxt < 0 else nxt
        total += _segment_len(raw, end + 1, nxt)
        if total > max_len:
            break
        after.append(nxt)
        end = nxt
    # Any match lies inside the widest run: one search there rules most needles out.
    widest = normalize_text(raw[before[-1] if before else lo:after[-1] if after else hi]
                            .replace(SEP, b"").decode("utf-8", "replace"))
    live = [p for _r, p in entries if p.full.search(widest)]
    if not live:
        return False
    for start in [lo, *before]:
        for end in [hi, *after]:
            norm = normalize_text(raw[start:end].replace(SEP, b"").decode("utf-8", "replace"))
            if norm and len(norm) <= max_len and any(len(norm) <= p.max_len and p.full.fullmatch(norm)
                                                     for p in live):
                return True
    return False


def _segment_len(raw: bytes, lo: int, hi: int) -> int:
    """Characters of one text node once whitespace is collapsed (close enough, cheaply)."""
    chunk = raw[lo:hi]
    if len(chunk) > 256:
        return len(normalize_text(chunk.decode("utf-8", "replace")))
    return len(chunk.strip()) if chunk.isascii() else len(chunk.decode("utf-8", "replace").strip())


def _holding(page: _Page, needle: str, forms) -> list:
    """Elements whose own text holds the needle (Lexbor's contains(), ASCII case-blind)."""
    if not needle:
        return page.body.css(":not(script, style, template)")
    found = []
    for form, _starts in forms:
        # Lexbor looks at one text node: a phrase may be split by inline tags, a word is not.
        word = max(form.decode().split(" "), key=len)
        found.extend(find(page.body, f':not(script, style, template):lexbor-contains("{_css_string(word)}" i)'))
    return found


def _mark_ancestors(node, seen: set[int]) -> None:
    """Once an element matched, no ancestor of it is a candidate (smallest wins)."""
    parent = node.parent
    while parent is not None and parent.mem_id not in seen:
        seen.add(parent.mem_id)
        parent = parent.parent


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _widen(page: _Page, rule: Rule, nodes: list) -> list:
    if rule.strip:
        return [child for n in nodes for child in n.css(rule.strip)]
    out = []
    for node in nodes:
        if rule.upward is not None:
            node = _upward(page, node, rule.upward)
        out.append(_collapse(node))
    return out


def _upward(page: _Page, node, upward: int | str):
    if isinstance(upward, int):
        current = node
        for _ in range(upward):
            parent = current.parent
            if parent is None or parent.tag in _PROTECTED_TAGS:
                break
            current = parent
        return current
    wanted = page.ids(upward)
    current = node.parent
    while current is not None and current.tag not in _PROTECTED_TAGS:
        if current.mem_id in wanted:
            return current
        current = current.parent
    return node


def _collapse(node):
    """Widen to wrappers whose only content is this node (no empty husks left)."""
    for _ in range(MAX_COLLAPSE):
        parent = node.parent
        if parent is None or parent.tag in _PROTECTED_TAGS or parent.tag == "article":
            break
        children = [c for c in parent.iter(include_text=True)
                    if c.tag != "-text" or (c.text_content or "").strip()]
        if len(children) != 1:
            break
        node = parent
    return node


def _guard(page: _Page, nodes: list, limits: GuardLimits) -> str | None:
    """Why removing these nodes would take the article, or None when it is safe."""
    removed = 0
    for node in nodes:
        tag = node.tag
        if tag in _SVG_LABELS:  # labels inside an <svg>: never page text, never the article
            continue
        if tag in _PROTECTED_TAGS:
            return f"would remove <{tag}>"
        landmark = next(iter(find_first(node, "main, body, article, h1")), None)  # one walk for all
        if landmark is not None or tag == "article":
            if landmark is not None and landmark.tag in ("main", "body"):
                return f"would remove <{landmark.tag}>"
            holds_article = tag == "article" or bool(find_first(node, "article"))
            total = page.paragraphs
            if total >= limits.min_paragraphs:
                inside = len(find(node, "p"))
                if inside > limits.max_paragraph_share * total:
                    what = "<article>" if holds_article else "<h1>"
                    return f"would remove the element holding the {what} and {inside} of {total} paragraphs"
        removed += len(node.text(deep=True).strip().encode("utf-8", "surrogatepass"))
    if removed * 100 < len(page.segments[0]):
        return None  # under 1 % of the text: no need to work out exactly how much is visible
    visible = page.visible_bytes
    if visible and removed > limits.max_text_share * visible:
        return f"would remove {removed * 100 // visible}% of the page's text"
    return None


def _outermost(final: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The targets not inside another target (removing a node removes its subtree)."""
    chosen: dict[int, tuple[str, object]] = {}
    for rule_id, node in final:  # the first rule to reach a node is credited with it
        chosen.setdefault(node.mem_id, (rule_id, node))
    return [(rule_id, node) for rule_id, node in chosen.values() if not has_ancestor_in(node, chosen)]


def has_ancestor_in(node, ids) -> bool:
    """Whether an ancestor of `node` has its `mem_id` in `ids` (a node freed frees its
    subtree: only the outermost of nested nodes may be decomposed)."""
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _splice(source: str | bytes, nodes: list, openers: frozenset[bytes] | None = None) -> str | bytes | None:
    """Cut the nodes out of the page's own source, leaving every other byte as it came.

    Works when each node's markup stands in the source exactly as Lexbor writes it
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
        pairs = tuple(pair for pair, b in zip(_RAW_TEXT_B if as_bytes else _RAW_TEXT, _RAW_TEXT_B) if b[0] in openers)
    else:
        pairs = tuple(pair for pair in (_RAW_TEXT_B if as_bytes else _RAW_TEXT) if pair[0] in source)
    spans = []
    for node in nodes:
        markup = node.html
        if not markup:
            return None
        needle = markup.encode("utf-8") if as_bytes else markup
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


_ATTR_TEST = re.compile(r'\[\s*([\w:-]+)\s*(?:([~^$*]?=)\s*"([^"]*)"\s*)?\]')


def _signature(selector: str) -> _Signature:
    compound = _rightmost_compound(selector)
    attrs, simple = (), False
    rest = _ATTR_TEST.sub("", compound)
    if "[" not in rest and "(" not in rest and ":" not in rest:  # every test in it understood
        attrs = tuple((m.group(1).lower(), m.group(2) or "", m.group(3) or "") for m in _ATTR_TEST.finditer(compound))
        simple = compound == selector.strip() and "\\" not in compound
    sig = _signature_of(compound)
    return _Signature(sig.tag, sig.classes, sig.id, attrs, simple)


def _signature_of(compound: str) -> _Signature:
    tag, classes, ident = None, set(), None
    if "\\" in compound:  # escaped names are not decoded: a signature that fits any element
        return _Signature(None, frozenset(), None)
    i, depth, n = 0, 0, len(compound)
    # Leading type selector.
    j = 0
    while j < n and (compound[j].isalnum() or compound[j] in "-_"):
        j += 1
    if j:
        tag = compound[:j].lower()
    i = j
    while i < n:
        ch = compound[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch in ".#":
            k = i + 1
            while k < n and (compound[k].isalnum() or compound[k] in "-_"):
                k += 1
            name = compound[i + 1:k]
            if ch == "." and name:
                classes.add(name)
            elif name:
                ident = name
            i = k
            continue
        i += 1
    return _Signature(tag, frozenset(classes), ident)


# Tags on nearly every page: looking them up would cost more than it could save.
_COMMON_TAGS = frozenset("""html head body div span a p li ul ol img script link meta style i b u s em strong
br hr section article header footer nav aside main button input form label select option textarea h1 h2 h3
h4 h5 h6 figure figcaption picture source svg path g use time small table thead tbody tr td th blockquote
iframe noscript""".split()) - {"iframe", "noscript"}


def _top_level(selector: str, chars: str) -> list[int]:
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


def _compounds(selector: str) -> list[str]:
    """A complex selector's compounds, split at its combinators."""
    s = selector.strip()
    return _split_at(s, _top_level(s, " >+~"))


def _uncommon_tags(selector: str) -> tuple[str, ...]:
    """Tags the selector's compounds name (outside :not() and friends) that are rare enough
    to be worth checking for before querying."""
    tags = [m.group(0).lower() for c in _compounds(selector) if (m := _LEADING_IDENT.match(c))]
    return tuple(t for t in dict.fromkeys(tags) if t not in _COMMON_TAGS)


_LEADING_IDENT = re.compile(r"[\w-]+")


def split_selector_list(selectors: str) -> list[str]:
    """Split "a, b:is(c, d)" at its top-level commas."""
    return _split_at(selectors, _top_level(selectors, ","))


def _rightmost_compound(selector: str) -> str:
    compounds = _compounds(selector)
    return compounds[-1] if compounds else ""
