"""The OpenAPI 3 document of every route, written by hand next to the routes.

A test checks that every route the app registers is described here, and schemathesis
checks the service's answers against it.
"""
from __future__ import annotations

from aiohttp import web

from proxy import __version__
from proxy.service.security import public


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK", headers: dict | None = None) -> dict:
    out = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _html(description: str) -> dict:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


ERROR = {"default": _json(_ref("Error"), "Refused or failed: 400 invalid input (the field is named), 401 no or "
                                        "unknown token, 403 web Origin, 404, 409, 412 stale If-Match, 413 body "
                                        "too large, 415 not JSON, 421 foreign Host, 422 nothing usable (a list "
                                        "without a cosmetic rule)")}
PUBLIC: list = []  # no security requirement
NULLABLE_STR = {"type": "string", "nullable": True}
NULLABLE_BOOL = {"type": "boolean", "nullable": True}

IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "The revision this change was based on; if it is no longer current: 412 with the current state."}
WRITE_HEADERS = [IF_MATCH]


def _path_param(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"}, "description": description}


INT = {"type": "integer", "minimum": 0}
ARTICLE_ID = {"name": "article_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
              "description": "a saved copy's id"}
FORMAT = _query("format", "html (default), md or epub", {"type": "string", "enum": ["html", "md", "epub"]})
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif")
_FILE = {"schema": {"type": "string", "format": "binary"}}
EXPORTED = {"description": "The file (Content-Disposition: attachment)",
            "content": {"text/html": _FILE, "text/markdown": _FILE, "application/epub+zip": _FILE}}
BULK_EXPORTED = {"description": "The file (Content-Disposition: attachment); Markdown comes as a zip",
                 "content": {"text/html": _FILE, "application/zip": _FILE, "application/epub+zip": _FILE}}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "detail"], "properties": {
        "error": {"type": "string", "description": "machine-readable name of the problem"},
        "detail": {"type": "string", "description": "a sentence for a person"},
        "field": {"type": "string", "description": "the request field at fault (400)"},
        "problems": {"type": "object", "additionalProperties": {"type": "string"}},
        "revision": {"type": "integer", "description": "the current revision (412)"},
        "state": _ref("RuleListing")}},
    "Health": {"type": "object", "required": ["status", "version"], "properties": {
        "status": {"type": "string", "enum": ["ok"]}, "version": {"type": "string"}}},
    "Scope": {"type": "object", "required": ["include", "exclude"], "properties": {
        "include": {"type": "array", "items": {"type": "string"}},
        "exclude": {"type": "array", "items": {"type": "string"}}}},
    "RuleBrief": {"type": "object", "required": ["id", "title", "kind", "pack", "scope", "selectors", "text"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string"}, "pack": {"type": "string"},
        "scope": _ref("Scope"), "selectors": {"type": "array", "items": {"type": "string"}},
        "text": {"type": "array", "items": {"type": "string"}}}},
    "Rule": {"allOf": [_ref("RuleBrief"), {"type": "object", "required": [
        "user", "enabled", "enabled_here", "in_scope_here", "active_here"], "properties": {
        "user": {"type": "boolean", "description": "a rule made through the API (deletable)"},
        "enabled": {"type": "boolean", "description": "on everywhere"},
        "enabled_here": {**NULLABLE_BOOL, "description": "switched on for the site asked about (null without ?site)"},
        "in_scope_here": {**NULLABLE_BOOL, "description": "the rule's domains cover the site"},
        "active_here": {**NULLABLE_BOOL, "description": "runs on the site: on, in scope, site not paused"}}}]},
    "Pack": {"type": "object", "required": ["id", "title", "description", "user", "enabled", "enabled_here", "rules",
                                            "adblock", "rule_count", "rules_left_out"],
             "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                            "user": {"type": "boolean"}, "enabled": {"type": "boolean"}, "enabled_here": NULLABLE_BOOL,
                            "rules": {"type": "array", "items": _ref("Rule")},
                            "adblock": {"type": "boolean", "description": "an imported adblock list: only the rules for "
                                        "the site, with a switch set, or asked for by ids are listed"},
                            "rule_count": {"type": "integer", "description": "rules in the pack"},
                            "rules_left_out": {"type": "integer", "description": "rules of an adblock list not listed"}}},
    "RuleListing": {"type": "object", "required": ["revision", "site", "paused", "packs"], "properties": {
        "revision": {"type": "integer", "description": "grows by one with every accepted change"},
        "site": NULLABLE_STR, "paused": NULLABLE_BOOL, "packs": {"type": "array", "items": _ref("Pack")}}},
    "Switch": {"type": "object", "required": ["enabled"], "additionalProperties": False, "properties": {
        "enabled": {"type": "boolean"},
        "site": {**NULLABLE_STR, "description": "only on this site (and its subdomains); absent: everywhere"}}},
    "Switched": {"type": "object", "required": ["revision", "id", "site", "enabled"], "properties": {
        "revision": {"type": "integer"}, "id": {"type": "string"}, "site": NULLABLE_STR, "enabled": {"type": "boolean"}}},
    "Pause": {"type": "object", "required": ["paused"], "additionalProperties": False,
              "properties": {"paused": {"type": "boolean"}}},
    "Paused": {"type": "object", "required": ["revision", "site", "paused"], "properties": {
        "revision": {"type": "integer"}, "site": {"type": "string"}, "paused": {"type": "boolean"}}},
    "NewRule": {"type": "object", "required": ["site", "title"], "additionalProperties": False, "properties": {
        "site": {"type": "string", "description": "host name the rule runs on (and its subdomains)"},
        "title": {"type": "string", "description": "what a person sees for the rule"},
        "selector": {**NULLABLE_STR, "description": "CSS selector of elements to remove"},
        "pattern": {**NULLABLE_STR, "description": "text an element's whole text must match; /regex/ or plain"},
        "selectors": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
                      "nullable": True, "description": "the pack file's word: a selector or a list of them"},
        "text": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                                 "maxItems": 1}],
                 "nullable": True, "description": "the pack file's word for pattern (give one of the two)"}}},
    "RuleCreated": {"type": "object", "required": ["revision", "rule"], "properties": {
        "revision": {"type": "integer"}, "rule": _ref("RuleBrief")}},
    "RuleDeleted": {"type": "object", "required": ["revision", "id", "deleted"], "properties": {
        "revision": {"type": "integer"}, "id": {"type": "string"}, "deleted": {"type": "boolean"}}},
    "PageReport": {"type": "object", "required": ["url", "removed", "skipped", "status", "reason", "ms", "at", "also"],
                   "properties": {
        "url": {"type": "string"},
        "removed": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "elements removed, by rule id"},
        "skipped": {"type": "object", "additionalProperties": {"type": "string"}, "description": "rules the guard skipped, and why"},
        "status": {"type": "string", "enum": ["cleaned", "unchanged", "paused", "passed", "error"]},
        "reason": NULLABLE_STR, "ms": {"type": "number"}, "at": {"type": "number"},
        "also": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                 "description": "by rule id: the other rules that matched what it removed (switch them off too "
                                "to bring it back)"}}},
    "Client": {"type": "object", "required": ["id", "name", "created_at", "revoked", "revoked_at"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "created_at": {"type": "number"},
        "revoked": {"type": "boolean"}, "revoked_at": {"type": "number", "nullable": True},
        "current": {"type": "boolean", "description": "the client this request's token belongs to"}}},
    "Clients": {"type": "object", "required": ["clients"], "properties": {"clients": {"type": "array", "items": _ref("Client")}}},
    "PairAsk": {"type": "object", "required": ["client"], "additionalProperties": False, "properties": {
        "client": {"type": "string", "description": "a name the person recognises, e.g. 'Chromium on laptop'"}}},
    "PairCreated": {"type": "object", "required": ["id", "code", "status", "expires_at", "poll", "approve"], "properties": {
        "id": {"type": "string", "description": "secret: only the asking client can collect the token"},
        "code": {"type": "string", "description": "show it to the person; they approve it"},
        "status": {"type": "string", "enum": ["pending"]}, "expires_at": {"type": "number"},
        "poll": {"type": "string"}, "approve": {"type": "string"}}},
    "PairStatus": {"type": "object", "required": ["id", "status", "client", "expires_at"], "properties": {
        "id": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "approved", "claimed", "expired"]},
        "client": {"type": "string"}, "expires_at": {"type": "number"},
        "token": {"type": "string", "description": "once, on the first poll after approval"},
        "detail": {"type": "string"}}},
    "ArticleBrief": {"type": "object", "required": ["id", "url", "source_url", "title", "excerpt", "words",
                                                   "reading_minutes", "tags", "images", "saved_at", "updated_at", "reader"],
                     "properties": {
        "id": {"type": "integer"}, "url": {"type": "string", "description": "canonical address: saving it again updates the copy"},
        "source_url": {"type": "string"}, "title": {"type": "string"}, "byline": NULLABLE_STR,
        "published": {**NULLABLE_STR, "description": "YYYY-MM-DD"}, "site_name": NULLABLE_STR, "lang": NULLABLE_STR,
        "lead_image": NULLABLE_STR, "excerpt": {"type": "string"}, "words": {"type": "integer"},
        "reading_minutes": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}},
        "images": {"type": "integer", "description": "images stored with the copy"},
        "saved_at": {"type": "number"}, "updated_at": {"type": "number"},
        "reader": {"type": "string", "description": "the reader view's path on this service"},
        "snippet": {"type": "string", "description": "search results: HTML, text escaped, hits in <mark>"}}},
    "Article": {"allOf": [_ref("ArticleBrief"), {"type": "object", "required": ["html", "text", "image_files"], "properties": {
        "html": {"type": "string", "description": "sanitised article HTML; images keep their original URLs"},
        "text": {"type": "string", "description": "plain text, paragraphs separated by blank lines"},
        "image_files": {"type": "array", "items": {"type": "object", "required": ["n", "url", "local"], "properties": {
            "n": {"type": "integer"}, "url": {"type": "string"}, "local": {"type": "string"}}}}}}]},
    "ArticleList": {"type": "object", "required": ["articles", "total", "limit", "offset", "q", "tag", "tags"], "properties": {
        "articles": {"type": "array", "items": _ref("ArticleBrief")}, "total": {"type": "integer"},
        "limit": {"type": "integer"}, "offset": {"type": "integer"}, "q": NULLABLE_STR, "tag": NULLABLE_STR,
        "tags": {"type": "array", "items": {"type": "object", "required": ["tag", "count"], "properties": {
            "tag": {"type": "string"}, "count": {"type": "integer"}}}}}},
    "NewArticle": {"type": "object", "required": ["url"], "additionalProperties": False, "properties": {
        "url": {"type": "string", "description": "the page's address (http or https)"},
        "html": {**NULLABLE_STR, "description": "the page's DOM as the browser shows it, used as is; absent: the service fetches url"},
        "tags": {"type": "array", "items": {"type": "string"}, "nullable": True}}},
    "Saved": {"type": "object", "required": ["article", "created", "images"], "properties": {
        "article": _ref("ArticleBrief"), "created": {"type": "boolean", "description": "false: an earlier copy was updated"},
        "images": {"type": "object", "required": ["in_article", "stored", "bytes"], "properties": {
            "in_article": {"type": "integer"}, "stored": {"type": "integer"}, "bytes": {"type": "integer"},
            "not_stored": {"type": "array", "description": "the article's images not stored, and why", "items": {
                "type": "object", "required": ["url", "why"],
                "properties": {"url": {"type": "string"}, "why": {"type": "string"}}}}}}}},
    "ArticleChange": {"type": "object", "additionalProperties": False, "properties": {
        "title": NULLABLE_STR, "tags": {"type": "array", "items": {"type": "string"}, "nullable": True,
                                        "description": "the new set of tags (replaces the old)"}}},
    "AdblockList": {"type": "object", "required": ["name", "title", "applied", "exceptions", "skipped", "skipped_total",
                                                   "invalid", "invalid_lines"], "properties": {
        "name": {"type": "string", "description": "the list's name: its pack id, and the prefix of its rule ids (NAME.LINE)"},
        "title": {"type": "string", "description": "the list's `! Title:`, or its name"},
        "applied": {"type": "integer", "description": "rules the proxy applies"},
        "exceptions": {"type": "integer", "description": "#@# and $generichide/$elemhide exceptions"},
        "skipped": {"type": "object", "additionalProperties": {"type": "integer"},
                    "description": "lines not applied, by reason (need a live browser, not cosmetic, …)"},
        "skipped_total": {"type": "integer"}, "invalid": {"type": "integer", "description": "invalid lines"},
        "invalid_lines": {"type": "array", "description": "the first 100 invalid lines",
                          "items": {"type": "object", "required": ["line", "problem"], "properties": {
                              "line": {"type": "integer"}, "problem": {"type": "string"}}}},
        "enabled": {**NULLABLE_BOOL, "description": "the list's pack is on everywhere (GET /api/lists)"}}},
    "AdblockLists": {"type": "object", "required": ["lists"], "properties": {
        "lists": {"type": "array", "items": _ref("AdblockList")}}},
    "NewList": {"type": "object", "required": ["name", "text"], "additionalProperties": False, "properties": {
        "name": {"type": "string", "description": "1-64 lower-case letters, digits, '-' or '_'"},
        "text": {"type": "string", "description": "the list in adblock syntax (EasyList, uBlock Origin, AdGuard), up to 16 MiB"}}},
    "ListText": {"type": "object", "required": ["text"], "additionalProperties": False, "properties": {
        "text": {"type": "string", "description": "the new text of the list; replaces the old one only if it parses"}}},
    "ListSaved": {"type": "object", "required": ["revision", "list"], "properties": {
        "revision": {"type": "integer"}, "list": _ref("AdblockList")}},
    "ListDeleted": {"type": "object", "required": ["revision", "name", "deleted"], "properties": {
        "revision": {"type": "integer"}, "name": {"type": "string"}, "deleted": {"type": "boolean"}}},
    "ArticleDeleted": {"type": "object", "required": ["id", "deleted"], "properties": {
        "id": {"type": "integer"}, "deleted": {"type": "boolean"}}},
}

