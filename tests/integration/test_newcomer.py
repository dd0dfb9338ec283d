"""The newcomer's path (issue 12: items 12 and 15, acceptance 3): `make run ARGS="--data-dir D"`,
then in another shell with only QUIETPAGE_DATA_DIR=D set, `quietpage ca`, `pair`, `token` and
`lists add` act on the running instance; without it, each says which folder it used and that
no QuietPage runs there. And the command line's smaller promises: a busy port, `serve --help`,
`export -o`, `lists add README.md`, the pack words on POST /api/rules."""
from __future__ import annotations

import asyncio
import io
import re
import socket
import time
import zipfile

import pytest

from support.newcomer import (DATA_DIR_ENV, LIST_PROMO_CLASS, LIST_PROMO_TEXT, LIST_SITE, LIST_TEXT, NOT_RUNNING,
                              call, default_data_dir, quietpage, shell_env, start_instance)
from support.pages import ARTICLE_EN, article_page
from support.paths import ROOT
from support.proxyrig import fetch

STORY_PATH = "/newcomer/story.html"
STORY_URL = f"http://{LIST_SITE}{STORY_PATH}"
STORY = article_page(ARTICLE_EN, clutter=f'<div class="{LIST_PROMO_CLASS}"><p>{LIST_PROMO_TEXT}</p></div>\n')


@pytest.fixture(scope="module")
def instance(upstream, tmp_path_factory):
    """`quietpage run --data-dir D` (D a folder of its own, not the default), as after
    `make run ARGS="--data-dir D"`; its HOME is empty."""
    root = tmp_path_factory.mktemp("newcomer")
    (root / "home").mkdir()
    upstream.put(STORY_PATH, STORY.encode(), content_type="text/html; charset=utf-8")
    running = start_instance(root / "home", upstream, root / "D")
    yield running
    running.stop()


@pytest.fixture
def with_variable(instance, tmp_path):
    """Another shell: a HOME of its own (its default data dir empty), only QUIETPAGE_DATA_DIR=D."""
    (tmp_path / "home").mkdir()
    return shell_env(tmp_path / "home", **{DATA_DIR_ENV: str(instance.data_dir)})


@pytest.fixture
def without_variable(tmp_path):
    """A shell with neither the variable nor --data-dir, and a fresh HOME: the default data dir is empty."""
    (tmp_path / "home").mkdir()
    return shell_env(tmp_path / "home")


def names_instance(stderr: str, instance) -> None:
    """The command says it acted on D, the folder the running QuietPage (this process) uses."""
    assert str(instance.data_dir) in stderr, stderr
    assert str(instance.pid) in stderr, f"the running QuietPage (process {instance.pid}) is not named: {stderr}"
    assert NOT_RUNNING not in stderr, stderr


# --- acceptance 3: with only the variable, every command finds the running QuietPage ------------

def test_run_prints_the_hint_and_the_pairing_page(instance):
    log = instance.process.log()
    assert f"{DATA_DIR_ENV}={instance.data_dir}" in log, log
    assert instance.pairing_page().startswith(f"{instance.service}/pair?key="), log


def test_ca_with_only_the_variable_prints_the_running_instances_ca(instance, with_variable):
    cert = instance.data_dir / "mitmproxy" / "mitmproxy-ca-cert.pem"
    assert cert.is_file(), "quietpage run made no CA in its data dir"
    made_by_run = cert.read_bytes()
    done = quietpage("ca", env=with_variable)
    assert done.returncode == 0, done.stderr
    assert str(cert) in done.stdout, done.stdout
    assert cert.read_bytes() == made_by_run  # the proxy's own CA, not a new one
    names_instance(done.stderr, instance)


def test_pair_with_only_the_variable_lists_and_approves_a_waiting_client(instance, with_variable):
    status, asked = call(instance.service, "POST", "/api/pair", {"client": "Chromium on the newcomer laptop"})
    assert status == 201, asked

    listed = quietpage("pair", env=with_variable)
    assert listed.returncode == 0, listed.stderr
    assert "Chromium on the newcomer laptop" in listed.stdout, listed.stdout
    assert "No client is waiting" not in listed.stdout
    assert instance.pairing_page() in listed.stdout, listed.stdout  # the browser address, with the key
    names_instance(listed.stderr, instance)

    approved = quietpage("pair", asked["code"], env=with_variable)
    assert approved.returncode == 0, approved.stderr
    names_instance(approved.stderr, instance)
    status, polled = call(instance.service, "GET", f"/api/pair/{asked['id']}")
    assert status == 200 and polled["status"] == "approved" and polled.get("token"), polled
    status, clients = call(instance.service, "GET", "/api/clients", token=polled["token"])
    assert status == 200, clients


