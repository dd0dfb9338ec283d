"""The rule model: typed, frozen records every parser emits and the engine reads.

Pure: the stdlib and `regex`. A pack read from an adblock list says so (`RulePack.filter_list`);
nothing is inferred from a pack's size.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import regex

# A compiled pattern: the stdlib's (built-in packs, literals) or the `regex` module's,
# which the engine runs under a time limit (see rules.text).
Matcher = re.Pattern | regex.Pattern

KINDS = ("icon-sprites", "share-prompts", "comment-notices", "related-promos", "other")

# Longest element text a text pattern is tried on; clutter phrases are short.
MAX_TEXT_MATCH = 2000
# How far a match may be widened by a number of levels (a rule's `upward`, uBlock
# Origin's `:upward(n)`): uBO's own bound.
MAX_UPWARD = 256


def domain_covers(domain: str, host: str) -> bool:
    """Whether `domain` (a rule's or switch's site) covers `host`: itself or a subdomain."""
    domain = domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def normal_host(host: str) -> str:
    return host.lower().rstrip(".")


@dataclass(frozen=True)
class RuleError:
    """One problem found while loading rules, located by file and line."""

    path: str
    line: int
    message: str
    rule_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.rule_id}: {self.message}" if self.rule_id else f"{where}: {self.message}"


class RulesInvalid(ValueError):
    """Raised when rules were required to load cleanly but did not."""

    def __init__(self, errors: list[RuleError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class TextPattern:
    """A text pattern: `full` must match an element's whole normalised text."""

    source: str
    full: Matcher
    needles: tuple[str, ...]  # lower-case words, one of which any match contains (() if none)
    options: tuple[tuple[str, ...], ...] = ()  # every such word set a match must satisfy
    phrases: tuple[str, ...] = ()  # up to three words a match contains verbatim, or alternatives
    phrase_options: tuple[tuple[str, ...], ...] = ()  # every such phrase set a match must satisfy
    head: str = ""  # lower-case literal text every match starts with ("" if none is known)
    max_len: int = MAX_TEXT_MATCH  # no longer text can match


@dataclass(frozen=True)
class Scope:
    """Domains a rule runs on: all by default, includes narrow, ~excludes remove."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def covers(self, host: str) -> bool:
        host = normal_host(host)
        if any(domain_covers(d, host) for d in self.exclude):
            return False
        return not self.include or any(domain_covers(d, host) for d in self.include)


@dataclass(frozen=True)
class Procedure:
    """Tests applied to what a list rule's CSS part matched (uBlock Origin's procedural
    operators that work on a static page)."""

    text: Matcher | None = None  # :has-text — the element's text contains a match
    min_text_length: int = 0  # :min-text-length
    path: Matcher | None = None  # :matches-path — the page's path (and query)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    kind: str
    pack_id: str
    scope: Scope = Scope()
    selectors: tuple[str, ...] = ()
    text: tuple[TextPattern, ...] = ()
    lang: tuple[str, ...] = ()
    requires: str | None = None
    upward: int | str | None = None  # levels (1..MAX_UPWARD) or an ancestor's selector
    strip: str | None = None
    enabled: bool = True
    source: str = ""
    line: int = 0
    procedure: Procedure | None = None
    words: tuple[str, ...] = ()  # elements whose class or id holds one of these words
    links: tuple[str, ...] = ()  # containers of links whose address holds one of these
    min_links: int = 1  # ...at least this many of them
    max_text: int | None = None  # a match with more text than this is not removed
    min_text: int = 0  # a match with less text than this (an icon alone) is not removed
    spare: str | None = None  # a match that is, is inside or holds an element matching this stays
    within: str | None = None  # text patterns match only elements matching this or inside one
    link_box: bool = False  # widen each match to the box of links around it (a related-stories box)
    story_links: int = 0  # boxes of at least this many links to the site's other stories, in the article's column

    @property
    def matches_elements(self) -> bool:
        """Whether the rule finds elements by markup (selectors, words, links) at all."""
        return bool(self.selectors or self.words or self.links or self.story_links)


@dataclass(frozen=True)
class PackTest:
    fixture: Path
    url: str
    gone: tuple[str, ...]
    kept: tuple[str, ...]


@dataclass(frozen=True)
class ListException:
    """`site#@#selector`: the selector is not applied on the scope's sites."""

    selector: str
    scope: Scope


