"""The guard: what the rules' matches become (widened, collapsed, outermost only), and
whether removing one rule's matches would take the article; then that rule is skipped
on the page and the reason reported."""
from __future__ import annotations

from dataclasses import dataclass

from proxy.engine.dom import PROTECTED_TAGS, find, find_first, has_ancestor_in
from proxy.engine.facts import Page
from proxy.rules import Rule

# Wrappers left holding nothing but a removed element go with it, this many levels up.
MAX_COLLAPSE = 3
_SVG_LABELS = frozenset({"title", "desc"})


@dataclass(frozen=True)
class GuardLimits:
    """When a rule's matches on a page look like the article, the rule is skipped there."""

    max_text_share: float = 0.3  # of the body's text, over all of one rule's matches
    max_paragraph_share: float = 0.5  # of the page's <p>, inside one match holding the h1 or an <article>
    min_paragraphs: int = 3  # pages with fewer <p> skip the paragraph test


DEFAULT_LIMITS = GuardLimits()


def widen(page: Page, rule: Rule, nodes: list) -> list:
    """A rule's matches as they will be removed: `strip`ped to descendants, or widened
    `upward` and to wrappers holding nothing else."""
    if rule.strip:
        return [child for n in nodes for child in n.css(rule.strip)]
    out = []
    for node in nodes:
        if rule.upward is not None:
            node = upward(page, node, rule.upward)
        out.append(collapse(node))
    return out


def upward(page: Page, node, to: int | str):
    """The ancestor `to` levels up (stopping below <body>), or the nearest one matching the
    selector `to` (the node itself if none does)."""
    if isinstance(to, int):
        current = node
        for _ in range(to):
            parent = current.parent
            if parent is None or parent.tag in PROTECTED_TAGS:
                break
            current = parent
        return current
    wanted = page.ids(to)
    current = node.parent
    while current is not None and current.tag not in PROTECTED_TAGS:
        if current.mem_id in wanted:
            return current
        current = current.parent
    return node


def collapse(node):
    """Widen to wrappers whose only content is this node (no empty husks left)."""
    for _ in range(MAX_COLLAPSE):
        parent = node.parent
        if parent is None or parent.tag in PROTECTED_TAGS or parent.tag == "article":
            break
        children = [c for c in parent.iter(include_text=True)
                    if c.tag != "-text" or (c.text_content or "").strip()]
        if len(children) != 1:
            break
        node = parent
    return node


def guard(page: Page, nodes: list, limits: GuardLimits) -> str | None:
    """Why removing these nodes would take the article, or None when it is safe."""
    removed = 0
    for node in nodes:
        tag = node.tag
        if tag in _SVG_LABELS:  # labels inside an <svg>: never page text, never the article
            continue
        if tag in PROTECTED_TAGS:
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


def outermost(final: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The targets not inside another target (removing a node removes its subtree)."""
    chosen: dict[int, tuple[str, object]] = {}
    for rule_id, node in final:  # the first rule to reach a node is credited with it
        chosen.setdefault(node.mem_id, (rule_id, node))
    return [(rule_id, node) for rule_id, node in chosen.values() if not has_ancestor_in(node, chosen)]


def also_matched(final: list[tuple[str, object]], kept: list[tuple[str, object]]) -> dict[str, list[str]]:
    """For each rule credited with a removal (`kept`), the other rules of `final` that
    matched the same element or one inside it: switching the credited rule off alone
    would leave the element to them."""
    owner = {node.mem_id: rule_id for rule_id, node in kept}
    also: dict[str, set[str]] = {}
    for rule_id, node in final:
        current = node
        while current is not None and current.mem_id not in owner:
            current = current.parent
        if current is not None and owner[current.mem_id] != rule_id:
            also.setdefault(owner[current.mem_id], set()).add(rule_id)
    return {rule_id: sorted(others) for rule_id, others in also.items()}
