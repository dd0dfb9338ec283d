"""The rules: the model, the parsers (YAML packs, adblock lists) and loading. Pure.

    model.py      Rule, RulePack, RuleSet, Scope, TextPattern, Procedure, Toggles
    text.py       text patterns: compiled, and what every match must contain
    selectors.py  selector strings read without a DOM
    packs.py      the YAML pack parser (errors with file:line)
    adblock.py    the adblock list parser (EasyList, uBO, AdGuard cosmetic syntax)
    loading.py    files and folders into one RuleSet, a parser per suffix
"""
from proxy.rules.loading import builtin_rules_dir, load_rules, pack_files
from proxy.rules.model import (KINDS, MAX_TEXT_MATCH, MAX_UPWARD, NO_TOGGLES, FilterList, ListException, PackTest,
                               PageException, Procedure, Rule, RuleError, RulePack, RuleSet, RulesInvalid, Scope,
                               TextPattern, Toggles, domain_covers)
from proxy.rules.packs import PACK_KEYS, RULE_KEYS, parse_pack_file, parse_pack_text
from proxy.rules.selectors import selector_problem, split_selector_list
from proxy.rules.text import compile_text_pattern, normalize_text

__all__ = [
    "KINDS", "MAX_TEXT_MATCH", "MAX_UPWARD", "NO_TOGGLES", "PACK_KEYS", "RULE_KEYS", "FilterList", "ListException",
    "PackTest", "PageException", "Procedure", "Rule", "RuleError", "RulePack", "RuleSet", "RulesInvalid", "Scope",
    "TextPattern", "Toggles", "builtin_rules_dir", "compile_text_pattern", "domain_covers", "load_rules",
    "normalize_text", "pack_files", "parse_pack_file", "parse_pack_text", "selector_problem", "split_selector_list",
]
