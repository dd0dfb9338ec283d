"""The OpenAPI document names every route of the app, and the README documents every route."""
from __future__ import annotations

import re
from pathlib import Path

from proxy.config import Config
from proxy.service.app import create_app
from proxy.service.openapi import DOCUMENT
from support.paths import ROOT


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
