"""`clean_page`: one page through the rules in force. Pure: selectolax, Hyperscan, stdlib.

The stages, each in its own module:

1. prepare      decode the bytes in their charset and parse them (Lexbor)
2. plan         the rules in scope for the host and on under the switches, compiled
                once per rule set, host and switches (cached by the Engine)
3. facts        the page's text, one scan of its bytes for every string the plan needs
4. match        selectors (match_selectors), text patterns (match_text), adblock lists
                through their index (match_lists); each element credited to one rule
                (attribution)
5. guard        each rule's matches widened, then skipped on this page if they would
                take the article
6. splice       the outermost matches cut out of the page's own source (or the tree
                serialized), so what is not removed leaves byte for byte

It never raises: on any failure, or past its deadline, the original page comes back with
`.error` set. A rule's regular expression that backtracks too long is skipped (patterns.py).
"""
from __future__ import annotations

import threading

import time
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit


from proxy.engine.charset import bom_charset, encode_html
from proxy.engine.facts import Page
from proxy.engine.guard import DEFAULT_LIMITS, GuardLimits, also_matched, guard, outermost, widen
from proxy.engine.listindex import ListIndex, build_list_index, lists_in_force
from proxy.engine.match_lists import match_lists
from proxy.engine.match_markup import match_markup
from proxy.engine.match_selectors import match_selectors
from proxy.engine.match_stories import match_stories
from proxy.engine.match_text import match_text
from proxy.engine.patterns import Runner, check
from proxy.engine.plan import Plan, compile_rules
from proxy.engine.prepare import Prepared, prepare, text_language
from proxy.engine.scanners import HYPERSCAN, SourceScanner
from proxy.engine.splice import splice
from proxy.rules import NO_TOGGLES, RulePack, RuleSet, Toggles, load_rules

# Combined page scanners (the selectors' strings with a list index's) an engine keeps.
SOURCE_SCANNERS = 64
# The plans of this many languages (of the pages cleaned lately) are built ahead of need.
RECENT_PAGES = 8  # (site, language) pairs whose plans a rule change builds ahead


@dataclass(frozen=True)
class CleanResult:
    """What cleaning did. `.html` is the cleaned page (the original when nothing changed)."""

    page: str | bytes  # the cleaned page, or the original as given (bytes: in `.encoding`)
    removed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # rule id -> why the guard skipped it
    # rule id -> the other rules whose matches its removals took too (the same elements or
    # inside them): switching the rule off alone would leave those to them
    also: dict[str, list[str]] = field(default_factory=dict)
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

    def output_bytes(self, original: bytes) -> bytes | None:
        """The page to send for `original` (the bytes cleaned): those very bytes when nothing
        changed; the cut bytes (its BOM kept) when the removals were cut out of them; the
        cleaned text in the page's charset when the tree had to be serialized; None when
        that cannot be faithful (the original did not decode cleanly in its charset)."""
        if not self.changed:
            return original
        bom = bom_charset(original)
        prefix = original[:bom[1]] if bom else b""
        if isinstance(self.page, bytes):
            return prefix + self.page
        codec = self.encoding or "utf-8"
        try:  # only a page that decodes cleanly can go out re-encoded
            original[len(prefix):].decode(codec)
        except (UnicodeDecodeError, LookupError):
            return None
        return encode_html(self.page, codec, prefix)


