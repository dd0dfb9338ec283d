"""Adblock cosmetic filter lists (EasyList syntax, uBlock Origin and AdGuard extensions)
read as rule packs.

What a proxy can apply to a static document becomes a rule: element hiding (`##`,
scoped by domains, `~` exclusions), exceptions (`#@#`), uBO's procedural operators that
work without a live browser (`:has`, `:has-text`, `:upward`, `:remove`, `:not`,
`:min-text-length`, `:matches-path`, and ABP's and AdGuard's spellings), HTML filters
(`##^`) and `$generichide`/`$elemhide` page exceptions. Everything else is counted by
reason, never silently dropped. The parser knows no engine: it emits the rule model.
Pure: selectolax and the stdlib.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import regex

from proxy.rules.model import (MAX_UPWARD, FilterList, ListException, PageException, Procedure, Rule, RuleError,
                               RulePack, Scope)
from proxy.rules.selectors import selector_problem
from proxy.rules.text import bounded_regex

# Operators that need a live browser (layout, styles, events) or are not cosmetic.
_UNSUPPORTED_OPERATORS = {
    ":style(": "needs a live browser (:style)",
    ":matches-css": "needs a live browser (:matches-css)",
    ":-abp-properties(": "needs a live browser (:-abp-properties)",
    ":watch-attr(": "needs a live browser (:watch-attr)",
    ":xpath(": "xpath is not supported",
    ":remove-attr(": "changes attributes, not cosmetic removal",
    ":remove-class(": "changes attributes, not cosmetic removal",
    ":matches-attr(": "not supported (:matches-attr)",
    ":matches-prop(": "needs a live browser (:matches-prop)",
    ":min-text-length(": None,  # supported, listed so it is not flagged as unknown
    ":others(": "not supported (:others)",
    ":nth-ancestor(": None,
    ":if(": None,
    ":if-not(": None,
}
_TEXT_OPERATORS = (":has-text(", ":-abp-contains(", ":contains(")
_HAS_ALIASES = (":-abp-has(", ":if(")


@dataclass(frozen=True)
class Skipped:
    """A line a proxy cannot apply (needs a live browser, not cosmetic): counted by reason."""

    reason: str


@dataclass(frozen=True)
class Invalid:
    """A line that is not a valid filter: reported with its number."""

    reason: str


@dataclass(frozen=True)
class Cosmetic:
    """An element-hiding filter: the CSS part, where it applies, and what follows in Python."""

    selector: str
    scope: Scope
    procedure: Procedure | None = None
    upward: int | str | None = None


@dataclass
class ListReport:
    """What an import made of a list: rules applied, lines skipped by reason, invalid lines."""

    name: str
    applied: int = 0
    exceptions: int = 0
    skipped: Counter = field(default_factory=Counter)
    invalid: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        skipped = ", ".join(f"{n} {reason}" for reason, n in self.skipped.most_common()) or "none"
        return (f"{self.name}: {self.applied} rules applied, {self.exceptions} exceptions; "
                f"skipped {sum(self.skipped.values())} ({skipped}); invalid {len(self.invalid)}")


def list_name(path: Path) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-") or "list"


def parse_list_file(path: Path, seen_ids: Mapping[str, str] = {}, name: str | None = None
                    ) -> tuple[RulePack | None, list[RuleError]]:
    """A `.txt` list as a pack; unreadable files are errors, bad lines are only reported."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return None, [RuleError(str(path), 0, f"cannot read: {exc}")]
    pack, _report = parse_list_text(text, name or list_name(path), str(path))
    return pack, []


def parse_list_text(text: str, name: str, source: str = "<list>") -> tuple[RulePack, ListReport]:
    report = ListReport(name)
    rules: list[Rule] = []
    exceptions: list[ListException] = []
    page_exceptions: list[PageException] = []
    title = name
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("!") or line.startswith("["):
            m = re.match(r"!\s*Title:\s*(.+)", line)
            if m:
                title = m.group(1).strip()
            continue
        match parse_line(line):
            case Skipped(reason):
                report.skipped[reason] += 1
            case Invalid(reason):
                report.invalid.append((lineno, reason))
            case PageException() as exception:
                page_exceptions.append(exception)
                report.exceptions += 1
            case ListException() as exception:
                exceptions.append(exception)
                report.exceptions += 1
            case Cosmetic(selector, scope, procedure, upward):
                rules.append(Rule(
                    id=f"{name}.{lineno}", title=line[:1000], kind="other", pack_id=name, scope=scope,
                    selectors=(selector,), procedure=procedure, upward=upward, source=source, line=lineno))
    bad = _unusable(rules)
    for rule in rules:
        if rule.id in bad:
            reason = bad[rule.id]
            if reason:
                report.invalid.append((rule.line, reason))
            else:
                report.skipped["selector Lexbor cannot use"] += 1
    rules = [r for r in rules if r.id not in bad]
    report.applied = len(rules)
    report.invalid.sort()
    pack = RulePack(id=name, title=title, description=f"Adblock list {name}: {report.summary()}",
                    rules=tuple(rules), path=source,
                    filter_list=FilterList(tuple(exceptions), tuple(page_exceptions)))
    return pack, report