PATHS = {
    "/api/health": {"get": {"operationId": "getHealth", "summary": "Status and version (no token needed)", "security": PUBLIC,
                            "responses": {"200": _json(_ref("Health")), **ERROR}}},
    "/api/openapi.json": {"get": {"operationId": "getOpenapi", "summary": "This document (no token needed)", "security": PUBLIC,
                                  "responses": {"200": _json({"type": "object"}), **ERROR}}},
    "/api/pair": {"post": {"operationId": "requestPairing",
        "summary": "Ask to pair; show the code to the person, then poll", "security": PUBLIC,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("PairAsk")}}},
        "responses": {"201": _json(_ref("PairCreated"), "Waiting for the person's approval"), **ERROR}}},
    "/api/pair/{request_id}": {"get": {"operationId": "pollPairing",
        "summary": "Poll a pairing request; the token comes once, on the first poll after approval", "security": PUBLIC,
        "parameters": [_path_param("request_id", "the id POST /api/pair returned")],
        "responses": {"200": _json(_ref("PairStatus")), **ERROR}}},
    "/pair": {
        "get": {"operationId": "pairPage", "security": PUBLIC,
                "summary": "Local page to approve a pairing code in the browser (its address carries the page key)",
                "parameters": [{"name": "key", "in": "query", "required": False, "schema": {"type": "string"},
                                "description": "the key `quietpage run` and `quietpage pair` print"}],
                "responses": {"200": _html("The page (without the key: how to approve)"),
                              "403": _html("A wrong key"), **ERROR}},
        "post": {"operationId": "pairPageApprove", "summary": "The local page's form: approve a code", "security": PUBLIC,
                 "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "required": ["code", "key"],
                     "properties": {"code": {"type": "string"}, "key": {"type": "string"}}}}}},
                 "responses": {"200": _html("Approved"), "400": _html("Not a code"), "403": _html("No or a wrong key"),
                               "404": _html("No such waiting code"), "415": _html("Not the page's form"), **ERROR}}},
    "/api/clients": {"get": {"operationId": "listClients", "summary": "Paired clients and script tokens",
                             "responses": {"200": _json(_ref("Clients")), **ERROR}}},
    "/api/clients/{client_id}": {"delete": {"operationId": "revokeClient",
        "summary": "Revoke a client's token", "parameters": [_path_param("client_id", "a client id")],
        "responses": {"200": _json(_ref("Client")), **ERROR}}},
    "/api/rules": {
        "get": {"operationId": "listRules", "summary": "Every pack and rule, on everywhere and on one site",
                "parameters": [{"name": "site", "in": "query", "required": False, "schema": {"type": "string"},
                                "description": "host name, e.g. www.rt.com"},
                               _query("ids", "comma-separated rule ids of adblock lists to list too (e.g. those a page "
                                             "report names); a list's other rules are only counted"),
                               {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}],
                "responses": {"200": _json(_ref("RuleListing"), headers={"ETag": {"schema": {"type": "string"}}}),
                              "304": {"description": "Not modified since the ETag given"}, **ERROR}},
        "post": {"operationId": "addRule", "summary": "Make a rule for a site (validated like rule files)", "parameters": WRITE_HEADERS,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewRule")}}},
                 "responses": {"201": _json(_ref("RuleCreated"), "Created"), **ERROR}}},
    "/api/rules/{rule_id}": {
        "put": {"operationId": "switchRule", "summary": "Switch a rule on or off, everywhere or on one site",
                "parameters": [_path_param("rule_id", "a rule id"), *WRITE_HEADERS],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Switch")}}},
                "responses": {"200": _json(_ref("Switched")), **ERROR}},
        "delete": {"operationId": "deleteRule", "summary": "Delete one of your own rules (a built-in rule: 409, switch it off instead)",
                   "parameters": [_path_param("rule_id", "a user rule id, user.N"), *WRITE_HEADERS],
                   "responses": {"200": _json(_ref("RuleDeleted")), **ERROR}}},
    "/api/packs/{pack_id}": {"put": {"operationId": "switchPack",
        "summary": "Switch a pack on or off, everywhere or on one site",
        "parameters": [_path_param("pack_id", "a pack id"), *WRITE_HEADERS],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Switch")}}},
        "responses": {"200": _json(_ref("Switched")), **ERROR}}},
    "/api/sites/{host}": {"put": {"operationId": "pauseSite",
        "summary": "Pause QuietPage on a site (and its subdomains), or resume it",
        "parameters": [_path_param("host", "host name"), *WRITE_HEADERS],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Pause")}}},
        "responses": {"200": _json(_ref("Paused")), **ERROR}}},
    "/api/lists": {
        "get": {"operationId": "listLists", "summary": "The adblock lists in the data dir, with what each gave",
                "responses": {"200": _json(_ref("AdblockLists")), **ERROR}},
        "post": {"operationId": "addList",
                 "summary": "Import an adblock list as a pack (refused, 422, if it has no cosmetic rule; 409 if the name is taken)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewList")}}},
                 "responses": {"201": _json(_ref("ListSaved"), "Imported; the proxy uses it from the next page load"),
                               **ERROR}}},
    "/api/lists/{name}": {
        "put": {"operationId": "updateList",
                "summary": "Replace a list's text atomically; if the new text is refused (422) the old list stays in force",
                "parameters": [_path_param("name", "a list's name")],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ListText")}}},
                "responses": {"200": _json(_ref("ListSaved")), **ERROR}},
        "delete": {"operationId": "removeList", "summary": "Remove a list (and its switches)",
                   "parameters": [_path_param("name", "a list's name")],
                   "responses": {"200": _json(_ref("ListDeleted")), **ERROR}}},
    "/api/page-report": {"get": {"operationId": "getPageReport",
        "summary": "What the proxy removed on a page's last load",
        "parameters": [{"name": "url", "in": "query", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": _json(_ref("PageReport")), **ERROR}}},
    "/api/events": {"get": {"operationId": "streamEvents",
        "summary": "Server-Sent Events: `hello` with the revision, then `change` events (id: the revision)",
        "parameters": [{"name": "Last-Event-ID", "in": "header", "required": False, "schema": {"type": "string"},
                        "description": "replay the changes after this revision"}],
        "responses": {"200": {"description": "An endless event stream",
                              "content": {"text/event-stream": {"schema": {"type": "string"}}}}, **ERROR}}},
    "/api/articles": {
        "get": {"operationId": "listArticles", "summary": "Saved copies, newest first; with q, by rank with snippets",
                "parameters": [_query("q", "words to find in title, byline or text"), _query("tag", "only copies with this tag"),
                               _query("limit", "at most this many (1-200, default 50)", INT),
                               _query("offset", "skip this many", INT)],
                "responses": {"200": _json(_ref("ArticleList")), **ERROR}},
        "post": {"operationId": "saveArticle",
                 "summary": "Save a reading copy: the service fetches url, or uses the html given; same canonical URL: updated",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewArticle")}}},
                 "responses": {"201": _json(_ref("Saved"), "Saved"), "200": _json(_ref("Saved"), "An earlier copy updated"),
                               **ERROR}}},
    "/api/articles/{article_id}": {
        "get": {"operationId": "getArticle", "summary": "One copy with its HTML and text", "parameters": [ARTICLE_ID],
                "responses": {"200": _json(_ref("Article")), **ERROR}},
        "patch": {"operationId": "changeArticle", "summary": "Change a copy's title and/or tags", "parameters": [ARTICLE_ID],
                  "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ArticleChange")}}},
                  "responses": {"200": _json(_ref("ArticleBrief")), **ERROR}},
        "delete": {"operationId": "deleteArticle", "summary": "Delete a copy with its images", "parameters": [ARTICLE_ID],
                   "responses": {"200": _json(_ref("ArticleDeleted")), **ERROR}}},
    "/api/articles/{article_id}/export": {"get": {"operationId": "exportArticle",
        "summary": "One copy as a self-contained HTML file, Markdown or EPUB 3 (images included)",
        "parameters": [ARTICLE_ID, FORMAT], "responses": {"200": EXPORTED, **ERROR}}},
    "/api/export": {"get": {"operationId": "exportLibrary",
        "summary": "The whole library: one HTML file, one EPUB (a chapter a copy), or a zip of Markdown files",
        "parameters": [FORMAT], "responses": {"200": BULK_EXPORTED, **ERROR}}},
    "/": {"get": {"operationId": "libraryPage", "summary": "The library in the browser (this machine only, no token)",
                  "security": PUBLIC, "parameters": [_query("q", "search"), _query("tag", "tag filter"),
                                                     _query("limit", "per page", INT), _query("offset", "skip", INT)],
                  "responses": {"200": _html("The page"), **ERROR}}},
    "/articles/{article_id}": {"get": {"operationId": "readerPage",
        "summary": "A copy in the reader view (this machine only, no token)", "security": PUBLIC, "parameters": [ARTICLE_ID],
        "responses": {"200": _html("The page"), **ERROR}}},
    "/articles/{article_id}/images/{n}": {"get": {"operationId": "articleImage",
        "summary": "A stored image of a copy (this machine only, no token)", "security": PUBLIC,
        "parameters": [ARTICLE_ID, _path_param("n", "the image's number in the copy")],
        "responses": {"200": {"description": "The image", "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                                     for t in IMAGE_TYPES}}, **ERROR}}},
    "/articles/{article_id}/download": {"get": {"operationId": "downloadArticle",
        "summary": "The reader view's export links (this machine only, no token)", "security": PUBLIC,
        "parameters": [ARTICLE_ID, FORMAT], "responses": {"200": EXPORTED, **ERROR}}},
    "/articles/{article_id}/tags": {"post": {"operationId": "tagsForm",
        "summary": "The reader view's tag form (needs its CSRF token)", "security": PUBLIC, "parameters": [ARTICLE_ID],
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["csrf"], "properties": {"csrf": {"type": "string"}, "tags": {"type": "string"}}}}}},
        "responses": {"303": {"description": "Back to the reader view"}, **ERROR}}},
    "/articles/{article_id}/delete": {"post": {"operationId": "deleteForm",
        "summary": "The reader view's delete button (needs its CSRF token)", "security": PUBLIC, "parameters": [ARTICLE_ID],
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["csrf"], "properties": {"csrf": {"type": "string"}}}}}},
        "responses": {"303": {"description": "Back to the library"}, **ERROR}}},
}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "QuietPage service", "version": __version__,
             "description": "Rule sync and the reading-copy library for the QuietPage extension and scripts. Only on loopback; "
                            "requests carrying a web Origin or a foreign Host are refused."},
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
    "paths": PATHS,
}


@public
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(DOCUMENT)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/openapi.json", openapi, allow_head=False)
