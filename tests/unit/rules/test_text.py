"""Text patterns: what they match, and the literal needles a page is scanned for."""
import pytest

from proxy.rules import compile_text_pattern


@pytest.mark.parametrize("pattern, text, matches", [
    ("Share this:", "share   this:", True),
    ("Share this:", "Share this: now", False),
    ("/share( this)?:?/", "Share", True),
    ("/share( this)?:?/", "Shares of the company rose", False),
    ("/^read more:.{3,}$/", "Read more: Markets slide", True),
    ("Поделиться", "поделиться", True),
])
def test_text_patterns_match_whole_text(pattern, text, matches):
    pat = compile_text_pattern(pattern)
    assert bool(pat.full.fullmatch(text)) is matches


@pytest.mark.parametrize("pattern, needles", [
    ("Like this story? Share it with a friend!", ("friend!",)),
    ("/(lesen sie auch|siehe auch):.+/", ("lesen", "siehe")),
    ("/(lesen sie auch|.+):.+/", ()),
    ("/also on [a-z.]+ .+/", ("also",)),
    ("/(diesen )?(artikel )?teilen/", ("teilen",)),
    ("Поделиться", ("оделиться",)),
    ("/a|b/", ()),
])
def test_needles_are_lowercase_literals(pattern, needles):
    assert compile_text_pattern(pattern).needles == needles