@dataclass(frozen=True)
class PageException:
    """`@@||site^$generichide` (generic rules off there) or `$elemhide` (every rule off)."""

    kind: str  # "generichide" | "elemhide"
    domains: tuple[str, ...]


@dataclass(frozen=True)
class FilterList:
    """What only an adblock list carries besides its rules: its exceptions."""

    exceptions: tuple[ListException, ...] = ()
    page_exceptions: tuple[PageException, ...] = ()


@dataclass(frozen=True, eq=False)
class RulePack:
    id: str
    title: str
    description: str
    rules: tuple[Rule, ...]
    enabled: bool = True
    path: str = ""
    tests: tuple[PackTest, ...] = ()
    filter_list: FilterList | None = None  # set when read from an adblock list

    @property
    def adblock(self) -> bool:
        """Read from an adblock list: matched through the list index."""
        return self.filter_list is not None


@dataclass(frozen=True, eq=False)
class RuleSet:
    """All loaded packs, and the problems that kept some packs out.

    Compared and hashed by identity: compiled plans are cached per rule set.
    """

    packs: tuple[RulePack, ...] = ()
    errors: tuple[RuleError, ...] = ()

    @property
    def rules(self) -> tuple[Rule, ...]:
        cache = self.__dict__.get("_rules_cache")
        if cache is None:
            cache = tuple(r for p in self.packs for r in p.rules)
            object.__setattr__(self, "_rules_cache", cache)
        return cache

    def rule(self, rule_id: str) -> Rule | None:
        return self._by_id.get(rule_id)

    def pack(self, pack_id: str) -> RulePack | None:
        return next((p for p in self.packs if p.id == pack_id), None)

    @property
    def _by_id(self) -> dict[str, Rule]:
        cache = self.__dict__.get("_by_id_cache")
        if cache is None:
            cache = {r.id: r for r in self.rules}
            object.__setattr__(self, "_by_id_cache", cache)
        return cache

    def merged(self, other: "RuleSet") -> "RuleSet":
        return RuleSet(self.packs + other.packs, self.errors + other.errors)


@dataclass(frozen=True)
class Toggles:
    """Switches on top of the packs' defaults; the most specific one wins.

    Site keys cover their subdomains, like rule scopes do.
    """

    rules: frozenset[tuple[str, bool]] = frozenset()
    packs: frozenset[tuple[str, bool]] = frozenset()
    site_rules: frozenset[tuple[str, str, bool]] = frozenset()
    site_packs: frozenset[tuple[str, str, bool]] = frozenset()
    paused: frozenset[str] = frozenset()

    def is_paused(self, host: str) -> bool:
        host = normal_host(host)
        return any(domain_covers(site, host) for site in self.paused)

    def rule_on(self, rule: Rule, host: str, pack_enabled: bool = True) -> bool:
        host = normal_host(host)
        for table, key in ((self.site_rules, rule.id), (self.site_packs, rule.pack_id)):
            best = _most_specific(table, key, host)
            if best is not None:
                return best
        for table, key in ((self.rules, rule.id), (self.packs, rule.pack_id)):
            for ident, on in table:
                if ident == key:
                    return on
        return rule.enabled and pack_enabled

    def pack_on(self, pack: RulePack, host: str = "") -> bool:
        """Whether a pack is on for `host` (everywhere if ""): most specific switch, else its default."""
        best = _most_specific(self.site_packs, pack.id, normal_host(host)) if host else None
        if best is not None:
            return best
        return next((on for ident, on in self.packs if ident == pack.id), pack.enabled)


def _most_specific(table: frozenset[tuple[str, str, bool]], key: str, host: str) -> bool | None:
    """The switch of the longest site covering `host` for `key`, or None."""
    best = None
    for site, ident, on in table:
        if ident == key and domain_covers(site, host) and (best is None or len(site) > len(best[0])):
            best = (site, on)
    return None if best is None else best[1]


NO_TOGGLES = Toggles()
