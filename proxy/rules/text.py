"""Text patterns: a plain phrase or a `/regex/` that must match an element's whole text.

Compiling a pattern also works out what every match must contain (its words, a short
phrase, its literal start, its longest length), so the engine can look for those cheaply
before trying the pattern.

A regular expression from anywhere but the built-in packs (a person's rule, an extra
pack, a filter list) may backtrack for ever on some text: it is compiled with the `regex`
module, which the engine runs with a time limit. Built-in patterns and plain phrases
(linear by construction) use the stdlib's `re`. Either way a pattern must be valid for
`re`, so both agree on what it means. Pure: the stdlib and `regex`.
"""
from __future__ import annotations

import re
from re import _parser as sre_parse  # the stdlib regex parser; `sre_parse` is deprecated

import regex

from proxy.rules.model import MAX_TEXT_MATCH, TextPattern


def normalize_text(text: str) -> str:
    """Whitespace runs collapsed to one space, none at either end (str.split's whitespace
    is the same set as the regex's \\s, and splitting is several times faster)."""
    return " ".join(text.split())


def compile_text_pattern(source: str, case_sensitive: bool = False, trusted: bool = False) -> TextPattern:
    """`/regex/` or a plain string; either must match an element's whole text. `trusted`:
    from the built-in packs (run without a time limit)."""
    flags = 0 if case_sensitive else re.IGNORECASE
    if len(source) >= 2 and source.startswith("/") and source.endswith("/"):
        body = source[1:-1]
        if body.startswith("^"):
            body = body[1:]
        if body.endswith("$") and not body.endswith("\\$"):
            body = body[:-1]
        try:
            full = re.compile(body, flags)
        except re.error as exc:
            raise ValueError(f"bad regex {source!r}: {exc}") from None
        if not trusted:
            full = bounded_regex(body, flags)
        options = _regex_options(body)
        phrase_options = _regex_options(body, spaces=True)
        parsed = sre_parse.parse(body)
        max_len = _normalized_width(parsed)
        head = _literal_head(parsed)
    else:
        literal = normalize_text(source)
        if not literal:
            raise ValueError("empty text pattern")
        full = re.compile(r"\s+".join(re.escape(w) for w in literal.split(" ")), flags)
        options = [(w,) for w in literal.split(" ")]
        phrase_options = [(literal,)]
        max_len = len(literal)
        head = literal
    options = [tuple(dict.fromkeys(_caseless_needle(w) for w in o)) for o in options]
    options = [o for o in options if all(len(w) >= 3 for w in o)]
    phrase_options = [tuple(dict.fromkeys(_caseless_needle(p) for p in o)) for o in phrase_options]
    phrases = tuple(_short_phrase(p) for p in _best_option([o for o in phrase_options if all(len(p) >= 3 for p in o)]))
    return TextPattern(source, full, needles=_best_option(options), max_len=min(max_len, MAX_TEXT_MATCH),
                       options=tuple(dict.fromkeys(options)), phrases=phrases,
                       phrase_options=tuple(o for o in dict.fromkeys(phrase_options) if all(len(p) >= 3 for p in o)),
                       head=head.lower() if case_sensitive is False or head.isascii() else "")


def bounded_regex(body: str, flags: int = 0) -> "regex.Pattern":
    """`body` (valid for `re`) compiled for matching under a time limit."""
    return regex.compile(body, (regex.IGNORECASE if flags & re.IGNORECASE else 0) | regex.VERSION0)


def _literal_head(parsed) -> str:
    """The literal characters a regex must start with."""
    head = []
    for op, arg in parsed:
        if op is not sre_parse.LITERAL:
            break
        head.append(" " if chr(arg).isspace() else chr(arg))
    return "".join(head)


def _short_phrase(phrase: str) -> str:
    """At most three words: a longer phrase may wrap across lines in a page's source."""
    return " ".join(phrase.split()[:3])


def _normalized_width(parsed) -> int:
    """Longest text the parsed regex can match once whitespace is collapsed.

    In normalised text a whitespace run is one space, so `\\s*` counts as one character;
    other unbounded repeats count as MAX_TEXT_MATCH.
    """
    total = 0
    for op, arg in parsed:
        if op in (sre_parse.LITERAL, sre_parse.NOT_LITERAL, sre_parse.ANY, sre_parse.IN):
            total += 1
        elif op is sre_parse.AT:
            continue
        elif op is sre_parse.SUBPATTERN:
            total += _normalized_width(arg[-1])
        elif op is sre_parse.BRANCH:
            total += max(_normalized_width(b) for b in arg[1])
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            _lo, hi, item = arg
            if _is_space(item):
                total += 1
            elif hi == sre_parse.MAXREPEAT:
                return MAX_TEXT_MATCH
            else:
                total += hi * _normalized_width(item)
        else:
            return MAX_TEXT_MATCH
        if total >= MAX_TEXT_MATCH:
            return MAX_TEXT_MATCH
    return total


def _is_space(item) -> bool:
    items = list(item)
    if len(items) != 1:
        return False
    op, arg = items[0]
    if op is sre_parse.LITERAL:
        return chr(arg).isspace()
    if op is sre_parse.IN:
        return all(o is sre_parse.CATEGORY and a is sre_parse.CATEGORY_SPACE for o, a in arg)
    return False


def _caseless_needle(word: str) -> str:
    # Lexbor's ":lexbor-contains(... i)" folds ASCII case only: drop a leading
    # non-ASCII capital so "Поделиться" is still found as "оделиться".
    word = word.lower()
    if word and word[0].isalpha() and not word[0].isascii() and word[0] != word[0].upper() and len(word) > 3:
        word = word[1:]
    return word


def _regex_options(body: str, spaces: bool = False) -> list[tuple[str, ...]]:
    try:
        return _options_of(sre_parse.parse(body), spaces)
    except re.error:
        return []


def _options_of(parsed, spaces: bool = False) -> list[tuple[str, ...]]:
    """Everything a match must contain: a list of options, each a tuple of words one of
    which must occur (a literal word is an option of one; a group of alternatives whose
    every branch has a word is an option of several)."""
    options: list[tuple[str, ...]] = []
    run: list[str] = []
    for op, arg in list(parsed) + [(None, None)]:
        if op is sre_parse.LITERAL and (not chr(arg).isspace() or (spaces and chr(arg) == " ")):
            run.append(chr(arg))
            continue
        if "".join(run).strip():
            options.append(("".join(run).strip(),))
        run = []
        if op is sre_parse.SUBPATTERN:
            options.extend(_options_of(arg[-1], spaces))
        elif op is sre_parse.BRANCH:
            branches = [_best_option(_options_of(b, spaces)) for b in arg[1]]
            if all(branches):
                options.append(tuple(w for b in branches for w in b))
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and arg[0] >= 1:
            options.extend(_options_of(arg[2], spaces))
    return options


def _best_option(options: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The option whose shortest word is longest: the most selective test."""
    usable = [o for o in options if all(len(w) >= 3 for w in o)]
    return max(usable, key=lambda o: min(len(w) for w in o)) if usable else ()

