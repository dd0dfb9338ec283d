"""Rule packs: parsing, validation and scoping of the declarative clutter rules.

Pure: depends on PyYAML, selectolax (to compile selectors) and the stdlib only.
"""
from __future__ import annotations

import re
from re import _parser as sre_parse  # the stdlib regex parser; `sre_parse` is deprecated
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import yaml
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

KINDS = ("icon-sprites", "share-prompts", "comment-notices", "related-promos", "other")

# The directives a pack and a rule may carry; the docs test checks rules/README.md names each.
PACK_KEYS = {
    "id": "stable identifier of the pack",
    "title": "what a person sees for the pack",
    "description": "one or two sentences on what the pack removes",
    "kind": "default kind for the pack's rules",
    "domains": "default scope for the pack's rules",
    "enabled": "whether the pack is on by default",
    "rules": "the list of rules",
    "tests": "fixtures with strings that must vanish and must stay",
}
RULE_KEYS = {
    "id": "stable identifier, unique across all packs",
    "title": "what a person sees in the extension",
    "kind": "one of " + ", ".join(KINDS),
    "domains": "sites the rule runs on; ~domain excludes one",
    "selectors": "CSS selectors of elements to remove",
    "text": "patterns matched against an element's whole text",
    "case_sensitive": "text patterns match case exactly",
    "lang": "page languages (html lang) the text patterns are for; absent: every page",
    "requires": "the rule runs only on pages whose <head> has an element matching this selector",
    "upward": "widen each match to an ancestor: a number of levels or a selector",
    "strip": "remove these descendants of each match instead of the match",
    "enabled": "whether the rule is on by default",
    "note": "free-form remark for maintainers",
}
TEST_KEYS = {"fixture", "url", "gone", "kept"}

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")
_DOMAIN_RE = re.compile(r"^~?[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}$")
_SELECTOR_CHECK = LexborHTMLParser("<html></html>")


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


# Longest element text a text pattern is tried on; clutter phrases are short.
MAX_TEXT_MATCH = 2000


@dataclass(frozen=True)
class TextPattern:
    """A text pattern: `full` must match an element's whole normalised text."""

    source: str
    full: re.Pattern
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
        host = host.lower().rstrip(".")
        if any(_domain_covers(d, host) for d in self.exclude):
            return False
        return not self.include or any(_domain_covers(d, host) for d in self.include)


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
    upward: int | str | None = None
    strip: str | None = None
    enabled: bool = True
    source: str = ""
    line: int = 0
    procedure: object | None = None  # adblock procedural steps (proxy.adblock.Procedure)


@dataclass(frozen=True)
class PackTest:
    fixture: Path
    url: str
    gone: tuple[str, ...]
    kept: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class RulePack:
    id: str
    title: str
    description: str
    rules: tuple[Rule, ...]
    enabled: bool = True
    path: str = ""
    tests: tuple[PackTest, ...] = ()
    # adblock lists: `#@#` exceptions (selector, scope) and $generichide/$elemhide domains
    exceptions: tuple[tuple[str, Scope], ...] = ()
    page_exceptions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    adblock: bool = False  # read from an adblock list: matched through the list index


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
        host = host.lower().rstrip(".")
        return any(_domain_covers(site, host) for site in self.paused)

    def rule_on(self, rule: Rule, host: str, pack_enabled: bool = True) -> bool:
        host = host.lower().rstrip(".")
        for table, key in ((self.site_rules, rule.id), (self.site_packs, rule.pack_id)):
            best = None
            for site, ident, on in table:
                if ident == key and _domain_covers(site, host) and (best is None or len(site) > len(best[0])):
                    best = (site, on)
            if best is not None:
                return best[1]
        for table, key in ((self.rules, rule.id), (self.packs, rule.pack_id)):
            for ident, on in table:
                if ident == key:
                    return on
        return rule.enabled and pack_enabled


NO_TOGGLES = Toggles()


