"""Attribution: which rule of a joined query matched each element.

Every selector in force runs in one Lexbor query per page; the elements found are then
credited to a rule by what the selectors' last compounds say about the element (tag,
classes, id, attribute tests), and by the rule's own query where that does not decide.
"""
from __future__ import annotations

from dataclasses import dataclass

from proxy.rules import Rule
from proxy.rules.selectors import ATTR_TEST, rightmost_compound


@dataclass(frozen=True)
class Signature:
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
class SelectorRule:
    """A rule as one part of a joined query."""

    rule: Rule
    query: str  # its selectors, joined
    signatures: tuple[Signature, ...]
    # each selector with the uncommon tags it needs (absent from a page, it cannot match)
    # and the strings it needs in the page's source (see rules.selectors.gate_literals)
    parts: tuple[tuple[str, tuple[str, ...], tuple[bytes, ...]], ...] = ()


def signature(selector: str) -> Signature:
    compound = rightmost_compound(selector)
    attrs, simple = (), False
    rest = ATTR_TEST.sub("", compound)
    if "[" not in rest and "(" not in rest and ":" not in rest:  # every test in it understood
        attrs = tuple((m.group(1).lower(), m.group(2) or "", m.group(3) or "") for m in ATTR_TEST.finditer(compound))
        simple = compound == selector.strip() and "\\" not in compound
    sig = _signature_of(compound)
    return Signature(sig.tag, sig.classes, sig.id, attrs, simple)


def _signature_of(compound: str) -> Signature:
    tag, classes, ident = None, set(), None
    if "\\" in compound:  # escaped names are not decoded: a signature that fits any element
        return Signature(None, frozenset(), None)
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
    return Signature(tag, frozenset(classes), ident)


def attribute(hits: list, selector_rules: tuple[SelectorRule, ...], targets: dict[str, list],
              keyed: dict[str, tuple[int, ...]] | None = None) -> None:
    """Credit each element of a joined query's `hits` to one rule in `targets`: by the
    selectors' last compound where that decides it, by the rule's own query where it
    does not. `keyed`: `by_key(selector_rules)`, when the caller keeps it."""
    if len(selector_rules) == 1:
        targets.setdefault(selector_rules[0].rule.id, []).extend(hits)
        return
    if keyed is None:
        keyed = by_key(selector_rules)
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


def by_key(selector_rules: tuple[SelectorRule, ...]) -> dict[str, tuple[int, ...]]:
    """Rule positions by one thing each signature needs: "#id", ".class", "@" + an
    attribute name, "t" + tag, or "*" for a signature needing none of them."""
    keyed: dict[str, list[int]] = {}
    for i, s in enumerate(selector_rules):
        for sig in s.signatures:
            key = ("#" + sig.id if sig.id else "." + min(sig.classes) if sig.classes
                   else "@" + sig.attrs[0][0] if sig.attrs else "t" + sig.tag if sig.tag else "*")
            keyed.setdefault(key, []).append(i)
    return {k: tuple(v) for k, v in keyed.items()}