def test_token_with_only_the_variable_is_accepted_by_the_running_service(instance, with_variable):
    made = quietpage("token", "--name", "newcomer script", env=with_variable)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[0]
    status, answer = call(instance.service, "GET", f"/api/rules?site={LIST_SITE}", token=token)
    assert status == 200, answer
    names_instance(made.stderr, instance)


async def test_lists_add_with_only_the_variable_reaches_the_running_proxy(instance, with_variable, tmp_path):
    before = await fetch(instance.port, STORY_URL)
    assert before.status == 200 and LIST_PROMO_TEXT in before.body.decode(), "the story must carry the promo first"

    list_file = tmp_path / "newcomer.txt"
    list_file.write_text(LIST_TEXT, encoding="utf-8")
    added = quietpage("lists", "add", str(list_file), env=with_variable)
    assert added.returncode == 0, added.stderr
    names_instance(added.stderr, instance)
    assert (instance.data_dir / "lists" / "newcomer.txt").is_file()

    added_at, body = time.monotonic(), ""
    while time.monotonic() - added_at < 2.5:
        page = await fetch(instance.port, STORY_URL)
        body = page.body.decode()
        if LIST_PROMO_TEXT not in body:
            break
        await asyncio.sleep(0.2)
    assert LIST_PROMO_TEXT not in body, "the running proxy did not apply the list within 2.5 s"
    for paragraph in ARTICLE_EN:
        assert paragraph in body


# --- without the variable: each command names the folder it used -------------------------------

@pytest.mark.parametrize("command", ["ca", "pair", "pair CODE", "token", "lists add FILE"])
def test_without_the_variable_each_command_names_its_folder(instance, without_variable, tmp_path, command):
    home = tmp_path / "home"
    args = command.split()
    if command == "pair CODE":  # the code a client of the running QuietPage shows
        status, asked = call(instance.service, "POST", "/api/pair", {"client": "the extension"})
        assert status == 201, asked
        args = ["pair", asked["code"]]
    elif command == "lists add FILE":
        (tmp_path / "newcomer.txt").write_text(LIST_TEXT, encoding="utf-8")
        args = ["lists", "add", str(tmp_path / "newcomer.txt")]
    done = quietpage(*args, env=without_variable)
    assert str(default_data_dir(home)) in done.stderr, f"rc {done.returncode}, stderr: {done.stderr}"
    assert NOT_RUNNING in done.stderr, done.stderr


# --- item 15: the command line's smaller promises ---------------------------------------------

@pytest.mark.parametrize("busy, option", [("proxy", "--listen-port"), ("service", "--service-port")])
def test_port_in_use_is_one_sentence_naming_the_port_and_the_option(tmp_path, busy, option):
    (tmp_path / "home").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with socket.socket() as spare:
            spare.bind(("127.0.0.1", 0))
            other = spare.getsockname()[1]
        ports = (port, other) if busy == "proxy" else (other, port)
        done = quietpage("run", "--listen-port", str(ports[0]), "--service-port", str(ports[1]),
                         "--data-dir", str(tmp_path / "D"), env=shell_env(tmp_path / "home"))
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    said = done.stderr.strip().splitlines()
    assert len(said) == 1, out
    assert str(port) in said[0] and option in said[0], out
    assert "--mode" not in out
    assert not re.search(r"listening|QuietPage: proxy on|service on", out, re.IGNORECASE), out


def test_serve_help_lists_no_proxy_option(tmp_path):
    (tmp_path / "home").mkdir()
    done = quietpage("serve", "--help", env=shell_env(tmp_path / "home"))
    assert done.returncode == 0, done.stderr
    assert "--service-port" in done.stdout and "--data-dir" in done.stdout, done.stdout
    for option in ("--listen-port", "--listen-host", "--set", "--options", "--script"):
        assert option not in done.stdout, f"{option} in serve --help:\n{done.stdout}"
    assert not re.search(r"(^|[\s\[,])-s\b", done.stdout), done.stdout