def _domain_covers(domain: str, host: str) -> bool:
    domain = domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def builtin_rules_dir() -> Path:
    """The built-in packs: `proxy/packs` in an installed wheel, `rules/` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "packs", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("built-in rule packs not found next to the proxy package")


def pack_files(path: Path) -> list[Path]:
    """Pack files below a directory (sorted), or the file itself."""
    if path.is_dir():
        return sorted(p for pattern in ("*.yaml", "*.txt") for p in path.rglob(pattern)
                      if "tests" not in p.relative_to(path).parts)
    return [path]


def load_rules(*paths: str | Path, known_ids: Iterable[str] = ()) -> RuleSet:
    """Load packs from files or directories; no argument loads the built-in packs.

    A pack with any error is left out and its errors reported; loading never raises
    for bad pack content.
    """
    if not paths:
        paths = (builtin_rules_dir(),)
    packs: list[RulePack] = []
    errors: list[RuleError] = []
    seen: dict[str, str] = {rid: "(already loaded)" for rid in known_ids}
    seen_packs: set[str] = set()
    for root in paths:
        root = Path(root)
        if not root.exists():
            errors.append(RuleError(str(root), 0, "no such file or directory"))
            continue
        for file in pack_files(root):
            pack, pack_errors = parse_pack_file(file, seen, seen_packs)
            if pack is not None and pack.id in seen_packs and not pack_errors:
                pack_errors = [RuleError(str(file), 0, f"duplicate pack id {pack.id!r} (a pack loaded earlier has it)")]
            errors.extend(pack_errors)
            if pack is not None and not pack_errors:
                packs.append(pack)
                seen_packs.add(pack.id)
                seen.update({r.id: f"{file}:{r.line}" for r in pack.rules})
    return RuleSet(tuple(packs), tuple(errors))


def parse_pack_file(file: Path, seen_ids: Mapping[str, str] = {}, seen_packs: set[str] = frozenset()) -> tuple[RulePack | None, list[RuleError]]:
    name = str(file)
    if file.suffix == ".txt":
        from proxy import adblock  # noqa: PLC0415 - optional format, imported on use

        return adblock.parse_list_file(file, seen_ids)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [RuleError(name, 0, f"cannot read: {exc}")]
    return parse_pack_text(text, name, seen_ids, seen_packs, base=file.parent)


def parse_pack_text(text: str, name: str = "<pack>", seen_ids: Mapping[str, str] = {}, seen_packs: set[str] = frozenset(), base: Path | None = None) -> tuple[RulePack | None, list[RuleError]]:
    """Parse one YAML pack; returns the pack (None if unusable) and every error found."""
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        return None, [RuleError(name, line, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    errors: list[RuleError] = []

    def err(line: int, msg: str, rid: str | None = None) -> None:
        errors.append(RuleError(name, line, msg, rid))

    if not isinstance(doc, _LineDict):
        return None, [RuleError(name, 1, "a pack must be a mapping with id, title and rules")]
    for key in doc:
        if key not in PACK_KEYS:
            err(doc.key_line(key), f"unknown pack key {key!r} (known: {', '.join(PACK_KEYS)})")
    pack_id = doc.get("id")
    if not isinstance(pack_id, str) or not _ID_RE.match(pack_id):
        err(doc.key_line("id", doc.line), f"pack id must be lower-case letters, digits, '.', '-', '_' or '/', got {pack_id!r}")
        pack_id = None
    elif pack_id in seen_packs:
        err(doc.key_line("id"), f"duplicate pack id {pack_id!r}")
    title = doc.get("title")
    if not isinstance(title, str) or not title.strip():
        err(doc.key_line("title", doc.line), "pack needs a title")
    default_kind = doc.get("kind", "other")
    if default_kind not in KINDS:
        err(doc.key_line("kind"), f"unknown kind {default_kind!r} (one of {', '.join(KINDS)})")
    default_scope = _parse_scope(doc.get("domains"), doc.key_line("domains"), None, err)
    pack_enabled = doc.get("enabled", True)
    if not isinstance(pack_enabled, bool):
        err(doc.key_line("enabled"), "enabled must be true or false")
    raw_rules = doc.get("rules")
    rules: list[Rule] = []
    ids_here: dict[str, int] = {}
    if not isinstance(raw_rules, _LineList) or not raw_rules:
        err(doc.key_line("rules", doc.line), "pack needs a non-empty list of rules")
        raw_rules = []
    for index, raw in enumerate(raw_rules):
        line = raw_rules.lines[index]
        rule = _parse_rule(raw, line, pack_id or "?", default_kind, default_scope, name, err)
        if rule is None:
            continue
        if rule.id in ids_here:
            err(line, f"duplicate rule id (first at line {ids_here[rule.id]})", rule.id)
        elif rule.id in seen_ids:
            err(line, f"duplicate rule id (already defined at {seen_ids[rule.id]})", rule.id)
        ids_here[rule.id] = line
        rules.append(rule)
    tests = _parse_tests(doc.get("tests"), doc.key_line("tests"), base, err)
    if errors or pack_id is None:
        return None, errors
    return RulePack(
        id=pack_id,
        title=title.strip(),
        description=str(doc.get("description", "")).strip(),
        rules=tuple(rules),
        enabled=bool(pack_enabled),
        path=name,
        tests=tests,
    ), errors


def _parse_rule(raw, line, pack_id, default_kind, default_scope, source, err) -> Rule | None:
    if not isinstance(raw, _LineDict):
        err(line, "a rule must be a mapping")
        return None
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID_RE.match(rid):
        err(line, f"rule id must be lower-case letters, digits, '.', '-', '_' or '/', got {rid!r}")
        rid = None
    label = rid
    for key in raw:
        if key not in RULE_KEYS:
            err(raw.key_line(key), f"unknown rule key {key!r} (known: {', '.join(RULE_KEYS)})", label)
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        err(raw.key_line("title", line), "rule needs a title a person understands", label)
    kind = raw.get("kind", default_kind)
    if kind not in KINDS:
        err(raw.key_line("kind", line), f"unknown kind {kind!r} (one of {', '.join(KINDS)})", label)
    scope = _parse_scope(raw.get("domains"), raw.key_line("domains", line), label, err) if "domains" in raw else default_scope
    selectors = _string_list(raw, "selectors", line, label, err)
    for sel, sel_line in selectors:
        problem = selector_problem(sel)
        if problem:
            err(sel_line, f"CSS selector {sel!r}: {problem}", label)
    case_sensitive = raw.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        err(raw.key_line("case_sensitive"), "case_sensitive must be true or false", label)
        case_sensitive = False
    patterns = []
    raw_patterns = _string_list(raw, "text", line, label, err)
    for pat, pat_line in raw_patterns:
        try:
            patterns.append(compile_text_pattern(pat, case_sensitive))
        except ValueError as exc:
            err(pat_line, str(exc), label)
    lang = raw.get("lang", [])
    if isinstance(lang, str):
        lang = [lang]
    if not isinstance(lang, list) or not all(isinstance(x, str) and _LANG_RE.match(x) for x in lang):
        err(raw.key_line("lang", line), f"lang must be language codes like 'de' or [de, fr], got {raw.get('lang')!r}", label)
        lang = []
    if not selectors and not raw_patterns:
        err(line, "rule removes nothing: give selectors and/or text", label)
    upward = raw.get("upward")
    if upward is not None:
        if isinstance(upward, bool) or not isinstance(upward, (int, str)):
            err(raw.key_line("upward"), "upward must be a number of levels or a CSS selector", label)
        elif isinstance(upward, int) and not 1 <= upward <= 32:
            err(raw.key_line("upward"), "upward levels must be between 1 and 32", label)
        elif isinstance(upward, str) and selector_problem(upward):
            err(raw.key_line("upward"), f"upward selector {upward!r}: {selector_problem(upward)}", label)
    requires = raw.get("requires")
    if requires is not None and (not isinstance(requires, str) or selector_problem(requires)):
        err(raw.key_line("requires"), f"requires selector {requires!r}: {selector_problem(str(requires)) or 'must be a string'}", label)
    strip = raw.get("strip")
    if strip is not None and (not isinstance(strip, str) or selector_problem(strip)):
        err(raw.key_line("strip"), f"strip selector {strip!r}: {selector_problem(str(strip)) or 'must be a string'}", label)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        err(raw.key_line("enabled"), "enabled must be true or false", label)
    if rid is None or not isinstance(title, str) or kind not in KINDS:
        return None
    return Rule(
        id=rid, title=title.strip(), kind=kind, pack_id=pack_id, scope=scope or Scope(),
        selectors=tuple(s for s, _ in selectors), text=tuple(patterns), lang=tuple(x.lower() for x in lang), requires=requires, upward=upward,
        strip=strip, enabled=bool(enabled), source=source, line=line,
    )


def _string_list(raw, key, line, label, err) -> list[tuple[str, int]]:
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [(value, raw.key_line(key, line))]
    if isinstance(value, _LineList) and all(isinstance(v, str) for v in value):
        return list(zip(value, value.lines))
    err(raw.key_line(key, line), f"{key} must be a string or a list of strings", label)
    return []


def _parse_scope(value, line, label, err) -> Scope | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(d, str) for d in items):
        err(line, "domains must be a domain or a list of domains", label)
        return None
    include, exclude = [], []
    for d in items:
        d = d.strip().lower()
        if not _DOMAIN_RE.match(d):
            err(line, f"not a domain: {d!r}", label)
            continue
        (exclude if d.startswith("~") else include).append(d.lstrip("~").rstrip("."))
    return Scope(tuple(include), tuple(exclude))


def _parse_tests(value, line, base, err) -> tuple[PackTest, ...]:
    if value is None:
        return ()
    if not isinstance(value, _LineList):
        err(line, "tests must be a list")
        return ()
    out = []
    for item, item_line in zip(value, value.lines):
        if not isinstance(item, _LineDict) or "fixture" not in item:
            err(item_line, "a test needs a fixture")
            continue
        for key in item:
            if key not in TEST_KEYS:
                err(item.key_line(key), f"unknown test key {key!r} (known: {', '.join(sorted(TEST_KEYS))})")
        fixture = (base or Path(".")) / str(item["fixture"])
        out.append(PackTest(fixture, str(item.get("url", "https://example.com/")),
                            tuple(map(str, item.get("gone") or ())), tuple(map(str, item.get("kept") or ()))))
    return tuple(out)


def selector_problem(selector: str) -> str | None:
    """Why Lexbor cannot use this selector, or None if it compiles."""
    if not selector.strip():
        return "empty selector"
    try:
        _SELECTOR_CHECK.css(selector)
    except (SelectolaxError, ValueError, TypeError) as exc:
        return f"Lexbor cannot compile it ({exc})"
    return None


def normalize_text(text: str) -> str:
    """Whitespace runs collapsed to one space, none at either end (str.split's whitespace
    is the same set as the regex's \\s, and splitting is several times faster)."""
    return " ".join(text.split())


def compile_text_pattern(source: str, case_sensitive: bool = False) -> TextPattern:
    """`/regex/` or a plain string; either must match an element's whole text."""
    flags = 0 if case_sensitive else re.IGNORECASE
    if len(source) >= 2 and source.startswith("/") and source.endswith("/"):
        body = source[1:-1]
        if body.startswith("^"):
            body = body[1:]
        if body.endswith("$") and not body.endswith("\\$"):
            body = body[:-1]
        try:
            full = re.compile(body, flags)
        except re.error as exc:
            raise ValueError(f"bad regex {source!r}: {exc}") from None
        options = _regex_options(body)
        phrase_options = _regex_options(body, spaces=True)
        parsed = sre_parse.parse(body)
        max_len = _normalized_width(parsed)
        head = _literal_head(parsed)
    else:
        literal = normalize_text(source)
        if not literal:
            raise ValueError("empty text pattern")
        full = re.compile(r"\s+".join(re.escape(w) for w in literal.split(" ")), flags)
        options = [(w,) for w in literal.split(" ")]
        phrase_options = [(literal,)]
        max_len = len(literal)
        head = literal
    options = [tuple(dict.fromkeys(_caseless_needle(w) for w in o)) for o in options]
    options = [o for o in options if all(len(w) >= 3 for w in o)]
    phrase_options = [tuple(dict.fromkeys(_caseless_needle(p) for p in o)) for o in phrase_options]
    phrases = tuple(_short_phrase(p) for p in _best_option([o for o in phrase_options if all(len(p) >= 3 for p in o)]))
    return TextPattern(source, full, needles=_best_option(options), max_len=min(max_len, MAX_TEXT_MATCH),
                       options=tuple(dict.fromkeys(options)), phrases=phrases,
                       phrase_options=tuple(o for o in dict.fromkeys(phrase_options) if all(len(p) >= 3 for p in o)),
                       head=head.lower() if case_sensitive is False or head.isascii() else "")


def _literal_head(parsed) -> str:
    """The literal characters a regex must start with."""
    head = []
    for op, arg in parsed:
        if op is not sre_parse.LITERAL:
            break
        head.append(" " if chr(arg).isspace() else chr(arg))
    return "".join(head)


def _short_phrase(phrase: str) -> str:
    """At most three words: a longer phrase may wrap across lines in a page's source."""
    return " ".join(phrase.split()[:3])


def _normalized_width(parsed) -> int:
    """Longest text the parsed regex can match once whitespace is collapsed.

    In normalised text a whitespace run is one space, so `\\s*` counts as one character;
    other unbounded repeats count as MAX_TEXT_MATCH.
    """
    total = 0
    for op, arg in parsed:
        if op in (sre_parse.LITERAL, sre_parse.NOT_LITERAL, sre_parse.ANY, sre_parse.IN):
            total += 1
        elif op is sre_parse.AT:
            continue
        elif op is sre_parse.SUBPATTERN:
            total += _normalized_width(arg[-1])
        elif op is sre_parse.BRANCH:
            total += max(_normalized_width(b) for b in arg[1])
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            _lo, hi, item = arg
            if _is_space(item):
                total += 1
            elif hi == sre_parse.MAXREPEAT:
                return MAX_TEXT_MATCH
            else:
                total += hi * _normalized_width(item)
        else:
            return MAX_TEXT_MATCH
        if total >= MAX_TEXT_MATCH:
            return MAX_TEXT_MATCH
    return total


def _is_space(item) -> bool:
    items = list(item)
    if len(items) != 1:
        return False
    op, arg = items[0]
    if op is sre_parse.LITERAL:
        return chr(arg).isspace()
    if op is sre_parse.IN:
        return all(o is sre_parse.CATEGORY and a is sre_parse.CATEGORY_SPACE for o, a in arg)
    return False


def _caseless_needle(word: str) -> str:
    # Lexbor's ":lexbor-contains(... i)" folds ASCII case only: drop a leading
    # non-ASCII capital so "Поделиться" is still found as "оделиться".
    word = word.lower()
    if word and word[0].isalpha() and not word[0].isascii() and word[0] != word[0].upper() and len(word) > 3:
        word = word[1:]
    return word


def _regex_options(body: str, spaces: bool = False) -> list[tuple[str, ...]]:
    try:
        return _options_of(sre_parse.parse(body), spaces)
    except re.error:
        return []


def _options_of(parsed, spaces: bool = False) -> list[tuple[str, ...]]:
    """Everything a match must contain: a list of options, each a tuple of words one of
    which must occur (a literal word is an option of one; a group of alternatives whose
    every branch has a word is an option of several)."""
    options: list[tuple[str, ...]] = []
    run: list[str] = []
    for op, arg in list(parsed) + [(None, None)]:
        if op is sre_parse.LITERAL and (not chr(arg).isspace() or (spaces and chr(arg) == " ")):
            run.append(chr(arg))
            continue
        if "".join(run).strip():
            options.append(("".join(run).strip(),))
        run = []
        if op is sre_parse.SUBPATTERN:
            options.extend(_options_of(arg[-1], spaces))
        elif op is sre_parse.BRANCH:
            branches = [_best_option(_options_of(b, spaces)) for b in arg[1]]
            if all(branches):
                options.append(tuple(w for b in branches for w in b))
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and arg[0] >= 1:
            options.extend(_options_of(arg[2], spaces))
    return options


def _best_option(options: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The option whose shortest word is longest: the most selective test."""
    usable = [o for o in options if all(len(w) >= 3 for w in o)]
    return max(usable, key=lambda o: min(len(w) for w in o)) if usable else ()


class _LineDict(dict):
    line: int = 0

    def key_line(self, key: str, default: int | None = None) -> int:
        return self.lines.get(key, self.line if default is None else default)


class _LineList(list):
    lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping, key and list item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _LineList:
    out = _LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
