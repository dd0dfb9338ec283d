"""Issue 12, item 15 (the smaller promises) where no other test held them: the proxy's log
names a list's rules by their filter; the first page after a switch or a list import pays
for no plan; `quietpage rules list` shows the imported lists and the person's own rules;
`make run` installs only what running needs, with pip's progress. Against the real
`quietpage run` (a subprocess with its own data dir) and the real `quietpage` command.

The other sub-items of 13–15 are held elsewhere: item 13 by tests/browser/test_extension.py
(test_the_popup_names_every_rule_that_took_a_removal), tests/browser/test_popup_credits_markup.py
and test_issue12_credits.py; item 14 by tests/browser/test_ca_install.py and
test_issue12_ca_steps.py; the rest of 15 by test_newcomer.py, test_issue12_more.py,
test_issue12_images.py, tests/browser/test_issue12_save_images.py and, in
tests/browser/test_extension.py, test_pairing_end_to_end (the browser's name) and
test_a_long_filter_is_shown_whole_and_wraps_inside_the_popup."""
from __future__ import annotations

import re
import statistics
import subprocess
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from support.extensionrig import Api
from support.net import free_port
from support.newcomer import quietpage, shell_env
from support.paths import ROOT
from support.proxyrig import ProxyProcess, fetch, quietpage_run_argv, reroute_env
from support.seed import SEED_URL
from support.servicerig import make_token

SITE = "rt.com"  # what the popup writes a switch for on www.rt.com
CLEANED = f"cleaned {SEED_URL}: "
CLEAN_MS = re.compile(r" in ([\d.]+) ms$")
TEST_TOOLS = {"pytest", "pytest-asyncio", "playwright", "schemathesis", "hypothesis", "import-linter"}


@pytest.fixture(scope="module")
def quiet(upstream, tmp_path_factory):
    """`quietpage run` of this module's own (fresh data dir, INFO log), and an API client."""
    data = tmp_path_factory.mktemp("issue12-data")
    port, service_port = free_port(), free_port()
    running = ProxyProcess(quietpage_run_argv(port, service_port, data), port, data / "proxy.log",
                           service_port=service_port, env=reroute_env(upstream)).start()
    yield running, Api(service_port, make_token(data, "issue 12 tests")), data
    running.stop()


async def cleaned_line(proxy: ProxyProcess) -> str:
    """The seed page through the proxy, and the log line the proxy wrote for it."""
    offset = proxy.log_size()
    page = await fetch(proxy.port, SEED_URL)
    assert page.status == 200
    return proxy.wait_for_log(CLEANED, after=offset)


async def clean_ms(proxy: ProxyProcess) -> float:
    """How long the proxy took over the seed page, as its own log line says (the page's
    whole time in the addon: a plan built for it counts, the network does not)."""
    line = await cleaned_line(proxy)
    found = CLEAN_MS.search(line)
    assert found, line
    return float(found.group(1))


# --- the proxy's log names a list's rules by their filter --------------------------------------

async def test_the_log_names_a_list_rule_by_its_filter(quiet):
    """Issue 12, item 15: a list rule's id is only its line number ("log-names.2"); the
    log line of a cleaned page says which filter it was."""
    proxy, api, _ = quiet
    trends = "rt.com##aside.layout__sidebar.trends"
    article = "rt.com##.article__text"  # would take the article: the guard skips it
    added = api.call("POST", "/api/lists", {"name": "log-names", "text": f"! Title: Log names\n{trends}\n{article}\n"})
    assert added.status == 201, added.body
    try:
        offset = proxy.log_size()
        line = await cleaned_line(proxy)
        assert f"log-names.2 «{trends}» 1" in line, line
        skipped = proxy.wait_for_log("guard: log-names.3", after=offset)
        assert f"log-names.3 «{article}» skipped" in skipped, skipped
        assert "«" not in line.split("log-names.2", 1)[0], line  # the built-in packs' rules: by id alone
    finally:
        assert api.call("DELETE", "/api/lists/log-names").status in (200, 204)


# --- the first page after a change pays for no plan ------------------------------------------

def site_switches(api: Api, count: int) -> list[str]:
    """`count` rules in force on rt.com, from several packs: switching each off for the site
    makes a set of rules in force that no page was cleaned with yet."""
    listing = api.call("GET", f"/api/rules?site={SITE}").body
    chosen, packs = [], set()
    for pass_ in range(2):  # one a pack first, then any
        for pack in listing["packs"]:
            for rule in pack["rules"]:
                if rule["enabled_here"] and rule["id"] not in chosen and (pass_ or pack["id"] not in packs):
                    chosen.append(rule["id"])
                    packs.add(pack["id"])
                    break
    assert len(chosen) >= count, listing
    return chosen[:count]


async def first_and_next(proxy: ProxyProcess) -> tuple[float, float]:
    return await clean_ms(proxy), await clean_ms(proxy)


def plan_cost(pairs: list[tuple[float, float]]) -> float:
    """What the first page paid over the next, the median of several changes (one slow page
    on a shared machine does not decide)."""
    return statistics.median(first - later for first, later in pairs)


# The bar: a plan for rt.com costs 60–120 ms on this machine (170–450 ms when the issue was
# filed); cleaning the seed page once it is built, about 10 ms.
PLAN_PAID_MS = 25