class Engine:
    """Compiles plans and cleans pages with them; owns every cache (plans, list indexes,
    page scanners). `literal_scanning=False` does without Hyperscan (as where it has no
    wheel): one `bytes.find` per string, every selector queried."""

    def __init__(self, literal_scanning: bool = True):
        self.scanning = literal_scanning and HYPERSCAN
        self._plans = Cache(self._plan, 1024)  # (rules, host, toggles, lang) -> Plan
        self._compiled = Cache(self._compile, 256)  # (rules, active rules, lang) -> Plan
        self._index = Cache(self._build_index, 4)  # (the lists' packs,) -> ListIndex
        self._sources: dict[tuple[frozenset[bytes], ListIndex], SourceScanner | None] = {}
        self._builtin: RuleSet | None = None
        self.quarantine: set[tuple[str, str]] = set()  # (rule id, pattern) that ran too long
        # (site, language) of the pages cleaned lately, newest last; English pages at least.
        self._recent: dict[tuple[str, str], None] = {("", "en"): None}

    def recent_pages(self) -> tuple[tuple[str, str], ...]:
        """The (site, language) pairs of the pages cleaned lately: whose plans to build
        ahead when the rules or the switches change, so the next page pays for none."""
        return tuple(self._recent)

    def _seen(self, host: str, lang: str) -> None:
        key = (host, lang)
        self._recent.pop(key, None)
        self._recent[key] = None
        if len(self._recent) > RECENT_PAGES:
            del self._recent[next(iter(self._recent))]

    def compile_plan(self, rules: RuleSet, host: str, toggles: Toggles = NO_TOGGLES, lang: str = "") -> Plan:
        """The plan for `host` (built once, then cached per rule set, site, switches and language)."""
        return self._plans(rules, host, toggles, lang)

    def retain(self, *in_use: RuleSet) -> None:
        """Forget what was built for rule sets other than `in_use` (those replaced by a
        reload or by the person's own rules changing): a plan holds its rules, a list index
        its lists, and they would otherwise stay in memory until pushed out."""
        keep = {id(r) for r in in_use}
        lists = {tuple(p for p in r.packs if p.adblock) for r in in_use}
        self._plans.retain(lambda key: id(key[0]) in keep)
        self._compiled.retain(lambda key: id(key[0]) in keep)
        self._index.retain(lambda key: key[0] in lists)
        self._sources.clear()

    def builtin_rules(self) -> RuleSet:
        if self._builtin is None:
            self._builtin = load_rules()
        return self._builtin

    def _plan(self, rules: RuleSet, host: str, toggles: Toggles = NO_TOGGLES, lang: str = "") -> Plan:
        """The rules in scope for `host` and on under `toggles`; text rules for `lang` (all if "")."""
        pack_on = {p.id: p.enabled for p in rules.packs}
        lists = tuple(p for p in rules.packs if p.adblock)
        listed = {p.id for p in lists}
        active = tuple(i for i, r in enumerate(rules.rules) if r.pack_id not in listed
                       and r.scope.covers(host) and toggles.rule_on(r, host, pack_on.get(r.pack_id, True)))
        # Most hosts have the same rules in force: they share one compiled plan.
        plan = self._compiled(rules, active, lang)
        if lists:
            in_force = lists_in_force(rules, lists, self._index(lists), host, toggles)
            plan = replace(plan, lists=(in_force,), source=self._source(plan.gate_forms, in_force.index))
        return plan

    def _compile(self, rules: RuleSet, active_indexes: tuple[int, ...], lang: str) -> Plan:
        every = rules.rules
        return compile_rules(tuple(every[i] for i in active_indexes), lang, self.scanning)

    def _build_index(self, packs: tuple[RulePack, ...]) -> ListIndex:
        return build_list_index(packs, self.scanning)

    def _source(self, gate_forms: frozenset[bytes], index: ListIndex) -> SourceScanner | None:
        """One scanner for everything looked for in a page's bytes: the selectors' strings,
        the lists' strings, raw-text openers and upper-case attribute names."""
        if not self.scanning:
            return None
        key = (gate_forms, index)
        scanner = self._sources.get(key)
        if scanner is None:
            if len(self._sources) >= SOURCE_SCANNERS:
                self._sources.clear()
            scanner = self._sources[key] = SourceScanner(sorted(gate_forms | set(index.literal_forms)))
        return scanner

    def clean_page(self, html: str | bytes, url: str = "", rules: RuleSet | None = None,
                   toggles: Toggles = NO_TOGGLES, limits: GuardLimits = DEFAULT_LIMITS,
                   content_type: str | None = None, deadline: float | None = None) -> CleanResult:
        """Remove what the rules in scope for `url` match; never raises.

        Bytes are decoded by their charset (`content_type`'s, a BOM's, `<meta>`'s, or a
        detector's); UTF-8 goes to Lexbor as it is. On any failure, or past `deadline` (a
        `time.perf_counter()` value), the original page comes back with `.error` set.
        `rules`: the built-in packs if None.
        """
        start = time.perf_counter()
        if isinstance(html, (bytearray, memoryview)):
            html = bytes(html)
        try:
            prepared = prepare(html, content_type)
        except Exception as exc:  # noqa: BLE001 - never lose a page: hand back the original
            return CleanResult(html, error=f"{type(exc).__name__}: {exc}", elapsed_ms=_ms(start))
        return self.clean_prepared(prepared, url, rules, toggles, limits, started=start, deadline=deadline)

    def clean_prepared(self, prepared: Prepared, url: str = "", rules: RuleSet | None = None,
                       toggles: Toggles = NO_TOGGLES, limits: GuardLimits = DEFAULT_LIMITS,
                       started: float | None = None, deadline: float | None = None) -> CleanResult:
        """`clean_page` for a page `prepare` already parsed; never raises."""
        start = time.perf_counter() if started is None else started
        page, encoding = prepared.page, prepared.encoding
        try:
            host = host_of(url)
            if toggles.is_paused(host):
                return CleanResult(page, paused=True, encoding=encoding, elapsed_ms=_ms(start))
            ruleset = rules if rules is not None else self.builtin_rules()
            plan = self.compile_plan(ruleset, host, toggles)
            if plan.empty or prepared.tree is None:
                return CleanResult(page, encoding=encoding, elapsed_ms=_ms(start))
            removed, skipped, also, out = self._clean(prepared, plan, limits, ruleset, host, toggles, path_of(url),
                                                      deadline)
            return CleanResult(out if removed else page, removed, skipped, also, bool(removed),
                               encoding=encoding, elapsed_ms=_ms(start))
        except Exception as exc:  # noqa: BLE001 - never lose a page: hand back the original
            return CleanResult(page, error=f"{type(exc).__name__}: {exc}", encoding=encoding, elapsed_ms=_ms(start))

    def _clean(self, prepared: Prepared, plan: Plan, limits: GuardLimits, rules: RuleSet, host: str,
               toggles: Toggles, path: str = "/", deadline: float | None = None
               ) -> tuple[dict[str, int], dict[str, str], str | bytes]:
        tree, text, data = prepared.tree, prepared.page, prepared.data
        body = tree.body
        if body is None:
            return {}, {}, text
        page = Page(tree, body, path, data, Runner(deadline, self.quarantine), host)
        page.scanner = plan.source  # the same for every language's plan
        if plan.needles:
            lang = text_language(tree, page.segments[1])
            if lang:
                plan = self.compile_plan(rules, host, toggles, lang)
                self._seen(host, lang)
        targets: dict[str, list] = {}
        if plan.selector_groups:
            match_selectors(page, plan, targets)
            check(deadline)
        if plan.markup is not None:
            match_markup(page, plan, targets)
            check(deadline)
        if plan.story_rules:
            match_stories(page, plan, targets)
            check(deadline)
        if plan.needles:
            match_text(page, plan, targets)
            check(deadline)
        if plan.lists:
            match_lists(page, plan.lists, text, targets)
            check(deadline)
        skipped: dict[str, str] = dict(page.patterns.skipped)
        if not targets:
            return {}, skipped, {}, text
        final: list[tuple[str, object]] = []
        for rule_id, nodes in targets.items():
            rule = rules.rule(rule_id)
            nodes = widen(page, rule, nodes)
            reason = guard(page, nodes, limits)
            if reason:
                skipped[rule_id] = reason
                continue
            final.extend((rule_id, n) for n in nodes)
        kept = outermost(final)
        removed: dict[str, int] = {}
        for rule_id, _node in kept:
            removed[rule_id] = removed.get(rule_id, 0) + 1
        if not kept:
            return removed, skipped, {}, text
        also = also_matched(final, kept)
        hits = page.hits()
        nodes = [node for _rule_id, node in kept]
        spliced = None
        if prepared.raw is not None and not prepared.encoding.startswith(("utf-16", "utf-32")):
            # A page in another charset: cut in its own bytes, so bytes that did not decode
            # (or decode ambiguously) elsewhere on the page leave as they came.
            spliced = splice(prepared.raw, nodes, None, prepared.encoding)
        if spliced is None:
            spliced = splice(text, nodes, hits.exact if hits is not None else None)
        if spliced is not None:
            return removed, skipped, also, spliced
        for _rule_id, node in kept:
            node.decompose()
        return removed, skipped, also, tree.html


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


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


