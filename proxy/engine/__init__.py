"""The cleaning engine: applies a rule set to one HTML page. Pure: imports only
`proxy.rules`, selectolax, Hyperscan and the stdlib. `clean.py` lists the stages.

    clean.py            clean_page, the Engine (its caches), CleanResult
    prepare.py          decode (charset.py) and parse
    plan.py             the rules in force for a host, compiled (needles.py: text patterns' needles)
    scanners.py         Hyperscan literal scanners
    facts.py            one page and what is worked out about it
    match_selectors.py  selector rules in one query per group
    match_text.py       text patterns
    listindex.py        the adblock lists' index; match_lists.py: matching through it
    attribution.py      which rule matched each element
    guard.py            widen matches; skip a rule that would take the article
    splice.py           cut the matches out of the source
"""
from proxy.engine.clean import CleanResult, Engine, clean_page, compile_plan, default_engine, host_of, path_of
from proxy.engine.dom import find, find_first, has_ancestor_in
from proxy.engine.guard import DEFAULT_LIMITS, GuardLimits
from proxy.engine.plan import Plan
from proxy.engine.prepare import Prepared, page_language, prepare

__all__ = ["DEFAULT_LIMITS", "CleanResult", "Engine", "GuardLimits", "Plan", "Prepared", "clean_page", "compile_plan",
           "default_engine", "find", "find_first", "has_ancestor_in", "host_of", "page_language", "path_of",
           "prepare"]
