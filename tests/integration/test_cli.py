"""`quietpage clean` and `quietpage rules check` as a person runs them."""
import json
import subprocess
import sys
import zipfile

import pytest

from support.pagetext import visible_text
from support.paths import DATA, ROOT
from support.seed import SEED_FILE as SEED, SEED_URL


def quietpage(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "proxy.cli", *map(str, args)], input=stdin,
                          capture_output=True, cwd=ROOT, timeout=60)


def test_clean_seed_with_report():
    run = quietpage("clean", "--url", SEED_URL, "--report", SEED)
    assert run.returncode == 0, run.stderr
    after = visible_text(run.stdout)
    assert "Like this story?" not in after and "icon fb" not in after
    assert "Washington now appears to be in a hurry" in after
    report = json.loads(run.stderr)
    assert report["removed"]["icon-sprites.symbol-labels"] == 47
    assert report["skipped"] == {} and report["error"] is None


def test_clean_from_stdin_keeps_page_charset():
    page = "<html><head><meta charset=windows-1251></head><body><p>Привет, мир</p>" + "<p>Длинный текст статьи о погоде и политике.</p>" * 5 + "<div class=sharedaddy>Поделиться</div></body></html>"
    run = quietpage("clean", "--url", "https://news.example/a", "-", stdin=page.encode("cp1251"))
    assert run.returncode == 0, run.stderr
    out = run.stdout.decode("cp1251")
    assert "Привет, мир" in out and "Поделиться" not in out


def test_clean_missing_file_is_a_usage_error():
    run = quietpage("clean", "/no/such/page.html")
    assert run.returncode == 2
    assert b"no such file: /no/such/page.html" in run.stderr
    assert len(run.stderr.decode().strip().splitlines()) == 1


def test_clean_with_broken_rules_exits_1():
    run = quietpage("clean", "--rules", DATA / "broken-pack.yaml", SEED)
    assert run.returncode == 1
    assert b"broken-pack.yaml:11: broken.bad-kind" in run.stderr
    assert run.stdout == b""


def test_clean_with_extra_rules(tmp_path):
    pack = tmp_path / "mine.yaml"
    pack.write_text("id: mine\ntitle: Mine\nrules:\n  - id: mine.trends\n    title: Trends sidebar\n"
                    "    domains: [rt.com]\n    selectors: ['.trends']\n")
    run = quietpage("clean", "--url", SEED_URL, "--rules", pack, "--report", SEED)
    assert run.returncode == 0, run.stderr
    assert "Venezuela crisis" not in visible_text(run.stdout)
    assert json.loads(run.stderr)["removed"]["mine.trends"] == 1


def test_rules_check_builtin_ok():
    run = quietpage("rules", "check")
    assert run.returncode == 0
    assert run.stdout.decode().startswith("ok: ")


def test_rules_check_lists_every_mistake():
    run = quietpage("rules", "check", DATA / "broken-pack.yaml")
    assert run.returncode == 1
    lines = run.stdout.decode().strip().splitlines()
    assert len(lines) == 9
    assert all("broken-pack.yaml:" in ln for ln in lines)
    for fragment in ["unknown pack key", "unknown rule key", "unknown kind", "duplicate rule id",
                     "Lexbor cannot compile", "bad regex", "removes nothing", "needs a title", "not a domain"]:
        assert any(fragment in ln for ln in lines), fragment


def test_rules_check_missing_path():
    run = quietpage("rules", "check", "/no/such/pack.yaml")
    assert run.returncode == 2 and b"no such file or directory" in run.stderr


@pytest.mark.slow
def test_wheel_carries_builtin_packs(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, ROOT],
                           capture_output=True, timeout=300)
    assert build.returncode == 0, build.stderr.decode()[-2000:]
    (wheel,) = tmp_path.glob("quietpage-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for pack in ["share-prompts.yaml", "icon-sprites.yaml", "comment-notices.yaml", "related-promos.yaml",
                 "sites/rt.com.yaml"]:
        assert f"proxy/packs/{pack}" in names
    assert "proxy/engine/clean.py" in names and "proxy/rules/packs.py" in names