_DEFAULT: Engine | None = None


class Cache:
    """`fn`'s results by its arguments (hashable), the `size` most recently used; safe to
    share between threads (two may build the same result once)."""

    def __init__(self, fn, size: int):
        self._fn, self._size = fn, size
        self._items: dict = {}
        self._lock = threading.Lock()

    def __call__(self, *key):
        with self._lock:
            found = self._items.pop(key, _MISSING)
            if found is not _MISSING:
                self._items[key] = found  # now the most recent
                return found
        value = self._fn(*key)
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                del self._items[next(iter(self._items))]
        return value

    def retain(self, keep) -> None:
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if keep(k)}


_MISSING = object()


def default_engine() -> Engine:
    """The engine `clean_page` and `compile_plan` use: one per process, made on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Engine()
    return _DEFAULT


def clean_page(html: str | bytes, url: str = "", rules: RuleSet | None = None, toggles: Toggles = NO_TOGGLES,
               limits: GuardLimits = DEFAULT_LIMITS, content_type: str | None = None,
               deadline: float | None = None) -> CleanResult:
    """`Engine.clean_page` on the default engine."""
    return default_engine().clean_page(html, url, rules, toggles, limits, content_type, deadline)


def compile_plan(rules: RuleSet, host: str, toggles: Toggles = NO_TOGGLES, lang: str = "") -> Plan:
    """`Engine.compile_plan` on the default engine (builds and caches what pages then reuse)."""
    return default_engine().compile_plan(rules, host, toggles, lang)
