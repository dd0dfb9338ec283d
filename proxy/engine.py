"""The cleaning engine: applies a rule set to one HTML page.

Pure: selectolax (Lexbor) and the stdlib. Cost matters here (the proxy runs this on
every page), so the page is walked by Lexbor as few times as possible: one joined query
for every selector in scope, and text patterns only where a cheap needle test on the
body's text says their phrase is present.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from proxy.charset import decode_html
from proxy.rules import NO_TOGGLES, Rule, RuleSet, TextPattern, Toggles, load_rules, normalize_text

# Text rules look at elements with at most this much text; clutter phrases are short.
MAX_TEXT_MATCH = 2000
MAX_TEXT_LEVELS = 8
# Wrappers left holding nothing but a removed element go with it, this many levels up.
MAX_COLLAPSE = 3
_PROTECTED_TAGS = frozenset({"html", "head", "body", "main", "#document"})
_MEDIA = "img, picture, video, audio, iframe, canvas, object, embed"


@dataclass(frozen=True)
class GuardLimits:
    """When a rule's matches on a page look like the article, the rule is skipped there."""

    max_text_share: float = 0.3  # of the body's text, over all of one rule's matches
    max_paragraph_share: float = 0.5  # of the page's <p>, inside one match holding the h1 or an <article>
    min_paragraphs: int = 3  # pages with fewer <p> skip the paragraph test


DEFAULT_LIMITS = GuardLimits()


@dataclass(frozen=True)
class CleanResult:
    html: str
    removed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # rule id -> why the guard skipped it
    changed: bool = False
    paused: bool = False
    error: str | None = None
    encoding: str | None = None
    elapsed_ms: float = 0.0

    @property
    def removed_total(self) -> int:
        return sum(self.removed.values())


@dataclass(frozen=True)
class _Signature:
    """What a selector's rightmost compound says about the element it matches."""

    tag: str | None
    classes: frozenset[str]
    id: str | None

    def fits(self, tag: str, classes: set[str], ident: str | None) -> bool:
        return ((self.tag is None or self.tag == tag) and self.classes <= classes
                and (self.id is None or self.id == ident))


@dataclass(frozen=True)
class _SelectorRule:
    rule: Rule
    query: str
    signatures: tuple[_Signature, ...]


@dataclass(frozen=True)
class Plan:
    """The rules in force for one host under one set of toggles, ready to run."""

    rules: tuple[Rule, ...]
    joined: str  # every selector in scope, one Lexbor query
    selector_rules: tuple[_SelectorRule, ...]
    needles: tuple[tuple[str, tuple[tuple[Rule, TextPattern], ...]], ...]

    @property
    def empty(self) -> bool:
        return not self.joined and not self.needles


@lru_cache(maxsize=512)
def compile_plan(rules: RuleSet, host: str, toggles: Toggles = NO_TOGGLES) -> Plan:
    pack_on = {p.id: p.enabled for p in rules.packs}
    active = tuple(r for r in rules.rules
                   if r.scope.covers(host) and toggles.rule_on(r, host, pack_on.get(r.pack_id, True)))
    sel_rules = tuple(_SelectorRule(r, ", ".join(r.selectors),
                                    tuple(_signature(s) for sel in r.selectors for s in split_selector_list(sel)))
                      for r in active if r.selectors)
    by_needle: dict[str, list[tuple[Rule, TextPattern]]] = {}
    for r in active:
        for pat in r.text:
            by_needle.setdefault(pat.needle, []).append((r, pat))
    return Plan(active, ", ".join(s.query for s in sel_rules), sel_rules,
                tuple((n, tuple(entries)) for n, entries in by_needle.items()))


_BUILTIN: RuleSet | None = None


def builtin_rules() -> RuleSet:
    global _BUILTIN
    if _BUILTIN is None:
        _BUILTIN = load_rules()
    return _BUILTIN


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def clean_page(html: str | bytes, url: str = "", rules: RuleSet | None = None,
               toggles: Toggles = NO_TOGGLES, limits: GuardLimits = DEFAULT_LIMITS,
               content_type: str | None = None) -> CleanResult:
    """Remove what the rules in scope for `url` match; never raises.

    On any failure the original page comes back with `.error` set.
    """
    start = time.perf_counter()
    encoding = None
    text = html
    try:
        if isinstance(html, (bytes, bytearray, memoryview)):
            text, encoding = decode_html(bytes(html), content_type)
        host = host_of(url)
        if toggles.is_paused(host):
            return CleanResult(text, paused=True, encoding=encoding, elapsed_ms=_ms(start))
        plan = compile_plan(rules if rules is not None else builtin_rules(), host, toggles)
        if plan.empty or not text:
            return CleanResult(text, encoding=encoding, elapsed_ms=_ms(start))
        removed, skipped, out = _clean(text, plan, limits)
        return CleanResult(out if removed else text, removed, skipped, bool(removed),
                           encoding=encoding, elapsed_ms=_ms(start))
    except Exception as exc:  # noqa: BLE001 - never lose a page: hand back the original
        original = text if isinstance(text, str) else html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html)
        return CleanResult(original, error=f"{type(exc).__name__}: {exc}", encoding=encoding, elapsed_ms=_ms(start))


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _clean(text: str, plan: Plan, limits: GuardLimits) -> tuple[dict[str, int], dict[str, str], str]:
    tree = LexborHTMLParser(text)
    body = tree.body
    if body is None:
        return {}, {}, text
    page = _Page(tree, body)
    targets: dict[str, list] = {}
    if plan.joined:
        _match_selectors(page, plan, targets)
    if plan.needles:
        _match_text(page, plan, targets)
    if not targets:
        return {}, {}, text
    skipped: dict[str, str] = {}
    final: list[tuple[str, object]] = []
    for rule_id, nodes in targets.items():
        rule = next(r for r in plan.rules if r.id == rule_id)
        nodes = _widen(page, rule, nodes)
        reason = _guard(page, nodes, limits)
        if reason:
            skipped[rule_id] = reason
            continue
        final.extend((rule_id, n) for n in nodes)
    removed = _remove(final)
    return removed, skipped, (tree.html if removed else text)