async def test_the_first_page_after_a_site_switch_pays_for_no_plan(quiet):
    """Issue 12, item 15: the popup's switches are per site; the PUT is answered once the new
    state is in force, and the next page on that site is cleaned as fast as the one after."""
    proxy, api, _ = quiet
    for _ in range(3):
        await clean_ms(proxy)  # the plans for the page as it is now, and its language, built
    rules = site_switches(api, 6)
    pairs = []
    try:
        for rule_id in rules:
            answer = api.call("PUT", f"/api/rules/{rule_id}", {"enabled": False, "site": SITE})
            assert answer.status == 200, answer.body
            pairs.append(await first_and_next(proxy))
    finally:
        for rule_id in rules:
            api.call("PUT", f"/api/rules/{rule_id}", {"enabled": True, "site": SITE})
    assert plan_cost(pairs) < PLAN_PAID_MS, f"(first page ms, next page ms) after each switch: {pairs}"


async def test_the_first_page_after_a_list_import_pays_for_no_plan(quiet):
    """Issue 12, item 15: POST /api/lists is answered once the list is in force; the next
    page is cleaned as fast as the one after."""
    proxy, api, _ = quiet
    for _ in range(3):
        await clean_ms(proxy)
    names, pairs = [f"first-page-{n}" for n in range(4)], []
    try:
        for n, name in enumerate(names):
            text = f"! Title: First page {n}\n{SITE}##.never-on-the-page-{n}\n##.qp-nowhere-{n}\n"
            added = api.call("POST", "/api/lists", {"name": name, "text": text})
            assert added.status == 201, added.body
            pairs.append(await first_and_next(proxy))
    finally:
        for name in names:
            api.call("DELETE", f"/api/lists/{name}")
    assert plan_cost(pairs) < PLAN_PAID_MS, f"(first page ms, next page ms) after each import: {pairs}"


# --- `quietpage rules list` shows what is in force, not only the built-in packs ----------------

def test_rules_list_shows_the_imported_lists_and_own_rules(quiet, tmp_path):
    """Issue 12, item 15: after `quietpage lists add` (to the running QuietPage's data dir)
    and a rule made through the service, `quietpage rules list` names both."""
    _, api, data = quiet
    (tmp_path / "home").mkdir()
    env = shell_env(tmp_path / "home")
    list_file = tmp_path / "harbour.txt"
    list_file.write_text("! Title: The harbour list\nrt.com##.harbour-banner\n##.harbour-popup\n"
                         "news.example##.harbour-strip\n", encoding="utf-8")
    added = quietpage("lists", "add", str(list_file), "--data-dir", str(data), env=env)
    assert added.returncode == 0, added.stderr
    made = api.call("POST", "/api/rules", {"site": SITE, "title": "The tram timetable box",
                                           "selectors": ".tram-timetable"})
    assert made.status == 201, made.body
    try:
        listed = quietpage("rules", "list", "--data-dir", str(data), env=env)
        assert listed.returncode == 0, listed.stderr
        out = listed.stdout
        assert re.search(r"^harbour\s+The harbour list", out, re.MULTILINE), out
        assert re.search(r"^\s+3 rules from the adblock list \S*harbour\.txt", out, re.MULTILINE), out
        own = re.search(rf"^\s+{re.escape(made.body['rule']['id'])}\s.*The tram timetable box", out, re.MULTILINE)
        assert own, out
        assert re.search(r"^share-prompts\s", out, re.MULTILINE), out  # the built-in packs still there
        assert str(data) in listed.stderr, listed.stderr
    finally:
        api.call("DELETE", f"/api/rules/{made.body['rule']['id']}")
        quietpage("lists", "remove", "harbour", "--data-dir", str(data), env=env)


# --- `make run` installs only what running needs, with pip's progress -------------------------

def test_make_run_installs_no_test_tools_and_shows_pips_progress(tmp_path):
    """Issue 12, item 15: on a fresh checkout `make run` installed the test extras (Playwright,
    schemathesis) with pip --quiet, 40 s of silence. Now: what `make run` would do for a
    venv that does not exist yet (make -n), and what that install pulls in."""
    venv = tmp_path / "fresh-venv"
    planned = subprocess.run(["make", "-n", "-C", str(ROOT), "run", f"VENV={venv}"], capture_output=True, text=True,
                             timeout=60)
    assert planned.returncode == 0, planned.stderr
    installs = [ln for ln in planned.stdout.splitlines() if " pip install" in ln and "--upgrade pip" not in ln]
    assert installs == [f"{venv}/bin/python -m pip install --progress-bar on -e ."], planned.stdout
    assert not re.search(r"\s(-q|--quiet)\b", installs[0])

    # What `pip install -e .` brings: the project's dependencies without extras, and theirs.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # the tools looked for are the test extras indeed
    assert TEST_TOOLS <= {canonical(Requirement(r).name) for r in project["optional-dependencies"]["test"]}
    pulled = runtime_closure(project["dependencies"])
    assert not pulled & TEST_TOOLS, sorted(pulled & TEST_TOOLS)
    assert {"mitmproxy", "aiohttp", "selectolax"} <= pulled


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(requirements: list[str]) -> set[str]:
    """Every distribution `requirements` pull in (markers for this machine, no extras), read
    from the installed distributions' metadata."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonical(req.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            needs = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue  # not on this machine (a marker for another platform): nothing below it here
        extras = req.extras
        for spec in needs:
            sub = Requirement(spec)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in (extras or {""})):
                todo.append(Requirement(str(sub).split(";")[0]))
    return seen
