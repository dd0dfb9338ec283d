"""The OpenAPI document: it names every route, the README documents every route, and
schemathesis finds no 5xx and no answer off the schema."""
from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from proxy.config import Config
from proxy.service.app import create_app
from proxy.service.openapi import DOCUMENT
from support.paths import ROOT

# Not fuzzed: the event stream never ends, and revoking would take away the fuzzer's own token
# (both have their own tests in test_service.py).
NOT_FUZZED = ("streamEvents", "revokeClient")


def registered_routes() -> set[tuple[str, str]]:
    app = create_app(Config(data_dir=Path("/nonexistent")))
    return {(route.method.lower(), route.resource.canonical) for route in app.router.routes()}


def documented_routes() -> set[tuple[str, str]]:
    return {(method, path) for path, ops in DOCUMENT["paths"].items() for method in ops}


def test_every_registered_route_is_in_the_openapi_document():
    assert registered_routes() == documented_routes()


def test_every_operation_has_an_id_and_a_default_error_answer():
    for path, ops in DOCUMENT["paths"].items():
        for method, op in ops.items():
            assert op.get("operationId"), (method, path)
            assert "default" in op["responses"], (method, path)


def test_readme_documents_every_route():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for method, path in sorted(documented_routes()):
        assert re.search(rf"`{method.upper()} {re.escape(path)}[`?]", readme), f"{method.upper()} {path} not in README"


async def test_openapi_document_is_served(service):
    r = await service.call("GET", "/api/openapi.json", token=None)
    assert r.status == 200 and r.body == DOCUMENT


async def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(service):
    exclude = [arg for op in NOT_FUZZED for arg in ("--exclude-operation-id", op)]
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("schemathesis")), "run", f"{service.base}/api/openapi.json",
        "-H", f"Authorization: Bearer {service.token}",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                    "response_schema_conformance,response_headers_conformance",
        *exclude, "--max-examples", "20", "--workers", "1", "--seed", "1",
        "--suppress-health-check", "all",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=service.data_dir.parent)
    output, _ = await asyncio.wait_for(process.communicate(), 90)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-6000:]
    selected, total = map(int, re.search(r"Selected: (\d+)/(\d+)", text).groups())
    assert int(re.search(r"Tested: (\d+)", text).group(1)) == selected == total - len(NOT_FUZZED)
    assert selected >= 12
    assert re.search(r"(\d+) generated, \1 passed", text), text[-3000:]
    assert "Authentication failed" not in text, text[-3000:]  # the token worked throughout
