"""English corrections for a learner's answer; terms, product names and code are never corrected.

Harper finds most mistakes, a Weirpack of learner phrases and an inflection layer the rest.

Modules: `checker` (EnglishChecker), `harper_engine` (Harper's Linters and lint filter), `config`
(Harper's settings), `filters` (code, names, spelling), `glossary` (protected names), `weir`
(learner-phrase rules), `layer` and `agreement` (inflection rules), `sentence` and `lexicon`
(what the rules read), `phrases` (what the learner sees), `names` (rule names and order).
"""

from bot.coach.english.checker import EnglishChecker
from bot.coach.english.finding import Finding
from bot.coach.english.glossary import JARGON, TOOL_NAMES, pack_glossary
from bot.coach.english.names import grammar_first
from bot.coach.english.weir import WeirpackError

__all__ = [
    "JARGON",
    "TOOL_NAMES",
    "EnglishChecker",
    "Finding",
    "WeirpackError",
    "grammar_first",
    "pack_glossary",
]