def parse_line(line: str) -> Cosmetic | ListException | PageException | Skipped | Invalid:
    """One list line (not a comment) as what it is to a proxy."""
    for marker in ("#@#", "#?#", "#@?#", "#$#", "#@$#", "#%#", "#@%#", "$$", "$@$", "##"):
        head, sep, body = line.partition(marker)
        if sep and "##" not in head and "#@#" not in head:
            break
    else:
        return _network_line(line)
    if marker in ("#$#", "#@$#"):
        return Skipped("CSS injection (#$#) needs a live browser")
    if marker in ("#%#", "#@%#"):
        return Skipped("scriptlet or JS (#%#) is not cosmetic")
    if body.startswith("+js(") or body.startswith("+js ("):
        return Skipped("scriptlet (+js) is not cosmetic")
    if body[:1].isspace():
        return Invalid(f"not a filter: a space after {marker} (a Markdown heading?)")
    domains = [d.strip().lower() for d in head.split(",") if d.strip()]
    scope, problem = _scope(domains)
    if problem:
        return Invalid(problem)
    if marker in ("$$", "$@$"):
        # AdGuard HTML filtering: tag[attr="value"]... maps to a selector where simple.
        body = re.sub(r'\[tag-content="[^"]*"\]|\[wildcard="[^"]*"\]|\[max-length="\d+"\]|\[min-length="\d+"\]', "", body)
        if marker == "$@$":
            return ListException(body, scope)
    if body.startswith("^"):  # uBO HTML filter: remove the element from the source
        body = body[1:]
        if body.startswith("script:") or body.startswith("responseheader("):
            return Skipped("HTML filter on scripts or headers is not cosmetic")
    if marker in ("#@#", "#@?#"):
        return ListException(body.strip(), scope)
    return _cosmetic(body.strip(), scope)


def _network_line(line: str) -> PageException | Skipped | Invalid:
    if any(ch.isspace() for ch in line.split("$", 1)[0]):  # prose, a Markdown heading: no filter has spaces there
        return Invalid("not a filter (a network filter has no spaces before its $options)")
    m = re.search(r"\$(.*)$", line)
    options = set(m.group(1).split(",")) if m else set()
    if line.startswith("@@") and options & {"generichide", "ghide", "elemhide", "ehide"}:
        kind = "elemhide" if options & {"elemhide", "ehide"} else "generichide"
        host = re.match(r"@@\|\|([^/^$]+)", line)
        domains = tuple(d.lstrip("~") for d in re.findall(r"domain=([^,]+)", m.group(1))[0].split("|")) \
            if "domain=" in m.group(1) else ()
        if host:
            domains = domains + (host.group(1).lower(),)
        if not domains:
            return Skipped("page exception without a domain")
        return PageException(kind, domains)
    return Skipped("network rule (blocking requests is not cosmetic)")


def _scope(domains: list[str]) -> tuple[Scope, str | None]:
    include, exclude = [], []
    for d in domains:
        neg = d.startswith("~")
        d = d.lstrip("~")
        if d.endswith(".*"):  # entity matching ("google.*"): the registrable part only
            d = d[:-2]
        if not d.isascii():
            try:
                d = d.encode("idna").decode("ascii")  # hosts in URLs are punycode
            except UnicodeError:
                return Scope(), f"not a domain: {d!r}"
        if not re.fullmatch(r"[a-z0-9*]([a-z0-9.*_-]*[a-z0-9])?", d):
            return Scope(), f"not a domain: {d!r}"
        (exclude if neg else include).append(d)
    return Scope(tuple(include), tuple(exclude)), None


