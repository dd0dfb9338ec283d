"""The guard: what the rules' matches become (widened, collapsed, outermost only), and
whether removing one rule's matches would take the article; then that rule is skipped
on the page and the reason reported."""
from __future__ import annotations

from dataclasses import dataclass

from proxy.engine.dom import MENU_LISTS, PROTECTED_TAGS, find, find_first, has_ancestor_in
from proxy.engine.facts import Nodes, Page, collapsed_bytes
from proxy.rules import Rule, normalize_text

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
    `upward` and to wrappers holding nothing else; then without those over the rule's
    `max_text` or under its `min_text`, or that are, are inside or hold an element its `spare` names."""
    if rule.strip:
        out = [child for n in nodes for child in n.css(rule.strip)]
    elif rule.upward is not None:
        out = [upward(page, node, rule.upward) for node in nodes]
    elif rule.link_box:
        # A lead-in or a heading in a menu is the menu's entry ("Últimas notícias"), not a promo.
        out = [link_box(node, rule.max_text or LINK_BOX_TEXT, page.nodes) for node in nodes
               if not page.inside(node, MENU_LISTS)]
    else:
        out = list(nodes)
    # The limits first, on the matches as found: the wrappers `collapse` adds hold nothing else.
    if rule.max_text is not None or rule.min_text:
        out = [n for n in out if _text_within(n, rule.min_text, rule.max_text)]
    if rule.spare is not None and out:
        fences = page.ids(rule.spare)
        if fences:
            around = page.around(rule.spare)
            out = [n for n in out if n.mem_id not in fences and n.mem_id not in around
                   and not has_ancestor_in(n, fences)]
    if not rule.strip:
        out = [collapse(n) for n in out]
    return out


def _text_within(node, least: int, most: int | None) -> bool:
    """Whether the node's text (whitespace collapsed) is `least` to `most` characters long;
    the collapsing skipped where the raw length already answers."""
    raw = node.text(deep=True)
    if len(raw) < least:
        return False
    if most is not None and len(raw) > most:
        if len(raw) > 16 * most + 256:  # mostly text, not indentation: too long unread
            return False
    elif not least:
        return True
    size = len(normalize_text(raw))
    return least <= size and (most is None or size <= most)


# A box of links is widened to at most this much text (a rule's max_text, if it says).
LINK_BOX_TEXT = 1500
MAX_BOX_LEVELS = 6
MAX_LINK_LEVELS = 3
LINK_SHARE = 0.6


def link_box(node, limit: int, nodes: Nodes):
    """The largest ancestor of `node` (a few levels up, never past an <article>) that is a
    box of links: two links or more, whose text is mostly theirs, and at most `limit`
    characters; or, next to it, the label and one headline's link; `node` itself if there
    is none. `nodes`: the page's texts and links, read
    once (a rule's matches are often siblings: their parents are shared)."""
    link = node.parent
    for _ in range(MAX_LINK_LEVELS):  # a label inside a link ("Zie ook: <headline>"): the link
        if link is None or link.tag in PROTECTED_TAGS:
            break
        if link.tag == "a":
            return link if nodes.length(link) <= limit else node
        link = link.parent
    best, current = node, node
    for _ in range(MAX_BOX_LEVELS):
        parent = current.parent
        if parent is None or parent.tag in PROTECTED_TAGS or parent.tag == "article":
            break
        text = nodes.length(parent)
        if text > limit:
            break
        links = nodes.links(parent)
        if len(links) >= 2 and sum(nodes.length(a) for a in links) >= LINK_SHARE * text:
            best = parent
        elif best is node and len(links) == 1 and _labelled(parent, node, links[0], nodes):
            best = parent
        current = parent
    return best


# A labelled link: a headline of at least this many characters, and at most this much text
# besides the label and the link (a mark, a space).
LABELLED_LINK = 15
LABEL_SLACK = 3


def _labelled(parent, label, link, nodes: Nodes) -> bool:
    """Whether `parent` is the label and one link and nothing else ("<strong>Lire aussi
    :</strong> <a>headline</a>"): the lead-in goes with the story it introduces."""
    own = nodes.length(link)
    return own >= LABELLED_LINK and nodes.length(parent) - nodes.length(label) - own <= LABEL_SLACK


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
        if not _sole_content(parent):
            break
        node = parent
    return node


def _sole_content(parent) -> bool:
    """Whether `parent` holds exactly one child that is an element or a text with words
    (read no further than a second: a list's parent holds hundreds)."""
    count = 0
    for c in parent.iter(include_text=True):
        if c.tag != "-text" or (c.text_content or "").strip():
            count += 1
            if count > 1:
                return False
    return count == 1


def guard(page: Page, nodes: list, limits: GuardLimits) -> str | None:
    """Why removing these nodes would take the article, or None when it is safe."""
    removed = 0
    # Each element once, and not again inside another: a rule whose selectors name the
    # same box twice ("#respond, .comment-respond") removes its text once.
    unique = {n.mem_id: n for n in nodes}
    nodes = [n for n in unique.values() if not has_ancestor_in(n, unique)]
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
        removed += _text_bytes(node) - _link_bytes(node)
    if removed * 100 < len(page.segments[0]):
        return None  # under 1 % of the text: no need to work out exactly how much is visible
    visible = page.visible_bytes
    if visible and removed > limits.max_text_share * visible:
        return f"would remove {removed * 100 // visible}% of the page's text (links not counted)"
    return None


def _text_bytes(node) -> int:
    """UTF-8 length of a node's text, whitespace runs counted as one space and the scripts
    and styles inside it left out (as Page.visible_bytes counts the page's)."""
    size = collapsed_bytes(node.text(deep=True))
    if size:
        size -= sum(collapsed_bytes(n.text(deep=True)) for n in find(node, "script, style, template"))
    return max(size, 0)


def _link_bytes(node) -> int:
    """UTF-8 length of the text of the links in a node (the node itself if a link)."""
    links = [node] if node.tag == "a" else find(node, "a")
    return sum(collapsed_bytes(a.text(deep=True)) for a in links)


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
