"""The rule model: scoping by domain, and switches (the most specific one wins)."""
import pytest

from proxy.rules import Scope, Toggles, load_rules


@pytest.mark.parametrize("domains, host, covered", [
    ((), "anything.example", True),
    (("rt.com",), "rt.com", True),
    (("rt.com",), "www.rt.com", True),
    (("rt.com",), "art.com", False),
    (("rt.com",), "rt.com.evil.example", False),
    (("rt.com", "~de.rt.com"), "de.rt.com", False),
    (("rt.com", "~de.rt.com"), "news.de.rt.com", False),
    (("rt.com", "~de.rt.com"), "www.rt.com", True),
])
def test_scope(domains, host, covered):
    scope = Scope(tuple(d for d in domains if not d.startswith("~")),
                  tuple(d[1:] for d in domains if d.startswith("~")))
    assert scope.covers(host) is covered


def test_toggles_most_specific_wins():
    rules = load_rules()
    rule = rules.rule("share-prompts.phrases")
    off_everywhere = Toggles(rules=frozenset({(rule.id, False)}))
    assert not off_everywhere.rule_on(rule, "example.com")
    on_here = Toggles(rules=frozenset({(rule.id, False)}), site_rules=frozenset({("example.com", rule.id, True)}))
    assert on_here.rule_on(rule, "www.example.com")
    assert not on_here.rule_on(rule, "other.org")
    pack_off_here = Toggles(site_packs=frozenset({("rt.com", "share-prompts", False)}))
    assert not pack_off_here.rule_on(rule, "www.rt.com")
    assert pack_off_here.rule_on(rule, "example.com")
    assert Toggles(paused=frozenset({"rt.com"})).is_paused("www.rt.com")
