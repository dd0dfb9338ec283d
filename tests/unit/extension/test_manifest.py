"""The extension as shipped: least privilege in its manifest, no remote or injected code."""
import json
import re

from support.paths import EXTENSION


def test_manifest_asks_for_least_privilege():
    manifest = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == 3
    assert sorted(manifest["permissions"]) == ["activeTab", "scripting", "storage"]
    assert manifest["host_permissions"] == ["http://127.0.0.1/*"]
    assert manifest["optional_permissions"] == ["proxy"]
    assert manifest["background"] == {"service_worker": "background.js", "type": "module"}
    assert "content_scripts" not in manifest  # the picker is injected on demand only
    sources = {p.name: p.read_text(encoding="utf-8") for p in EXTENSION.iterdir() if p.suffix in (".js", ".html")}
    for name, text in sources.items():
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "document.write" not in text, name
        assert not re.search(r"""src=["']https?:""", text), f"{name} loads remote code"
        assert "eval(" not in text and "new Function" not in text, name
    # Browser-specific calls live in browser.js (and the self-contained content script).
    for name, text in sources.items():
        if name not in ("browser.js", "picker.js"):
            code = re.sub(r"^\s*//.*$", "", text, flags=re.M)
            assert not re.search(r"\b(chrome|browser)\.[a-z]+\.", code), f"{name} calls the extension API directly"
