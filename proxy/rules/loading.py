"""Loading rules: pack files and folders into one RuleSet, a parser per file suffix.

Pure: the parsers and the stdlib.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Mapping

from proxy.rules.adblock import parse_list_file
from proxy.rules.model import RuleError, RulePack, RuleSet
from proxy.rules.packs import parse_pack_file

# file suffix -> parser(file, rule ids seen so far with where, pack ids seen so far, trusted)
Parser = Callable[[Path, Mapping[str, str], set[str], bool], tuple[RulePack | None, list[RuleError]]]
PARSERS: dict[str, Parser] = {
    ".yaml": parse_pack_file,
    ".txt": lambda file, seen_ids, _seen_packs, _trusted: parse_list_file(file, seen_ids),
}


def builtin_rules_dir() -> Path:
    """The built-in packs: `proxy/packs` in an installed wheel, `rules/` in a checkout."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "packs", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("built-in rule packs not found next to the proxy package")


def pack_files(path: Path) -> list[Path]:
    """Pack files below a directory (sorted), or the file itself."""
    if path.is_dir():
        return sorted(p for suffix in PARSERS for p in path.rglob("*" + suffix)
                      if "tests" not in p.relative_to(path).parts)
    return [path]


def load_rules(*paths: str | Path, known_ids: Iterable[str] = ()) -> RuleSet:
    """Load packs from files or directories; no argument loads the built-in packs.

    A pack with any error is left out and its errors reported; loading never raises
    for bad pack content.
    """
    if not paths:
        paths = (builtin_rules_dir(),)
    packs: list[RulePack] = []
    errors: list[RuleError] = []
    seen: dict[str, str] = {rid: "(already loaded)" for rid in known_ids}
    seen_packs: set[str] = set()
    builtin = builtin_rules_dir().resolve()
    for root in paths:
        root = Path(root)
        # The built-in packs are ours, reviewed and tested: their regexes run unbounded.
        trusted = root.resolve() == builtin
        if not root.exists():
            errors.append(RuleError(str(root), 0, "no such file or directory"))
            continue
        for file in pack_files(root):
            parse = PARSERS.get(file.suffix, parse_pack_file)
            pack, pack_errors = parse(file, seen, seen_packs, trusted)
            if pack is not None and pack.id in seen_packs and not pack_errors:
                pack_errors = [RuleError(str(file), 0, f"duplicate pack id {pack.id!r} (a pack loaded earlier has it)")]
            errors.extend(pack_errors)
            if pack is not None and not pack_errors:
                packs.append(pack)
                seen_packs.add(pack.id)
                seen.update({r.id: f"{file}:{r.line}" for r in pack.rules})
    return RuleSet(tuple(packs), tuple(errors))
