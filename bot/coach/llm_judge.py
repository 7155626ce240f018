"""The LLM judge: one call to an OpenAI-compatible model per feedback, checked, or the rubric's.

The model answers in JSON that must validate against `LlmVerdict` (a part of `Feedback`). What
it says is checked against the learner's own text: a point counts as covered only with evidence
the learner really wrote, a correction only for words the learner really used, and never for
the pack's terms or code. On a timeout, an error or an answer that fails twice, the rubric
judge's feedback is used, with one line saying so.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence

from pydantic import BaseModel, Field, ValidationError

from bot.coach.brief import Brief
from bot.coach.feedback import (
    Correction,
    Feedback,
    JargonNote,
    PointResult,
    Rewrite,
    TermResult,
)
from bot.coach.judge import Judge
from bot.coach.sentences import words
from bot.coach.terms import term_names
from bot.llm import LlmClient
from content.index import PackIndex

log = logging.getLogger(__name__)

FALLBACK_NOTE = (
    "The language model did not answer in time, so this feedback is the offline coach's."
)
MAX_TOKENS = 1200
_LEVEL_WORDS = {
    "low": "not technical: plain everyday English, every technical word explained",
    "medium": "technical, but not a machine learning specialist",
    "high": "a machine learning expert who knows the terms",
}


class LlmVerdict(BaseModel):
    """What the model must return (the rest of the feedback is measured locally)."""

    points: list[PointResult]
    terms: list[TermResult] = Field(default_factory=list)
    jargon: list[JargonNote] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list, max_length=10)
    rewrite: Rewrite | None = None


def _squash(text: str) -> str:
    return " ".join(words(text))


def _system(brief: Brief, pack: PackIndex) -> str:
    points = "\n".join(f"- {p.id}: {p.point}" for p in brief.key_points)
    terms = "\n".join(
        f"- {t}: {pack.terms[t].term}: {pack.terms[t].definition}"
        for t in brief.target_terms
        if t in pack.terms
    )
    jargon = ", ".join(j.word for j in brief.jargon) or "none listed"
    return (
        "You are a strict, kind coach for engineers who explain machine learning platform "
        "topics in English, their second language. Judge MEANING, not key words: a key point is "
        "covered only when a sentence of the learner states its claim (an everyday paraphrase "
        "counts; a list of terms, a negated or wrong claim, or a question does not). Quote that "
        "sentence exactly as evidence. For each target term say used (correctly), misused (with "
        "why) or missing. List jargon the audience would not know and whether it was explained "
        "(a formula is not an explanation). List up to 10 English corrections: the learner's "
        "exact phrase, the corrected phrase, a short rule name. Never correct product names, "
        "code, metric names or the glossary terms. Give the weakest sentence and a better "
        "version. Answer with JSON only.\n\n"
        f"Task: {brief.task}\nAudience: {brief.audience}, {_LEVEL_WORDS[brief.level]}.\n"
        f"Key points:\n{points}\nTarget terms:\n{terms or '- none'}\nJargon to watch: {jargon}"
    )


class LlmJudge:
    """A judge that asks the model, checks the answer, and falls back to the rubric judge."""

    def __init__(self, client: LlmClient, pack: PackIndex, fallback: Judge) -> None:
        self.client = client
        self.pack = pack
        self.fallback = fallback

    async def assess(self, brief: Brief, messages: Sequence[str]) -> Feedback:
        """The model's feedback, checked; the rubric judge's with a note when that fails."""
        text = "\n".join(m.strip() for m in messages if m.strip())
        offline = await self.fallback.assess(brief, messages)
        for _attempt in range(2):  # the first answer, and at most one retry
            raw = await self.client.complete(
                _system(brief, self.pack),
                f"The learner wrote:\n<<<\n{text[:6000]}\n>>>",
                max_tokens=MAX_TOKENS,
                temperature=0.0,
                schema=LlmVerdict.model_json_schema(),
                purpose="LLM judge",
            )
            if raw is None:
                break  # a timeout or an error: a retry would only make the learner wait
            verdict = self._parse(raw)
            if verdict is not None:
                return self._checked(brief, text, verdict, offline)
        return offline.model_copy(update={"note": FALLBACK_NOTE})

    def _parse(self, raw: str) -> LlmVerdict | None:
        body = raw.strip()
        fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", body, re.S)
        if fenced:
            body = fenced.group(1)
        try:
            return LlmVerdict.model_validate(json.loads(body))
        except (ValueError, ValidationError) as exc:
            log.warning("LLM judge: the answer did not fit the schema (%s)", type(exc).__name__)
            return None

    def _checked(self, brief: Brief, text: str, verdict: LlmVerdict, offline: Feedback) -> Feedback:
        said = _squash(text)
        by_id = {p.id: p for p in verdict.points}
        points = []
        for point in brief.key_points:
            got = by_id.get(point.id)
            real = got is not None and got.covered and _squash(got.evidence) in said
            points.append(
                PointResult(
                    id=point.id, covered=real, evidence=got.evidence if got and real else ""
                )
            )
        terms_by_id = {t.id: t for t in verdict.terms}
        terms = [
            terms_by_id.get(t) or TermResult(id=t, status="missing") for t in brief.target_terms
        ]
        protected = {
            n.lower()
            for t in self.pack.pack.terms
            for n in term_names(t)
            if t.id in brief.target_terms
        }
        corrections = [
            c
            for c in verdict.corrections
            if _squash(c.wrong)
            and _squash(c.wrong) in said
            and not any(name in c.wrong.lower() for name in protected)
            and not re.search(r"[_/()|=`]", c.wrong)
        ]
        return Feedback(
            points=points,
            terms=terms,
            jargon=verdict.jargon,
            corrections=corrections,
            rewrite=verdict.rewrite,
            audience=offline.audience,
            words=offline.words,
            judge="llm",
        )
