"""Issue 12, item 15: the smaller promises where tests/integration/test_newcomer.py holds one
side of them and this file the other: a busy port and proxy options for `quietpage serve`
(not only `run`); `export -o -` for the whole library and without a format; a README refused
through the service as well as by `lists add`; and the pack words of POST /api/rules taking
effect on a page through the real proxy, not only in the service's answer."""
from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import pytest

from support.newcomer import quietpage, shell_env
from support.pages import ARTICLE_EN, article_page
from support.pagetext import visible_text
from support.pairedrig import own_quietpage
from support.paths import ROOT
from support.proxyrig import fetch

STORY_URL = "https://www.tram-weekly.example/2024/05/harbour-line.html"
SITE = "tram-weekly.example"
PROMO = '<div class="newsletter-box"><p>Get the Tram Weekly newsletter every Friday</p></div>'
POLL = '<div class="reader-poll"><p>Did you like this article?</p></div>'
PROMO_TEXT, POLL_TEXT = "Get the Tram Weekly newsletter every Friday", "Did you like this article?"


# --- `quietpage serve`: a busy port, and the proxy's options refused --------------------------

def test_serve_on_a_busy_port_says_one_sentence_naming_its_option(tmp_path):
    (tmp_path / "home").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = quietpage("serve", "--service-port", str(port), "--data-dir", str(tmp_path / "D"),
                         env=shell_env(tmp_path / "home"))
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    said = done.stderr.strip().splitlines()[-1]
    assert said.startswith("quietpage serve: ") and str(port) in said and "--service-port" in said, out
    assert "--mode" not in out and "--listen-port" not in out, out
    assert not re.search(r"listening|service on|running on|Traceback", out, re.IGNORECASE), out


@pytest.mark.parametrize("option", [["--listen-port", "9090"], ["-s", "x.py"], ["--set", "a=b"]])
def test_serve_refuses_the_proxys_options(tmp_path, option):
    (tmp_path / "home").mkdir()
    done = quietpage("serve", *option, "--data-dir", str(tmp_path / "D"), env=shell_env(tmp_path / "home"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert option[0] in done.stderr, done.stderr
    assert not (tmp_path / "D").exists()  # refused before anything started


# --- `export -o -`: the whole library, and a format it cannot guess ----------------------------

@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A data dir with two reading copies saved from files (no network)."""
    root = tmp_path_factory.mktemp("export-more")
    (root / "home").mkdir()
    env = shell_env(root / "home")
    for n, title in enumerate(["Tram line to the harbour", "A new quay for the harbour"]):
        page = root / f"story-{n}.html"
        page.write_text(article_page(ARTICLE_EN, title=title), encoding="utf-8")
        done = quietpage("save", str(page), "--url", f"https://news.example/2024/story-{n}/",
                         "--data-dir", str(root / "D"), env=env)
        assert done.returncode == 0, done.stderr
    return root, env


def export(library, *args: str):
    root, env = library
    workdir = root / "work"
    workdir.mkdir(exist_ok=True)
    return quietpage("export", *args, "--data-dir", str(root / "D"), env=env, cwd=workdir), workdir


def test_export_all_to_stdout(library):
    done, workdir = export(library, "--all", "--format", "html", "-o", "-")
    assert done.returncode == 0, done.stderr
    assert "Tram line to the harbour" in done.stdout and "A new quay for the harbour" in done.stdout
    assert done.stdout.lstrip().lower().startswith("<!doctype html")
    assert not (workdir / "-").exists()


def test_export_to_stdout_without_a_format_asks_for_one(library):
    done, workdir = export(library, "1", "-o", "-")
    assert done.returncode == 2, done.stderr
    said = done.stderr.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("quietpage export: ") and "--format" in said[0], done.stderr
    assert done.stdout == ""
    assert not (workdir / "-").exists()


# --- a README is no filter list, through the service too ---------------------------------------

@pytest.fixture(scope="module")
def quiet(upstream, tmp_path_factory):
    """`quietpage run` of this module's own, serving the tram story with a promo and a poll."""
    page = article_page(ARTICLE_EN, middle=PROMO, after=POLL)
    upstream.put(urlsplit(STORY_URL).path, page.encode(), content_type="text/html; charset=utf-8")
    with own_quietpage(upstream, tmp_path_factory.mktemp("issue12-more"), "issue 12 more") as (running, api):
        yield running, api


def test_post_lists_refuses_a_readme(quiet):
    proxy, api = quiet
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^## ", readme, re.MULTILINE)  # the headings that looked like element-hiding rules
    answer = api.call("POST", "/api/lists", {"name": "readme", "text": readme})
    assert answer.status == 422, answer.body
    assert "not a filter list" in answer.body["detail"], answer.body
    assert [entry["name"] for entry in api.call("GET", "/api/lists").body["lists"]] == []
    assert not (proxy.log_file.parent / "lists" / "readme.txt").exists()


# --- POST /api/rules in a pack's words: the page obeys --------------------------------------

async def test_a_rule_posted_in_the_pack_words_cleans_the_page(quiet):
    proxy, api = quiet
    before = visible_text((await fetch(proxy.port, STORY_URL)).body)
    assert PROMO_TEXT in before and POLL_TEXT in before
    made = []
    try:
        for words in ({"selectors": [".newsletter-box"]}, {"text": [POLL_TEXT]}):
            answer = api.call("POST", "/api/rules", {"site": SITE, "title": f"mine: {list(words)[0]}", **words})
            assert answer.status == 201, answer.body
            made.append(answer.body["rule"]["id"])
        page = await fetch(proxy.port, STORY_URL)
        after = visible_text(page.body)
        assert PROMO_TEXT not in after and POLL_TEXT not in after, after
        for paragraph in ARTICLE_EN:
            assert paragraph in after
        report = api.call("GET", f"/api/page-report?url={STORY_URL}").body
        assert {rule_id: report["removed"].get(rule_id) for rule_id in made} == {rule_id: 1 for rule_id in made}, report
    finally:
        for rule_id in made:
            api.call("DELETE", f"/api/rules/{rule_id}")
