"""Harper, configured for learners: the Linters of one thread, and which of their lints to keep.

Building a Linter takes about 0.5 s and, for the first one in a process, about 150 MB (later
ones share the dictionary). A Linter is not thread-safe: `EnglishChecker` builds one
`HarperEngine` per thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import harper

from bot.coach.english.config import (
    DROP_KINDS,
    KEEP_RULES,
    LANGUAGE,
    NOT_BEFORE,
    SPELLING_RULES,
    lint_config,
)
from bot.coach.english.filters import changes_name, plausible_typo, short_adjective, touches
from bot.coach.english.finding import Finding
from bot.coach.english.glossary import Glossary, Span
from bot.coach.english.lexicon import is_simple_past
from bot.coach.english.names import harper_rule_name
from bot.coach.english.weir import RULES_BY_NAME, load_weirpack

_UNCHECKABLE = re.compile(r"\S{40,}")
# A participle follows these; otherwise an irregular verb needs its past simple (`goed` -> `went`).
_BEFORE_PARTICIPLE = frozenset(
    {"have", "has", "had", "having", "i've", "we've", "you've", "they've", "is", "are", "was",
     "were", "be", "been", "being", "get", "got", "gets"}
)  # fmt: skip


class HarperEngine:
    """One thread's Harper: our configured Linter, and a spelling-only one of the other dialect.

    Args:
        glossary: Words to add to Harper's dictionary, and names no lint may change.

    Raises:
        WeirpackError: The learner-phrase rules failed their own tests.
    """

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self.linter = harper.Linter(harper.Dialect.AMERICAN)
        self.linter.set_lint_config(lint_config(self.linter.get_lint_config()))
        self.linter.import_words(sorted(glossary.words))
        load_weirpack(self.linter)
        # Learners mix British and American spelling (optimise, behavior): a spelling lint stands
        # only when the other dialect rejects the word too. Linters share the dictionary, so this
        # one costs about nothing.
        self.other = harper.Linter(harper.Dialect.BRITISH)
        config = self.other.get_lint_config()
        self.other.set_lint_config({rule: rule == "SpellCheck" for rule in config})

    def findings(self, text: str, code: Sequence[Span], names: Sequence[Span]) -> list[Finding]:
        """Harper's lints on `text` that a learner should see, as findings.

        Args:
            text: The learner's text.
            code: Code-shaped tokens in `text`; no lint may touch them.
            names: Glossary names in `text`; no lint may change them.
        """
        # Harper's spelling search grows fast with a token's length (a 3,000-character token
        # took 3 s); no English word is 40 characters long, so such tokens (hashes, base64,
        # URLs) become spaces, which keeps every index in place.
        masked = _UNCHECKABLE.sub(lambda m: " " * len(m.group(0)), text)
        # A lint across a masked token would be about the spaces, not the learner's text.
        untouchable = [*code, *(Span(m.start(), m.end()) for m in _UNCHECKABLE.finditer(text))]
        found = []
        for rule, lints in self.linter.organized_lints(masked, language=LANGUAGE).items():
            for lint in lints:
                finding = self._finding(text, rule, lint, untouchable, names)
                if finding is not None:
                    found.append(finding)
        return found

    def _finding(
        self, text: str, rule: str, lint: harper.Lint, code: Sequence[Span], names: Sequence[Span]
    ) -> Finding | None:
        start, end, word = lint.span.start, lint.span.end, lint.problem_text
        if lint.lint_kind in DROP_KINDS and rule not in KEEP_RULES:
            return None
        if not lint.suggestions or touches(code, start, end):
            return None
        if rule == "MoreAdjective" and not short_adjective(word, text[end : end + 40]):
            return None
        exception = NOT_BEFORE.get(rule)
        if exception is not None and exception.match(text, end):
            return None
        suggestion = self._suggestion(text, rule, lint)
        if rule in SPELLING_RULES and not self._typo(text, start, word, suggestion):
            return None
        replacement = _replacement(word, suggestion)
        if changes_name(text, start, end, replacement, names):
            return None
        weir = RULES_BY_NAME.get(rule)
        if weir is not None:
            return Finding(start, end, replacement, weir.rule, lint.message, f"weir:{rule}")
        name = harper_rule_name(rule, lint.lint_kind_pretty)
        return Finding(start, end, replacement, name, lint.message, f"harper:{rule}")

    def _suggestion(self, text: str, rule: str, lint: harper.Lint) -> harper.Suggestion:
        """Harper's top suggestion; for an irregular verb, the form its context needs.

        Harper ranks `went` and `gone` for `goed` in an order that changes from process to
        process, so the choice is made here: the participle after have/be, else the past simple.
        """
        suggestions = lint.suggestions
        if rule != "RegularIrregulars" or len(suggestions) < 2:
            return suggestions[0]
        before = text[: lint.span.start].split()[-1:]
        participle = bool(before) and before[0].lower() in _BEFORE_PARTICIPLE
        for suggestion in sorted(suggestions, key=lambda s: s.replacement_text):
            if is_simple_past(suggestion.replacement_text) != participle:
                return suggestion
        return suggestions[0]

    def _typo(self, text: str, start: int, word: str, suggestion: harper.Suggestion) -> bool:
        """Whether a spelling lint is a learner's typo (not a name, jargon or other spelling)."""
        if word.lower() in self.glossary.lower_words:
            return False
        if not plausible_typo(text, start, word, suggestion.replacement_text):
            return False
        return bool(self.other.lint(word, language=LANGUAGE))


def _replacement(word: str, suggestion: harper.Suggestion) -> str:
    """The text that replaces the lint's span."""
    if suggestion.kind == harper.SuggestionKind.REMOVE:
        return ""
    if suggestion.kind == harper.SuggestionKind.INSERT_AFTER:
        return word + suggestion.replacement_text
    return suggestion.replacement_text
