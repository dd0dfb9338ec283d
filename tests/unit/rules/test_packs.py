"""Rule packs: loading, validation with file:line, the directives rules/README.md documents."""
import pytest

from proxy.rules import KINDS, PACK_KEYS, RULE_KEYS, builtin_rules_dir, load_rules, parse_pack_text
from support.paths import DATA


def test_builtin_packs_load_cleanly():
    rules = load_rules()
    assert rules.errors == ()
    ids = [r.id for r in rules.rules]
    assert len(ids) == len(set(ids))
    assert {p.id for p in rules.packs} >= {"icon-sprites", "share-prompts", "comment-notices", "related-promos", "site.rt.com"}
    assert all(r.kind in KINDS and r.title for r in rules.rules)


def test_broken_pack_reports_every_mistake_with_line():
    rules = load_rules(DATA / "broken-pack.yaml")
    assert rules.packs == ()  # a broken pack is left out whole
    text = "\n".join(str(e) for e in rules.errors)
    path = str(DATA / "broken-pack.yaml")
    expected = [
        (3, None, "unknown pack key 'colour'"),
        (8, "broken.unknown-key", "unknown rule key 'upwards'"),
        (11, "broken.bad-kind", "unknown kind 'adverts'"),
        (16, "broken.dup", "duplicate rule id (first at line 13)"),
        (21, "broken.bad-selector", "CSS selector 'div >'"),
        (24, "broken.bad-regex", "bad regex '/share (this/'"),
        (25, "broken.empty", "rule removes nothing"),
        (27, "broken.no-title", "rule needs a title"),
        (31, "broken.bad-domain", "not a domain: 'not a domain'"),
    ]
    for line, rid, message in expected:
        matching = [e for e in rules.errors if e.line == line and message in e.message]
        assert matching, f"missing {path}:{line} {message!r} in:\n{text}"
        assert all(e.path == path for e in matching)
        if rid:
            assert matching[0].rule_id == rid
    assert len(rules.errors) == len(expected), text  # no follow-on noise


def test_broken_user_pack_does_not_stop_good_ones(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("id: good\ntitle: Good\nrules:\n  - id: good.one\n    title: One\n    selectors: ['.x']\n")
    rules = load_rules(good, DATA / "broken-pack.yaml")
    assert [p.id for p in rules.packs] == ["good"]
    assert rules.errors


def test_duplicate_id_across_packs(tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("id: a\ntitle: A\nrules:\n  - id: same\n    title: One\n    selectors: ['.x']\n")
    b.write_text("id: b\ntitle: B\nrules:\n  - id: same\n    title: Two\n    selectors: ['.y']\n")
    rules = load_rules(a, b)
    assert [p.id for p in rules.packs] == ["a"]
    (err,) = rules.errors
    assert err.line == 4 and err.rule_id == "same" and f"{a}:4" in err.message


@pytest.mark.parametrize("text, line, message", [
    ("id: x\ntitle: X\nrules: [\n", 4, "not valid YAML"),
    ("- just\n- a list\n", 1, "must be a mapping"),
    ("id: X Y\ntitle: t\nrules:\n  - {id: r, title: t, selectors: ['.a']}\n", 1, "pack id must be"),
    ("id: x\ntitle: t\nrules: []\n", 3, "non-empty list of rules"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    upward: 0\n    selectors: ['.a']\n", 6, "upward levels"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    strip: 'a >'\n    selectors: ['.a']\n", 6, "strip selector"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    enabled: maybe\n    selectors: ['.a']\n", 6, "enabled must be"),
    # the directives that find elements by their markup (issue #13)
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    words: [Share]\n", 6, "a word is 3 to 30 lower-case"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    words: [share, x]\n", 6, "got 'x'"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    links: ['face book']\n", 6, "a link fragment is"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    links: [facebook.com/sharer]\n    min_links: 0\n", 7, "min_links must be a whole number"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    selectors: ['.a']\n    min_links: 2\n", 7, "min_links counts the rule's links"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    words: [share]\n    max_text: -5\n", 7, "max_text must be a whole number"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    words: [share]\n    min_text: many\n", 7, "min_text must be a whole number"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    words: [share]\n    spare: 'div >'\n", 7, "spare selector"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    selectors: ['.a']\n    within: '.sr-only'\n", 7, "within narrows the rule's text patterns"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    text: [Share]\n    within: '[['\n", 7, "within selector"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    text: [Related]\n    link_box: yes please\n", 7, "link_box must be true or false"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    text: [Related]\n    link_box: true\n    upward: 2\n", 7, "link_box widens a match itself"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    story_links: 0\n", 6, "story_links must be a whole number from 1"),
    ("id: x\ntitle: t\nrules:\n  - id: r\n    title: t\n    max_text: 40\n", 4, "rule removes nothing"),
])
def test_single_mistakes(text, line, message):
    pack, errors = parse_pack_text(text, "p.yaml")
    assert pack is None
    assert any(e.line == line and message in e.message for e in errors), errors


def test_rules_readme_documents_every_directive():
    readme = (builtin_rules_dir() / "README.md").read_text()
    for key in list(PACK_KEYS) + list(RULE_KEYS):
        assert f"`{key}`" in readme, f"rules/README.md does not document `{key}`"
    for kind in KINDS:
        assert f"`{kind}`" in readme


def test_rules_readme_examples_are_rules_that_load():
    """Each YAML example of rules/README.md that is a list of rules parses without a
    problem when put in a pack: the documentation cannot drift from the language."""
    import re  # noqa: PLC0415

    readme = (builtin_rules_dir() / "README.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if b.startswith("- id:")]
    assert len(blocks) >= 2
    for block in blocks:
        text = "id: readme\ntitle: README examples\nkind: other\nrules:\n" + "".join(
            "  " + line + "\n" for line in block.splitlines())
        pack, errors = parse_pack_text(text, "README.md")
        assert pack is not None and not errors, (errors, block)
