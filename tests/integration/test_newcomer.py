"""The newcomer's path (issue 12: items 12 and 15, acceptance 3): `make run ARGS="--data-dir D"`,
then in another shell with only QUIETPAGE_DATA_DIR=D set, `quietpage ca`, `pair`, `token` and
`lists add` act on the running instance; without it, each says which folder it used and that
no QuietPage runs there."""
from __future__ import annotations

import asyncio
import time

import pytest

from support.newcomer import (DATA_DIR_ENV, LIST_PROMO_CLASS, LIST_PROMO_TEXT, LIST_SITE, LIST_TEXT, NOT_RUNNING,
                              call, default_data_dir, quietpage, shell_env, start_instance)
from support.pages import ARTICLE_EN, article_page
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
