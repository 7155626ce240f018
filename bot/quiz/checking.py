"""Fair answer checking: pure functions of (pack, term, typed text); no database, no clock.

A typed answer is right when it is one of the term's names (any alias, abbreviation or
British/American spelling), ignoring case, punctuation and a leading article. A small typo also
counts, with a note, but only when the text is closer to the answer than to any other term of
the pack: "data drift" typed for *concept drift* is a different real term and is wrong, even
though the two look alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from content.index import PackIndex, normalize
from content.models import Term

Verdict = Literal["correct", "typo", "other-term", "wrong", "empty"]

_ARTICLES = re.compile(r"^(?:the|a|an)\s+")
# "A/B test": a letter before a slash is part of the name, not the article "a".
_LETTER_SLASH = re.compile(r"^[\W_]*[A-Za-z]\s*/")
_PAREN = re.compile(r"^(.*?)\s*\((.*)\)\s*$")


@dataclass(frozen=True)
class Check:
    """The verdict on one typed answer.

    `spelling` is the accepted name the learner was closest to (for "watch the spelling");
    `other_term` is the id of a different term the text names or resembles.
    """

    verdict: Verdict
    spelling: str | None = None
    other_term: str | None = None

    @property
    def correct(self) -> bool:
        """True when the answer counts as right (exactly or with a small typo)."""
        return self.verdict in ("correct", "typo")

    @property
    def typo(self) -> bool:
        """True when the answer was right but misspelt."""
        return self.verdict == "typo"


def clean(text: str) -> str:
    """Normalize a typed answer: case, accents, punctuation, spellings, a leading article."""
    norm = normalize(text[:200])
    return norm.strip() if _LETTER_SLASH.match(text) else _ARTICLES.sub("", norm).strip()


def _plain(text: str) -> str:
    # Like `clean` but without folding British/American spellings, so a typo is measured
    # against the spelling the learner was aiming at ("catalogue", not only "catalog").
    text = unicodedata.normalize("NFKD", text[:200])
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    keep_first = _LETTER_SLASH.match(text)
    text = re.sub(r"[\W_]+", " ", text).strip()
    return text if keep_first else _ARTICLES.sub("", text).strip()


def _compact(norm: str) -> str:
    # "featurestore", "feature store" and "feature-store" are the same answer.
    return norm.replace(" ", "")


def accepted_names(term: Term) -> list[str]:
    """Every spelling the learner may type for `term`, as written in the pack.

    "PSI (Population Stability Index)" gives "PSI" and the expansion too; a one-word
    parenthetical qualifier such as "(ML)" in "SBOM (ML)" is not accepted on its own.
    """
    return accepted_names_of(term.names)


def accepted_names_of(names: tuple[str, ...]) -> list[str]:
    """`accepted_names` for a tuple of names (a term's display name and aliases)."""
    out: list[str] = []
    for name in names:
        out.append(name)
        match = _PAREN.match(name)
        if match:
            head, inner = match.group(1).strip(), match.group(2).strip()
            if head:
                out.append(head)
            if len(inner.split()) >= 2:
                out.append(inner)
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class _Form:
    norm: str
    compact: str
    display: str
    term_id: str
    plain: str


@lru_cache(maxsize=8)
def _forms(pack: PackIndex) -> tuple[_Form, ...]:
    forms: list[_Form] = []
    for term in pack.pack.terms:
        for name in accepted_names(term):
            norm = clean(name)
            if norm:
                forms.append(_Form(norm, _compact(norm), name, term.id, _plain(name)))
    return tuple(forms)


def typo_budget(length: int) -> int:
    """How many edits a typo may have, by the length of the name (short names get none)."""
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    if length <= 14:
        return 2
    return 3


def _singular(norm: str) -> str:
    words = norm.split(" ")
    last = words[-1]
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith("es") and last[:-2].endswith(("s", "x", "ch", "sh")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        last = last[:-1]
    return " ".join([*words[:-1], last])


def check_typed(pack: PackIndex, term: Term, text: str) -> Check:
    """Judge a typed answer for `term` (see the module docstring for the rules)."""
    norm = clean(text)
    if not norm:
        return Check("empty")
    compact = _compact(norm)
    forms = _forms(pack)
    mine = [f for f in forms if f.term_id == term.id]
    singular = _compact(_singular(norm))
    for form in mine:
        if compact in (form.compact, _compact(_singular(form.norm))) or singular == form.compact:
            return Check("correct", spelling=form.display)
    for form in forms:
        if form.term_id != term.id and compact == form.compact:
            return Check("other-term", other_term=form.term_id)

    plain = _plain(text)

    def distance(form: _Form) -> int:
        return int(
            min(
                OSA.distance(compact, form.compact),
                OSA.distance(norm, form.norm),
                OSA.distance(plain, form.plain),
                OSA.distance(_compact(plain), _compact(form.plain)),
            )
        )

    # Among equally close names, show the spelling the learner was aiming at.
    best_mine = min(mine, key=lambda f: (distance(f), -fuzz.ratio(plain, f.plain)))
    mine_d = distance(best_mine)
    others = [f for f in forms if f.term_id != term.id]
    best_other = min(others, key=distance) if others else None
    other_d = distance(best_other) if best_other else 10**6
    # A typo keeps the first letter: "callback" is not a misspelt "rollback".
    same_start = compact[:1] == best_mine.compact[:1]
    # On a tie, the name that keeps the first letter wins: "K-b test" is a misspelt "KS test",
    # not "AB test", which is just as close but starts differently.
    closer = mine_d < other_d or (
        mine_d == other_d and best_other is not None and compact[:1] != best_other.compact[:1]
    )
    if same_start and mine_d <= typo_budget(len(best_mine.compact)) and closer:
        return Check("typo", spelling=best_mine.display)
    if (
        best_other is not None
        and other_d <= typo_budget(len(best_other.compact))
        and compact[:1] == best_other.compact[:1]
        and other_d <= mine_d
    ):
        return Check("other-term", other_term=best_other.term_id)
    return Check("wrong")


def find_named_term(pack: PackIndex, text: str) -> str | None:
    """The id of the term whose accepted name `text` is exactly (after cleaning), if any."""
    compact = _compact(clean(text))
    if not compact:
        return None
    for form in _forms(pack):
        if form.compact == compact:
            return form.term_id
    return None


_TRUE = {"true", "t", "yes", "y", "right", "correct", "wahr", "vrai", "verdadero", "да"}
_FALSE = {"false", "f", "no", "n", "wrong", "incorrect", "falsch", "faux", "falso", "нет"}


def pick_option(
    pack: PackIndex, options: list[str], option_terms: list[str], text: str
) -> int | None:
    """Which option a typed reply to a multiple-choice question means, or None.

    Accepts the option's number ("2", "2."), its label with small typos, any accepted name of
    the term behind an option (typing "PSI" picks "PSI (Population Stability Index)"), and
    true/false words for true-or-false questions.
    """
    stripped = text.strip().rstrip(".)").lstrip("(#")
    if stripped.isascii() and stripped.isdigit():
        number = int(stripped)
        return number - 1 if 1 <= number <= len(options) else None
    norm = clean(text)
    if not norm:
        return None
    if option_terms == ["true", "false"]:
        if norm in _TRUE:
            return 0
        if norm in _FALSE:
            return 1
        return None
    named = find_named_term(pack, text)
    if named is not None and named in option_terms:
        index = option_terms.index(named)
        # Only where the options are term names: when they are definitions ("What does KS
        # test mean?"), typing the term from the question must not pick its definition.
        if find_named_term(pack, options[index]) == named:
            return index
        return None
    # A term's name typed with a small typo, a plural or an article ("the concept drifts")
    # picks the option that names that term, as a typed answer would be judged.
    hits = [
        i
        for i, (label, term_id) in enumerate(zip(options, option_terms, strict=False))
        if term_id in pack.terms
        and find_named_term(pack, label) == term_id
        and check_typed(pack, pack.terms[term_id], text).correct
    ]
    if len(hits) == 1:
        return hits[0]
    scores = [fuzz.ratio(norm, clean(option)) for option in options]
    best = max(range(len(scores)), key=scores.__getitem__)
    ordered = sorted(scores, reverse=True)
    # Close to one label and clearly closer to it than to the next one.
    if scores[best] >= 85 and (len(ordered) == 1 or ordered[0] - ordered[1] >= 5):
        return best
    return None