class _Page:
    """One parsed page and what has been worked out about it, computed on demand."""

    def __init__(self, tree: LexborHTMLParser, body):
        self.tree = tree
        self.body = body
        self._text: str | None = None
        self._paragraphs: int | None = None
        self._queries: dict[str, set[int]] = {}

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.body.text(deep=True)
        return self._text

    @property
    def paragraphs(self) -> int:
        if self._paragraphs is None:
            self._paragraphs = len(self.tree.css("p"))
        return self._paragraphs

    def ids(self, selector: str) -> set[int]:
        found = self._queries.get(selector)
        if found is None:
            found = self._queries[selector] = {n.mem_id for n in self.tree.css(selector)}
        return found


def _match_selectors(page: _Page, plan: Plan, targets: dict[str, list]) -> None:
    hits = page.tree.css(plan.joined)
    if not hits:
        return
    if len(plan.selector_rules) == 1:
        targets.setdefault(plan.selector_rules[0].rule.id, []).extend(hits)
        return
    for node in hits:
        attrs = node.attributes
        classes = set((attrs.get("class") or "").split())
        ident = attrs.get("id")
        candidates = [s for s in plan.selector_rules
                      if any(sig.fits(node.tag, classes, ident) for sig in s.signatures)]
        if len(candidates) > 1:
            candidates = [s for s in candidates if node.mem_id in page.ids(s.query)]
        if candidates:
            targets.setdefault(candidates[0].rule.id, []).append(node)


def _match_text(page: _Page, plan: Plan, targets: dict[str, list]) -> None:
    body_text = page.text
    low = body_text.lower()
    claimed: set[int] = set()  # matched elements and their ancestors
    for needle, entries in plan.needles:
        if needle and needle not in low:
            continue
        live = [(r, p) for r, p in entries if p.full.search(body_text)]
        if not live:
            continue
        # Lexbor's contains() matches the elements whose own text holds the needle;
        # the smallest element whose whole text matches is that one or an ancestor.
        query = f'body :lexbor-contains("{_css_string(needle)}" i)' if needle else "body *"
        seen = set(claimed)
        for node in page.tree.css(query):
            current = node
            for _ in range(MAX_TEXT_LEVELS):
                if current is None or current.tag in _PROTECTED_TAGS or current.mem_id in seen:
                    break
                seen.add(current.mem_id)
                node_text = current.text(deep=True)
                if len(node_text) > MAX_TEXT_MATCH:
                    break
                norm = normalize_text(node_text)
                hit = next((rule for rule, pat in live if norm and pat.full.fullmatch(norm)), None)
                if hit is not None:
                    targets.setdefault(hit.id, []).append(current)
                    claimed.add(current.mem_id)
                    _mark_ancestors(current, claimed)
                    _mark_ancestors(current, seen)
                    break
                current = current.parent


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
    removed_chars = 0
    for node in nodes:
        tag = node.tag
        if tag in _PROTECTED_TAGS:
            return f"would remove <{tag}>"
        if node.css_first("main, body") is not None:
            return "would remove <main>"
        holds_article = tag == "article" or node.css_first("article") is not None
        if holds_article or node.css_first("h1") is not None:
            total = page.paragraphs
            if total >= limits.min_paragraphs:
                inside = len(node.css("p"))
                if inside > limits.max_paragraph_share * total:
                    what = "<article>" if holds_article else "<h1>"
                    return f"would remove the element holding the {what} and {inside} of {total} paragraphs"
        removed_chars += len(node.text(deep=True).strip())
    body_chars = len(page.text.strip())
    if body_chars and removed_chars > limits.max_text_share * body_chars:
        return f"would remove {removed_chars * 100 // body_chars}% of the page's text"
    return None


def _remove(final: list[tuple[str, object]]) -> dict[str, int]:
    """Decompose the outermost targets only: a removed node frees its subtree."""
    chosen = {n.mem_id: (rule_id, n) for rule_id, n in final}
    removed: dict[str, int] = {}
    outermost = []
    for mid, (rule_id, node) in chosen.items():
        parent = node.parent
        nested = False
        while parent is not None:
            if parent.mem_id in chosen:
                nested = True
                break
            parent = parent.parent
        if not nested:
            outermost.append((rule_id, node))
    for rule_id, node in outermost:
        removed[rule_id] = removed.get(rule_id, 0) + 1
    for _rule_id, node in outermost:
        node.decompose()
    return removed


def _signature(selector: str) -> _Signature:
    compound = _rightmost_compound(selector)
    tag, classes, ident = None, set(), None
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


def split_selector_list(selectors: str) -> list[str]:
    """Split "a, b:is(c, d)" at its top-level commas."""
    out, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(selectors):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(selectors[start:i].strip())
            start = i + 1
    out.append(selectors[start:].strip())
    return [s for s in out if s]


def _rightmost_compound(selector: str) -> str:
    depth, quote, start = 0, "", 0
    s = selector.strip()
    for i, ch in enumerate(s):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch in " >+~":
            start = i + 1
    return s[start:].strip()