@pytest.fixture(scope="module")
def saved_article(tmp_path_factory):
    """A data dir with one reading copy (saved from a file: no network), and its id."""
    root = tmp_path_factory.mktemp("export")
    (root / "home").mkdir()
    page = root / "story.html"
    page.write_text(article_page(ARTICLE_EN), encoding="utf-8")
    env = shell_env(root / "home")
    done = quietpage("save", str(page), "--url", "https://news.example/2024/tram/", "--data-dir", str(root / "D"),
                     env=env)
    assert done.returncode == 0, done.stderr
    return root, env, done.stdout.split("\t", 1)[0]


def export(saved_article, *args: str):
    root, env, article_id = saved_article
    workdir = root / "work"
    workdir.mkdir(exist_ok=True)
    done = quietpage("export", article_id, *args, "--data-dir", str(root / "D"), env=env, cwd=workdir)
    return done, workdir


def test_export_to_stdout_writes_no_file_named_dash(saved_article):
    done, workdir = export(saved_article, "--format", "md", "-o", "-")
    assert done.returncode == 0, done.stderr
    assert "Tram line to the harbour" in done.stdout and ARTICLE_EN[0] in done.stdout, done.stdout[:500]
    assert not (workdir / "-").exists()


def test_export_format_comes_from_the_suffix(saved_article):
    done, workdir = export(saved_article, "-o", "book.epub")
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(io.BytesIO((workdir / "book.epub").read_bytes())) as book:
        assert book.namelist()[0] == "mimetype"
        assert book.read("mimetype") == b"application/epub+zip"

    done, workdir = export(saved_article, "-o", "notes.md")
    assert done.returncode == 0, done.stderr
    notes = (workdir / "notes.md").read_text(encoding="utf-8")
    assert ARTICLE_EN[0] in notes
    assert "<p>" not in notes and not notes.lstrip().lower().startswith("<!doctype")  # Markdown, not HTML


def test_export_to_an_unknown_suffix_asks_for_format(saved_article):
    done, workdir = export(saved_article, "-o", "x.unknown")
    assert done.returncode == 2, done.stderr
    assert "--format" in done.stderr, done.stderr
    assert not (workdir / "x.unknown").exists()


def test_lists_add_refuses_a_readme(tmp_path):
    (tmp_path / "home").mkdir()
    data = tmp_path / "D"
    done = quietpage("lists", "add", str(ROOT / "README.md"), "--data-dir", str(data), env=shell_env(tmp_path / "home"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not a filter list" in done.stderr, done.stderr
    assert not (data / "lists").exists() or not any((data / "lists").iterdir())  # nothing written


# --- item 15: POST /api/rules takes a pack's words ------------------------------------------------

@pytest.mark.parametrize("words, selectors, text", [
    ({"selectors": ".promo-a"}, [".promo-a"], []),
    ({"selectors": [".promo-a", ".promo-b"]}, [".promo-a", ".promo-b"], []),
    ({"text": "Subscribe now"}, [], ["Subscribe now"]),
    ({"text": ["Subscribe now"]}, [], ["Subscribe now"]),
])
async def test_post_rules_takes_the_pack_words(service, words, selectors, text):
    answer = await service.call("POST", "/api/rules", {"site": LIST_SITE, "title": "from a pack", **words})
    assert answer.status == 201, answer.body
    rule = answer["rule"]
    shown = " ".join(rule["selectors"])
    for selector in selectors:
        assert selector in shown, rule
    assert len(rule["text"]) == len(text), rule
    for pattern in text:
        assert pattern in rule["text"][0], rule


@pytest.mark.parametrize("word, pack_word, value", [("selector", "selectors", ".promo-a"),
                                                     ("pattern", "text", "Subscribe now")])
async def test_post_rules_refuses_both_words(service, word, pack_word, value):
    alone = await service.call("POST", "/api/rules", {"site": LIST_SITE, "title": "alone", pack_word: value})
    assert alone.status == 201, alone.body  # the pack word alone is known and taken
    revision = service.revision()
    both = await service.call("POST", "/api/rules", {"site": LIST_SITE, "title": "both", word: value,
                                                     pack_word: value})
    assert both.status == 400, both.body
    assert both["field"] in (word, pack_word), both.body
    assert service.revision() == revision  # nothing was written
