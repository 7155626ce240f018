"""The rule names a learner sees, and the order in which corrections are worth reading.

Harper names its rules in CamelCase (`PronounVerbAgreement`); a learner needs a short name of the
grammar point instead. Weir rules carry their own name (`bot.coach.english.weir`) and the layer's
rules are named where they are written (`bot.coach.english.layer`).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.coach.feedback import Correction

# Harper rule -> the name shown to a learner. Rules missing here fall back to their lint kind
# ("word choice", "usage"), which reads well enough for rules we have not met yet.
HARPER_RULE_NAMES: dict[str, str] = {
    "PronounVerbAgreement": "subject–verb agreement",
    "PronounInflectionBe": "subject–verb agreement",
    "ThereIsAgreement": "there is/there are",
    "MassNouns": "uncountable noun",
    "AnA": "a/an",
    "DidPast": "did + base form",
    "SinceDuration": "since/for",
    "MissingTo": "missing 'to'",
    "ItsPossessive": "its/it's",
    "ItsContraction": "its/it's",
    "SpellCheck": "spelling",
    "ThenThan": "than/then",
    "ThatThan": "than/then",
    "AdjectiveDoubleDegree": "double comparative",
    "MoreBetter": "double comparative",
    "MoreAdjective": "comparative form",
    "InterestedIn": "preposition",
    "ArriveTo": "preposition",
    "Discuss": "verb + preposition",
    "WillNonLemma": "will + base form",
    "RegularIrregulars": "irregular verb",
    "WrongNegative": "spelling",
    "AllowTo": "verb pattern",
    "DoubleNegative": "double negation",
    "HaveNegNoAny": "double negation",
    "LookingForwardTo": "look forward to + -ing",
    "SimplePastToPastParticiple": "past participle",
    "CapitalizePersonalPronouns": "capital I",
}

SPELLING = "spelling"


def harper_rule_name(rule: str, kind_pretty: str) -> str:
    """The learner-facing name of a Harper rule, or its lint kind in lower case."""
    return HARPER_RULE_NAMES.get(rule) or kind_pretty.lower() or "English"


def grammar_first(corrections: Iterable[Correction]) -> list[Correction]:
    """Grammar before spelling, each in text order (the order of `corrections`).

    A learner shown five corrections learns more from `predictions is -> predictions are` than
    from a typo, so when there are more than can be shown, grammar goes first.
    """
    # sorted() is stable: within grammar and within spelling the text order is kept.
    return sorted(corrections, key=lambda c: c.rule == SPELLING)