def _cosmetic(body: str, scope: Scope) -> Cosmetic | Skipped | Invalid:
    if not body:
        return Invalid("empty selector")
    for op, reason in _UNSUPPORTED_OPERATORS.items():
        if op in body and reason:
            return Skipped(reason)
    css, procedure, upward, problem = _procedural(body)
    if problem:
        return Skipped(problem) if "not supported" in problem else Invalid(problem)
    return Cosmetic(css, scope, procedure, upward)


def _unusable(rules: list[Rule], chunk: int = 256) -> dict[str, str | None]:
    """Rules whose selector Lexbor cannot compile: rule id -> why (None: a pseudo-class
    Lexbor lacks, a skip rather than a list error). Compiled a chunk at a time and
    bisected on failure: one Lexbor call per selector would take seconds for a big list."""
    bad: dict[str, str | None] = {}

    def check(batch: list[Rule]) -> None:
        if not batch:
            return
        if selector_problem(", ".join(r.selectors[0] for r in batch)) is None:
            return
        if len(batch) == 1:
            css = batch[0].selectors[0]
            bad[batch[0].id] = None if re.search(r":[a-z-]+\(", css) else selector_problem(css)
            return
        half = len(batch) // 2
        check(batch[:half])
        check(batch[half:])

    for i in range(0, len(rules), chunk):
        check(rules[i:i + chunk])
    return bad


# Operators a selector may end with, peeled off one at a time (the first that matches,
# again from the top, until none does): name -> the pattern of it and its argument.
_TRAILING = (
    ("remove", re.compile(r":remove\(\)\s*$")),
    ("path", re.compile(r":matches-path\((.*)\)\s*$")),
    ("upward", re.compile(r":(?:upward|nth-ancestor)\(([^()]*)\)\s*$")),
    ("min_text_length", re.compile(r":min-text-length\((\d+)\)\s*$")),
)


def _procedural(body: str) -> tuple[str, Procedure | None, int | str | None, str | None]:
    """Split uBO procedural operators off the end of a selector: the CSS part, the tests
    on what it matched, how far to widen a match, and why the filter is unusable (or None)."""
    for alias in _HAS_ALIASES:
        body = body.replace(alias, ":has(")
    found: dict[str, str] = {}
    while (peeled := _peel(body)) is not None:
        body, name, argument = peeled
        found[name] = argument
    if any(op in body for op in _TEXT_OPERATORS):
        return body, None, None, "text operator inside :has()/:not() is not supported"
    body = body.strip() or "*"
    upward = found.get("upward")
    if upward is not None:
        upward = upward.strip()
        upward = int(upward) if upward.isdigit() else upward
        if isinstance(upward, int) and not 1 <= upward <= MAX_UPWARD:
            return body, None, None, f"bad :upward({upward})"
    if not found.keys() & {"text", "path", "min_text_length"}:
        return body, None, upward, None
    text = _text_regex(found["text"]) if "text" in found else None
    path = _text_regex(found["path"]) if "path" in found else None
    if text is False or path is False:
        return body, None, None, "bad regular expression"
    return body, Procedure(text=text, min_text_length=int(found.get("min_text_length", 0)), path=path), upward, None


def _peel(body: str) -> tuple[str, str, str] | None:
    """The selector without its last procedural operator, the operator's name and its
    argument; None if it ends with none."""
    for name, pattern in _TRAILING:
        m = pattern.search(body)
        if m:
            return body[:m.start()], name, (m.group(1) if pattern.groups else "")
    for op in _TEXT_OPERATORS:
        idx = body.rfind(op)
        if idx >= 0 and body.rstrip().endswith(")") and _balanced(body[idx + len(op):].rstrip()[:-1]):
            return body[:idx], "text", body[idx + len(op):].rstrip()[:-1]
    return None


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def _text_regex(arg: str):
    """A `:has-text()` / `:matches-path()` argument: a literal (searched as one) or a
    `/regex/flags` (run under a time limit: lists are other people's input); False if bad."""
    arg = arg.strip()
    if len(arg) >= 2 and arg[0] == arg[-1] == '"':
        arg = arg[1:-1]
    m = re.fullmatch(r"/(.*)/([a-z]*)", arg)
    try:
        if m:
            flags = re.IGNORECASE if "i" in m.group(2) else 0
            re.compile(m.group(1), flags)  # valid for re, so both engines read it the same way
            return bounded_regex(m.group(1), flags)
        return re.compile(re.escape(arg))
    except (re.error, regex.error):
        return False
