"""The `Judge` interface and the offline `RubricJudge`.

A judge reads a `Brief` and the learner's messages and returns a `Feedback`. The rubric judge
always works: key points by meaning (`bot.coach.meaning`), terms and misuses
(`bot.coach.terms`), jargon (`bot.coach.jargon`), English (`bot.coach.english`) and the
audience fit (sentence length).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.coach.brief import Brief
from bot.coach.english import EnglishChecker, pack_glossary
from bot.coach.feedback import (
    MAX_CORRECTIONS,
    MAX_KEPT_CORRECTIONS,
    Audience,
    Correction,
    Feedback,
    JargonNote,
    Level,
    PointResult,
    Rewrite,
    TermResult,
)
from bot.coach.jargon import find_jargon
from bot.coach.meaning import evidence_for
from bot.coach.sentences import Sentence, sentences, shorten, words
from bot.coach.terms import defined_terms, misuses, used_terms
from content.index import PackIndex

# A sentence longer than this is hard to follow for the audience (words).
LONG_SENTENCE: dict[Level, int] = {"low": 25, "medium": 30, "high": 40}


class Judge(Protocol):
    """Anything that turns the learner's messages about a brief into a `Feedback`."""

    async def assess(self, brief: Brief, messages: Sequence[str]) -> Feedback:
        """Judge the messages (all of the learner's turns, in order)."""
        ...


class RubricJudge:
    """The offline judge: meaning by concepts, English by a grammar checker. Always available."""

    def __init__(self, pack: PackIndex, english: EnglishChecker | None = None) -> None:
        self.pack = pack
        self.english = english or EnglishChecker(pack_glossary(pack))

    async def assess(self, brief: Brief, messages: Sequence[str]) -> Feedback:
        """Judge the messages; pure CPU work, see `assess_now`."""
        return self.assess_now(brief, messages)

    def warm_up(self) -> None:
        """Load the grammar checker and the word tables (about a second, once)."""
        self.english.check("The model predicts churn every day.")
        sentences("The customers changed, so the model is worse.")

    def assess_now(
        self, brief: Brief, messages: Sequence[str], *, english: bool = True
    ) -> Feedback:
        """The feedback, computed at once (callers run it off the event loop when it is long)."""
        text = "\n".join(m.strip() for m in messages if m.strip())
        found = sentences(text)
        # In text order; an answer full of slips keeps the first ones (the score is 0 by then).
        corrections = self.english.check(text)[:MAX_KEPT_CORRECTIONS] if english else []
        return Feedback(
            points=self._points(brief, found),
            terms=self._terms(brief, found),
            jargon=[
                JargonNote(word=u.word, explained=u.explained, evidence=shorten(u.sentence))
                for u in find_jargon(
                    self.pack, brief.jargon, brief.level, brief.target_terms, found
                )
            ],
            corrections=corrections,
            rewrite=self._rewrite(found, corrections),
            audience=self._audience(brief, found),
            words=len(words(text)),
        )

    def _points(self, brief: Brief, found: Sequence[Sentence]) -> list[PointResult]:
        def defines(sentence: Sentence) -> set[str]:
            return defined_terms(self.pack, sentence)

        out = []
        for concepts in brief.concepts:
            evidence = evidence_for(found, concepts, defines)
            out.append(
                PointResult(id=concepts.id, covered=evidence is not None, evidence=evidence or "")
            )
        return out

    def _terms(self, brief: Brief, found: Sequence[Sentence]) -> list[TermResult]:
        used = used_terms(self.pack, found)
        wrong = {m.term: (m, text) for m, text in misuses(self.pack, brief.misuses, found)}
        out = []
        for term_id in brief.target_terms:
            if term_id in wrong:
                misuse, text = wrong[term_id]
                out.append(
                    TermResult(id=term_id, status="misused", evidence=shorten(text), why=misuse.why)
                )
            elif term_id in used:
                out.append(TermResult(id=term_id, status="used", evidence=shorten(used[term_id])))
            else:
                out.append(TermResult(id=term_id, status="missing"))
        # A misused term counts even when it is not a target ("query the online store" for
        # training history): the mix-up is what the learner most needs to hear about.
        for term_id, (misuse, text) in wrong.items():
            if term_id not in brief.target_terms:
                out.append(
                    TermResult(id=term_id, status="misused", evidence=shorten(text), why=misuse.why)
                )
        return out

    def _rewrite(
        self, found: Sequence[Sentence], corrections: Sequence[Correction]
    ) -> Rewrite | None:
        """The sentence with the most corrections, and that sentence corrected."""
        best: tuple[int, str, str] | None = None
        for sentence in found:
            fixed, n = sentence.text, 0
            for c in corrections:
                if c.wrong in fixed:
                    fixed = fixed.replace(c.wrong, c.right, 1)
                    n += 1
            if n and (best is None or n > best[0]):
                best = (n, sentence.text, fixed)
        if best is None:
            return None
        return Rewrite(sentence=shorten(best[1], 600), better=shorten(best[2], 600))

    def _audience(self, brief: Brief, found: Sequence[Sentence]) -> Audience:
        limit = LONG_SENTENCE[brief.level]
        long = sum(1 for s in found if len(s.tokens) > limit)
        return Audience(long_sentences=long, sentences=len(found))


def shown_corrections(feedback: Feedback) -> list[Correction]:
    """The corrections a learner sees: at most five, the first ones in the text."""
    return feedback.corrections[:MAX_CORRECTIONS]
