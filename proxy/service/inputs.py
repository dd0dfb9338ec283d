"""Reading request input: JSON bodies checked field by field, `If-Match` revisions."""
from __future__ import annotations

import json
import re

from aiohttp import web

from proxy.errors import InvalidInput
from proxy.service.errors import TooLarge, UnsupportedMediaType
from proxy.service.security import max_body

_REVISION = re.compile(r'^(?:W/)?"?(\d{1,18})"?$')

# field name -> (accepted Python type(s), required)
Fields = dict[str, tuple[type | tuple[type, ...], bool]]


async def read_json(request: web.Request, fields: Fields) -> dict:
    """The body as a JSON object holding only `fields`, each of its type; 400 naming the field."""
    if request.content_type != "application/json":
        raise UnsupportedMediaType(f"send the body as application/json, not {request.content_type or 'nothing'}")
    limit = max_body(request)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise TooLarge("request body over the size limit") from None
    if len(raw) > limit:  # a chunked body has no Content-Length to refuse it by earlier
        raise TooLarge(f"request body over the {limit}-byte limit")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"malformed JSON: {exc}", field="body") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    for name in body:
        if name not in fields:
            raise InvalidInput(f"unknown field {name!r} (known: {', '.join(fields)})", field=str(name))
    for name, (kind, required) in fields.items():
        if name not in body or body[name] is None:
            if required:
                raise InvalidInput(f"{name} is required", field=name)
            body[name] = None
            continue
        value = body[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # JSON true/false are Python bools, which are ints too: check exactly.
        if not any(type(value) is k for k in kinds):
            names = " or ".join({bool: "true or false", str: "a string", int: "an integer", list: "a list"}.get(k, k.__name__)
                                for k in kinds)
            raise InvalidInput(f"{name} must be {names}", field=name)
    return body


def if_match(request: web.Request) -> int | None:
    """The revision a write was based on, from `If-Match` (absent or `*`: none)."""
    value = request.headers.get("If-Match")
    if value is None or value.strip() == "*":
        return None
    match = _REVISION.match(value.strip())
    if not match:
        raise InvalidInput(f"If-Match must be a revision number, got {value!r}", field="If-Match")
    return int(match.group(1))
