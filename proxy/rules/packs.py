"""Rule packs in YAML: parsed and validated, every problem reported with its file:line.

Pure: PyYAML, selectolax (through `selector_problem`) and the stdlib.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

import yaml

from proxy.rules.model import KINDS, MAX_UPWARD, PackTest, Rule, RuleError, RulePack, Scope
from proxy.rules.selectors import selector_problem
from proxy.rules.text import compile_text_pattern

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
    "words": "elements whose class or id holds one of these words (class names split at - _ and case changes); "
             "'comment count' asks for the two in a row",
    "links": "containers of links whose address holds one of these (share endpoints): the container goes",
    "min_links": "with links: how many such links a container must hold (default 1)",
    "max_text": "a match with more text than this many characters is not removed",
    "min_text": "a match with less text than this many characters (an icon alone) is not removed",
    "spare": "a match that is, is inside or holds an element matching this selector stays",
    "within": "text patterns match only elements matching this selector or inside one",
    "story_links": "a box of at least this many links to other stories of the same site, in the article's column",
    "link_box": "widen each match to the box of links around it (mostly link text, two links or more)",
    "enabled": "whether the rule is on by default",
    "note": "free-form remark for maintainers",
}
TEST_KEYS = {"fixture", "url", "gone", "kept"}

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")
_DOMAIN_RE = re.compile(r"^~?[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}$")
_WORD_RE = re.compile(r"^[a-z][a-z0-9]{2,29}( [a-z0-9]{1,30}){0,3}$")
_LINK_RE = re.compile(r"^[^\s\"'<>]{4,100}$")


def parse_pack_file(file: Path, seen_ids: Mapping[str, str] = {}, seen_packs: set[str] = frozenset(),
                    trusted: bool = False) -> tuple[RulePack | None, list[RuleError]]:
    """A `.yaml` pack file; an unreadable file is one error. `trusted`: a built-in pack."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [RuleError(str(file), 0, f"cannot read: {exc}")]
    return parse_pack_text(text, str(file), seen_ids, seen_packs, base=file.parent, trusted=trusted)


def parse_pack_text(text: str, name: str = "<pack>", seen_ids: Mapping[str, str] = {},
                    seen_packs: set[str] = frozenset(), base: Path | None = None, trusted: bool = False
                    ) -> tuple[RulePack | None, list[RuleError]]:
    """Parse one YAML pack; returns the pack (None if unusable) and every error found.
    `trusted`: a built-in pack, whose regular expressions run without a time limit."""
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
        rule = _parse_rule(raw, line, pack_id or "?", default_kind, default_scope, name, err, trusted)
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


def _parse_rule(raw, line, pack_id, default_kind, default_scope, source, err, trusted=False) -> Rule | None:
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
            patterns.append(compile_text_pattern(pat, case_sensitive, trusted))
        except ValueError as exc:
            err(pat_line, str(exc), label)
    lang = raw.get("lang", [])
    if isinstance(lang, str):
        lang = [lang]
    if not isinstance(lang, list) or not all(isinstance(x, str) and _LANG_RE.match(x) for x in lang):
        err(raw.key_line("lang", line), f"lang must be language codes like 'de' or [de, fr], got {raw.get('lang')!r}", label)
        lang = []
    words = _string_list(raw, "words", line, label, err)
    for word, word_line in words:
        if not _WORD_RE.match(word):
            err(word_line, f"a word is 3 to 30 lower-case letters or digits, starting with a letter (or up to four "
                           f"such words in a row, separated by spaces), got {word!r}", label)
    links = _string_list(raw, "links", line, label, err)
    for fragment, fragment_line in links:
        if not _LINK_RE.match(fragment):
            err(fragment_line, f"a link fragment is 4 to 100 characters of an address, without spaces or quotes, "
                               f"got {fragment!r}", label)
    min_links = _bounded_int(raw, "min_links", 1, 1, 50, label, err)
    if "min_links" in raw and not links:
        err(raw.key_line("min_links"), "min_links counts the rule's links: give links too", label)
    max_text = _bounded_int(raw, "max_text", None, 1, 100_000, label, err)
    min_text = _bounded_int(raw, "min_text", 0, 0, 100_000, label, err)
    spare = raw.get("spare")
    if spare is not None and (not isinstance(spare, str) or selector_problem(spare)):
        err(raw.key_line("spare"),
            f"spare selector {spare!r}: {selector_problem(str(spare)) or 'must be a string'}", label)
    within = raw.get("within")
    if within is not None and (not isinstance(within, str) or selector_problem(within)):
        err(raw.key_line("within"), f"within selector {within!r}: {selector_problem(str(within)) or 'must be a string'}",
            label)
    if within is not None and not raw_patterns:
        err(raw.key_line("within"), "within narrows the rule's text patterns: give text too", label)
    link_box = raw.get("link_box", False)
    if not isinstance(link_box, bool):
        err(raw.key_line("link_box"), "link_box must be true or false", label)
        link_box = False
    story_links = _bounded_int(raw, "story_links", 0, 1, 50, label, err)
    if not selectors and not raw_patterns and not words and not links and not story_links:
        err(line, "rule removes nothing: give selectors, text, words, links and/or story_links", label)
    upward = raw.get("upward")
    if upward is not None:
        if isinstance(upward, bool) or not isinstance(upward, (int, str)):
            err(raw.key_line("upward"), "upward must be a number of levels or a CSS selector", label)
        elif isinstance(upward, int) and not 1 <= upward <= MAX_UPWARD:
            err(raw.key_line("upward"), f"upward levels must be between 1 and {MAX_UPWARD}", label)
        elif isinstance(upward, str) and selector_problem(upward):
            err(raw.key_line("upward"), f"upward selector {upward!r}: {selector_problem(upward)}", label)
    requires = raw.get("requires")
    if requires is not None and (not isinstance(requires, str) or selector_problem(requires)):
        err(raw.key_line("requires"), f"requires selector {requires!r}: {selector_problem(str(requires)) or 'must be a string'}", label)
    strip = raw.get("strip")
    if strip is not None and (not isinstance(strip, str) or selector_problem(strip)):
        err(raw.key_line("strip"), f"strip selector {strip!r}: {selector_problem(str(strip)) or 'must be a string'}", label)
    if link_box and (upward is not None or strip is not None):
        err(raw.key_line("link_box"), "link_box widens a match itself: give it without upward and strip", label)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        err(raw.key_line("enabled"), "enabled must be true or false", label)
    if rid is None or not isinstance(title, str) or kind not in KINDS:
        return None
    return Rule(
        id=rid, title=title.strip(), kind=kind, pack_id=pack_id, scope=scope or Scope(),
        selectors=tuple(s for s, _ in selectors), text=tuple(patterns), lang=tuple(x.lower() for x in lang), requires=requires, upward=upward,
        strip=strip, enabled=bool(enabled), source=source, line=line,
        words=tuple(w for w, _ in words), links=tuple(f for f, _ in links), min_links=min_links, max_text=max_text, min_text=min_text,
        spare=spare, within=within, link_box=link_box, story_links=story_links,
    )


def _bounded_int(raw, key, default, low, high, label, err):
    value = raw.get(key)
    if value is None:  # not given (`value is default` would also pass a literal 0)
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        err(raw.key_line(key), f"{key} must be a whole number from {low} to {high}, got {value!r}", label)
        return default
    return value


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

