"""Small DOM helpers every stage uses: Lexbor queries, ancestry, tags no rule may take."""
from __future__ import annotations

import threading

from selectolax.lexbor import LexborCSSSelector

# Never removed, never climbed past.
PROTECTED_TAGS = frozenset({"html", "head", "body", "main", "#document"})
# Raw text, not page text.
NOT_TEXT = frozenset({"script", "style", "template"})
# A menu or a navigation box: `<nav>`, or an element whose role says so (Wikipedia's navboxes).
MENU_ROLES = frozenset({"menu", "menubar", "navigation"})
MENUS = ", ".join(["nav", *(f"[role={role}]" for role in sorted(MENU_ROLES))])
# ...and the lists menus are built of, by the classes WordPress, Bootstrap and most themes give them.
MENU_LISTS = ", ".join([MENUS, ".nav, .navbar, .navigation, .menu, .nav-menu, .main-menu, .menu-item, .sub-menu",
                        ".dropdown-menu"])


def is_menu(node) -> bool:
    """Whether `node` is a menu or a navigation box (`MENUS`)."""
    return node.tag == "nav" or node.attributes.get("role") in MENU_ROLES


class _Selectors(threading.local):
    """One Lexbor selector engine per thread: making one per query costs more than the
    query on a small page, and an engine must not be shared between threads."""

    def __init__(self) -> None:
        self.engine = LexborCSSSelector()


_SELECTORS = _Selectors()


def find(node, query: str) -> list:
    """`node.css(query)` with this thread's selector engine."""
    return _SELECTORS.engine.find(query, node)


def find_first(node, query: str) -> list:
    """`[node.css_first(query)]`, or [] (same engine)."""
    return _SELECTORS.engine.find_first(query, node)


def has_ancestor_in(node, ids=None, tags=None) -> bool:
    """Whether an ancestor of `node` has its `mem_id` in `ids` (a node freed frees its
    subtree: only the outermost of nested nodes may be decomposed), or its tag in `tags`."""
    parent = node.parent
    while parent is not None:
        if (ids is not None and parent.mem_id in ids) or (tags is not None and parent.tag in tags):
            return True
        parent = parent.parent
    return False


def mark_ancestors(node, seen: set[int]) -> None:
    """Once an element matched, no ancestor of it is a candidate (smallest wins)."""
    parent = node.parent
    while parent is not None and parent.mem_id not in seen:
        seen.add(parent.mem_id)
        parent = parent.parent


def css_string(value: str) -> str:
    """`value` as the inside of a double-quoted CSS string."""
    return value.replace("\\", "\\\\").replace('"', '\\"')
