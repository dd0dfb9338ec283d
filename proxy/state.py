"""Glue between the store's rows and the engine: Toggles, and the user rules as a pack.

User rules go through the same parser as rule files (`parse_pack_text`), so they are
validated, scoped and compiled exactly like the packs in `rules/`.
"""
from __future__ import annotations

import re
from typing import Iterable

import yaml

from proxy.rules import Rule, RulePack, RuleSet, Toggles, domain_covers, parse_pack_text
from proxy.store import Snapshot, UserRuleRow

USER_PACK_ID = "user"
USER_PACK_TITLE = "Your own rules"
MAX_SITE = 253
MAX_TITLE = 200
MAX_SELECTOR = 1000

_SITE_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalize_site(site: str) -> str:
    """A host name as toggles and pauses store it: lower case, no trailing dot."""
    return site.strip().lower().rstrip(".")


def site_problem(site: str) -> str | None:
    """Why `site` is not a host name the service keeps state for, or None."""
    if not site or len(site) > MAX_SITE or not _SITE_RE.match(site):
        return f"not a host name: {site!r} (like rt.com or www.example.org; punycode for non-ASCII names)"
    return None


def toggles_of(snapshot: Snapshot) -> Toggles:
    rules = frozenset((t.target, t.enabled) for t in snapshot.toggles if t.kind == "rule" and not t.site)
    packs = frozenset((t.target, t.enabled) for t in snapshot.toggles if t.kind == "pack" and not t.site)
    site_rules = frozenset((t.site, t.target, t.enabled) for t in snapshot.toggles if t.kind == "rule" and t.site)
    site_packs = frozenset((t.site, t.target, t.enabled) for t in snapshot.toggles if t.kind == "pack" and t.site)
    return Toggles(rules, packs, site_rules, site_packs, frozenset(snapshot.paused))


def user_pack_yaml(rows: Iterable[UserRuleRow]) -> str:
    """The user rules as a pack file (also what `quietpage rules export` prints)."""
    return yaml.safe_dump({"id": USER_PACK_ID, "title": USER_PACK_TITLE,
                           "description": "Rules made in the extension or through the service's API.",
                           "rules": [_rule_doc(r) for r in rows]},
                          sort_keys=False, allow_unicode=True, width=1 << 30)


def user_rules(rows: Iterable[UserRuleRow], known_ids: Iterable[str] = ()) -> RuleSet:
    """The user rules as one pack; a row that no longer parses is left out and reported."""
    rows, known = list(rows), {i: "(a rule file)" for i in known_ids}
    if not rows:
        return RuleSet()
    pack, errors = parse_pack_text(user_pack_yaml(rows), "<user rules>", known)
    if pack is not None:
        return RuleSet((pack,))
    good = [r for r in rows if parse_pack_text(user_pack_yaml([r]), "<user rules>", known)[0] is not None]
    pack, _ = parse_pack_text(user_pack_yaml(good), "<user rules>", known) if good else (None, [])
    return RuleSet((pack,) if pack else (), tuple(errors))


def validate_user_rule(site: str, title: str, selector: str | None, pattern: str | None) -> dict[str, str]:
    """Problems by field name ({} if none), found by parsing the rule as a pack file would be."""
    problems: dict[str, str] = {}
    for name, value, limit in (("site", site, MAX_SITE), ("title", title, MAX_TITLE),
                               ("selector", selector, MAX_SELECTOR), ("pattern", pattern, MAX_SELECTOR)):
        if value is not None and len(value) > limit:
            problems[name] = f"longer than {limit} characters"
        elif value is not None and _CONTROL.search(value):
            problems[name] = "must be one line without control characters"
    if site_problem(site) and "site" not in problems:
        problems["site"] = site_problem(site)
    if selector is None and pattern is None:
        problems["selector"] = "give a CSS selector, a text pattern, or both"
    if problems:
        return problems
    text = user_pack_yaml([UserRuleRow("user.0", site, title, selector, pattern, 0.0)])
    field_of_line, field = {}, "rule"
    for number, line in enumerate(text.splitlines(), start=1):
        key = _KEY_LINE.match(line)
        if key:  # a list item line belongs to the key above it
            field = _FIELD_OF_KEY.get(key.group(1), "rule")
        field_of_line[number] = field
    _pack, errors = parse_pack_text(text, "<user rule>")
    for error in errors:
        problems.setdefault(field_of_line.get(error.line, "rule"), error.message)
    return problems


_KEY_LINE = re.compile(r"^\s*(?:- )?([a-z_]+):(?:\s|$)")
_FIELD_OF_KEY = {"domains": "site", "selectors": "selector", "text": "pattern", "title": "title"}


def _rule_doc(row: UserRuleRow) -> dict:
    doc: dict = {"id": row.id, "title": row.title, "domains": [row.site]}
    if row.selector is not None:
        doc["selectors"] = [row.selector]
    if row.pattern is not None:
        doc["text"] = [row.pattern]
    return doc


def rule_json(rule: Rule) -> dict:
    """The parts of a rule a person or the extension needs to see."""
    return {"id": rule.id, "title": rule.title, "kind": rule.kind, "pack": rule.pack_id,
            "scope": {"include": list(rule.scope.include), "exclude": list(rule.scope.exclude)},
            "selectors": list(rule.selectors), "text": [p.source for p in rule.text]}


def pack_on(toggles: Toggles, pack: RulePack, host: str = "") -> bool:
    """Whether a pack is on for `host` (everywhere if ""): most specific switch, else its default."""
    best = None
    for site, ident, on in toggles.site_packs:
        if host and ident == pack.id and domain_covers(site, host) and (best is None or len(site) > len(best[0])):
            best = (site, on)
    if best is not None:
        return best[1]
    return next((on for ident, on in toggles.packs if ident == pack.id), pack.enabled)


def describe(rules: RuleSet, toggles: Toggles, revision: int, site: str | None = None,
             ids: Iterable[str] = ()) -> dict:
    """What GET /api/rules answers: every pack and rule, on everywhere and on `site`.

    An adblock list (tens of thousands of rules) is listed with only the rules that are
    for `site`, have a switch set anywhere, or are named in `ids`; the rest are counted.
    """
    host = normalize_site(site) if site else ""
    paused = toggles.is_paused(host) if host else None
    switched = {rid for rid, _on in toggles.rules} | {rid for _site, rid, _on in toggles.site_rules}
    wanted = set(ids)
    packs = []
    for pack in rules.packs:
        rules_out = []
        shown = pack.rules
        if pack.adblock:
            shown = [r for r in pack.rules if r.id in switched or r.id in wanted
                     or (host and r.scope.include and r.scope.covers(host))]
        for rule in shown:
            entry = rule_json(rule)
            entry["user"] = pack.id == USER_PACK_ID
            entry["enabled"] = toggles.rule_on(rule, "", pack.enabled)
            entry["enabled_here"] = toggles.rule_on(rule, host, pack.enabled) if host else None
            entry["in_scope_here"] = rule.scope.covers(host) if host else None
            entry["active_here"] = bool(entry["enabled_here"] and entry["in_scope_here"] and not paused) if host else None
            rules_out.append(entry)
        packs.append({"id": pack.id, "title": pack.title, "description": pack.description,
                      "user": pack.id == USER_PACK_ID, "enabled": pack_on(toggles, pack),
                      "enabled_here": pack_on(toggles, pack, host) if host else None, "rules": rules_out,
                      "adblock": pack.adblock, "rule_count": len(pack.rules),
                      "rules_left_out": len(pack.rules) - len(rules_out)})
    return {"revision": revision, "site": host or None, "paused": paused, "packs": packs}
