"""The OpenAPI document as the running service serves it, and schemathesis against it: no
5xx and no answer off the schema. (That it names every route: unit/service/test_openapi.py.)"""
from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from proxy.service.openapi import DOCUMENT

# Not fuzzed: the event stream never ends, and revoking would take away the fuzzer's own token
# (both have their own tests in test_service.py).
NOT_FUZZED = ("streamEvents", "revokeClient")


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
    # The token worked throughout. The one refusal the fuzzer meets everywhere is the /pair
    # form's: it needs the page key that only the person sees (test_service.py has the key).
    refused = re.findall(r"^\s+- (\w+ \S+)$", text.split("Authentication failed", 1)[1].split("💡", 1)[0],
                         re.M) if "Authentication failed" in text else []
    assert refused in ([], ["POST /pair"]), text[-3000:]
