"""The `Question` model and the text helpers every question kind shares (no database, no clock).

Hints come in steps, so a learner who is stuck retrieves as much of the term as they can before
seeing more of it (Butler & Roediger 2008: feedback and cues after an attempt, not instead of
it): first the first letters and the word count, then the contrast with the nearest confusable.
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel

from bot.messages import escape
from bot.quiz.checking import accepted_names
from bot.wording import after_colon, sentence_case
from content.index import PackIndex, normalize
from content.models import Term

BLANK = "_____"


class Question(BaseModel):
    """One question, stored as JSON in the conversation while it is open.

    `prompt`, `explanation`, `hint` and `more_hint` are neutral markup (content text already
    escaped); `options` are plain labels. `asked_at`, `hinted` and `hints_used` are filled in
    by the activity. `hint` is the first step of the hint, `more_hint` the second.
    """

    id: str
    kind: str
    term_id: str
    prompt: str
    options: list[str] = []
    option_terms: list[str] = []
    answer_index: int = -1
    answer_text: str = ""
    explanation: str = ""
    hint: str = ""
    more_hint: str = ""
    typed: bool = False
    poll_question: str = ""
    fast_seconds: float = 10.0
    asked_at: datetime | None = None
    hinted: bool = False
    hints_used: int = 0
    new: bool = False

    @property
    def is_choice(self) -> bool:
        """True for multiple-choice questions (answered by option)."""
        return bool(self.options) and not self.typed

    @property
    def hint_steps(self) -> list[str]:
        """The hint's steps in the order they are given."""
        return [h for h in (self.hint, self.more_hint) if h]


def new_question_id(rng: random.Random) -> str:
    """A short random id (12 base-32 characters) that fits in button payloads."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(rng.choice(alphabet) for _ in range(12))


def short_name(term: Term) -> str:
    """The display name without a parenthetical: "PSI" for "PSI (Population Stability Index)"."""
    return re.sub(r"\s*\(.*\)\s*$", "", term.term).strip() or term.term


def first_sentence(text: str) -> str:
    """The first sentence of a definition (abbreviations such as "e.g." do not end one)."""
    text = text.strip()
    for match in re.finditer(r"(?<=[.!?])\s+(?=[A-Z])", text):
        head = text[: match.start()]
        if not re.search(r"\b(?:e\.g|i\.e|etc|vs|approx|incl)\.$", head):
            return head
    return text


def mentions(text: str, term: Term) -> bool:
    """True when `text` names `term` (any accepted name of more than two letters)."""
    haystack = f" {normalize(text)} "
    return any(
        len(normalize(n)) > 2 and f" {normalize(n)} " in haystack for n in accepted_names(term)
    )


def fast_seconds(*texts: str) -> float:
    """How soon an answer counts as fast: a relaxed reading time plus a few seconds."""
    # About three words a second suits readers of English as a second language.
    words = sum(len(t.split()) for t in texts)
    return round(4.0 + words / 3.0, 1)


def in_use(term: Term) -> str:
    """The term's example sentence as a line of feedback (markup)."""
    return f"In use: “{escape(term.example)}”"


def gloss(term: Term) -> str:
    """The term's short quiz gloss (at most 100 characters), never its full definition."""
    return term.quiz_gloss


# Acronyms whose first letter is said with a vowel sound take "an": "an SLA", "an MLflow run".
_AN_LETTERS = frozenset("AEFHILMNORSX")
_A_BEFORE_VOWEL = re.compile(r"^(?:uni|use|usu|one|eu)", re.IGNORECASE)


def takes_an(name: str) -> bool:
    """True when "an" goes before `name` ("an online store", "an SLA"; "a unit test")."""
    first = name.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return first[0] in _AN_LETTERS
    return first[:1].lower() in "aeiou" and not _A_BEFORE_VOWEL.match(first)


@lru_cache(maxsize=4096)
def _name_regex(name: str) -> re.Pattern[str] | None:
    # Cached: compiling costs about 0.3 ms, more than the rest of building a question.
    tokens = re.findall(r"[A-Za-z0-9]+", name)
    if not tokens:
        return None
    body = r"[\s/-]{1,3}".join(re.escape(t) for t in tokens)
    # "_" counts as part of a word: transition_model_version_stage is code, not the term.
    return re.compile(rf"(?<![A-Za-z0-9_]){body}(?![A-Za-z0-9_])", re.IGNORECASE)


def blank_out(sentence: str, term: Term) -> tuple[str, str] | None:
    """The sentence with every mention of the term replaced by a blank, and the name blanked.

    The sentence keeps its own article ("an _____"): it is a real sentence, and choice
    questions offer only names that fit that article. None when the sentence does not mention
    the term.
    """
    names = sorted(accepted_names(term), key=len, reverse=True)
    found: list[str] = []
    text = sentence
    for name in names:
        pattern = _name_regex(name)
        if pattern is None or pattern.search(text) is None:
            continue
        found.append(name)
        text = pattern.sub(BLANK, text)
    if not found or len({normalize(n) for n in found}) > 1:
        # Two different names in one sentence ("the X feature view is the feature group")
        # would give two blanks with two answers: not a fair gap.
        return None
    return text, found[0]


def article_before_blank(sentence: str) -> str | None:
    """The article ("a" or "an") right before the first blank, or None."""
    match = re.search(rf"\b([Aa]n?) {BLANK}", sentence)
    return match.group(1).lower() if match else None


def letters_hint(name: str) -> str:
    """The first step of a hint: the first letters of each word and the word count."""
    words = name.split()
    starts = " ".join(escape(w[: 1 if len(w) <= 3 else 2]) + "…" for w in words)
    size = "one word" if len(words) == 1 else f"{len(words)} words"
    return f"It starts with “{starts}” ({size})."


def nearest_confusable(pack: PackIndex, term: Term) -> tuple[Term, str] | None:
    """The term most easily confused with `term`, and how they differ (plain text)."""
    other = pack.terms.get(term.confused_with.term)
    if other is not None:
        return other, term.confused_with.difference
    for candidate in pack.confusables(term):
        if candidate.confused_with.term == term.id:
            return candidate, candidate.confused_with.difference
    return None


def contrast_hint(pack: PackIndex, term: Term) -> str:
    """The second step of a hint: how the answer differs from its nearest confusable."""
    near = nearest_confusable(pack, term)
    if near is None:
        return ""
    other, difference = near
    return (
        f"Don't mix it up with *{escape(short_name(other))}*: "
        f"{escape(after_colon(first_sentence(difference)))}"
    )


def meaning_line(term: Term) -> str:
    """The term and its meaning in one line: "*PSI*: a binned index of …" (markup)."""
    return f"*{escape(short_name(term))}*: {escape(after_colon(gloss(term)))}"


def named(term: Term) -> str:
    """The term's short name at the start of a sentence (markup)."""
    return f"*{escape(sentence_case(short_name(term)))}*"
