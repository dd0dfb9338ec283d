"""Adblock lists in the data dir: a switch follows its rule when a new version moves it."""
from proxy import lists


def test_moved_rule_ids_follow_their_lines():
    old = "! a\n##.x\n##.y\n##.z\n"
    new = "! a\n! b\n##.y\n##.x\n"
    moved = lists.moved_rule_ids("l", old, new)
    assert moved == {"l.2": "l.4", "l.4": None}  # .y stays on line 3; .z is gone
