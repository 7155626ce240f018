"""Thirty days of a forgetful learner: our FSRS review schedule against a random-order quiz.

The learner model (not FSRS, so the scheduler is not graded by its own yardstick) is exponential
forgetting with a per-term memory strength S in days: recall probability after t days is
exp(-t / S). A term never met cannot be recalled. After a successful recall S grows, and it grows
more when recall was hard (the spacing effect): S *= 1 + GAIN * ease * (exp(1 - p) - 1), so
cramming a term that is still fresh adds almost nothing. After a failure the learner sees the
answer and S drops back to max(S0, S * 0.3). Each term has its own ease, drawn once per learner.
GAIN = 15 makes a recall at 90% multiply S by about 2.6, the size of step that fsrs's default
parameters (fitted on real review histories) give; the result hardly depends on it (the ratio
was 1.51 to 1.56 for GAIN from 3 to 25).

FSRS arm: every day at about 09:00 the real planner (`bot.quiz.srs.plan_session`, the settings
of `bot.quiz.review`) picks due cards and today's new terms; each answer is rated with
`bot.quiz.srs.rate` and applied with `bot.quiz.srs.review`; missed terms are asked once more at
the end of the session, as the review activity does. Random arm: the same number of questions
each day, terms drawn uniformly at random from the pack.

Question mix (issue 16): a card out of the learning steps is mostly asked as *produce the
term* (the kinds and weights of `bot.quiz.questions.KIND_WEIGHTS["recall"]`, a contrast question
only when the pair partner is known too); new and learning cards are recognised among options.
Producing is harder than recognising: a production question is right only when the learner
recalls the term (probability p); a recognition question is right when they recognise it
(probability p ** RECOGNITION_EXPONENT, higher than p) or guess among the options. A lucky guess
teaches nothing but a look at the answer, and a recognition success strengthens memory less
than a production success (RECOGNITION_GAIN: retrieval effort is what strengthens, Karpicke &
Roediger 2008). The random arm asks the same share of production questions each day, on terms
it has already met. With the "I don't know" button, half the learners' non-recognitions are said
instead of guessed, so FSRS is not told a lucky guess was known; the random arm always guesses.

At the end (the morning of day 31) every term is tested once by recall; "known" is the number
recalled, averaged over many simulated learners. Deterministic: fixed seeds, no wall clock.

    .venv/bin/python bench/learner_sim.py [--learners 200] [--days 30]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.quiz.plan import MAX_RETRIES, space_pairs
from bot.quiz.questions import KIND_WEIGHTS, PRODUCTION_KINDS
from bot.quiz.review import DEFAULT_NEW_PER_DAY, REVIEW_LIMIT, new_candidates
from bot.quiz.srs import CardData, new_card, plan_session, question_level, rate, review
from content.index import PackIndex
from content.loader import load_default_pack

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GAIN = 15.0
FAIL_KEEP = 0.3
S0_RANGE = (0.4, 1.2)  # days: a first meeting is forgotten within a day or so
EASE_RANGE = (0.5, 1.5)
FAST_RECALL = 0.95  # a recall this likely is answered quickly (may rate Easy on known cards)
RECOGNITION_EXPONENT = 0.7  # recognising is easier than recalling: p ** 0.7 > p (0.5 -> 0.62)
RECOGNITION_GAIN = 0.5  # a recognition success strengthens memory half as much
OPTIONS = 4
# With an "I don't know" button, a learner who does not recognise the term says so this often
# instead of guessing (the random arm is a plain quiz: it always guesses).
SAYS_DONT_KNOW = 0.5


@dataclass
class Memory:
    """What one simulated learner remembers of one term."""

    s0: float
    ease: float
    strength: float = 0.0
    last: datetime | None = None

    def p_recall(self, now: datetime) -> float:
        """Probability of recalling the term now."""
        if self.last is None:
            return 0.0
        days = (now - self.last).total_seconds() / 86400
        return math.exp(-days / self.strength)

    def study(self, now: datetime, recalled: bool, p: float, gain: float = 1.0) -> None:
        """One question on the term; the learner sees the right answer either way."""
        if self.last is None:
            self.strength = self.s0
        elif recalled:
            self.strength *= 1 + GAIN * gain * self.ease * (math.exp(1 - p) - 1)
        else:
            self.strength = max(self.s0, self.strength * FAIL_KEEP)
        self.last = now

    def look(self, now: datetime) -> None:
        """A lucky guess: the learner only reads the answer (a restudy, no retrieval)."""
        if self.last is None:
            self.strength = self.s0
        self.last = now


def new_learner(terms: list[str], rng: random.Random) -> dict[str, Memory]:
    """A learner with a fresh memory of every term (each term easier or harder for them)."""
    return {t: Memory(s0=rng.uniform(*S0_RANGE), ease=rng.uniform(*EASE_RANGE)) for t in terms}


def ask(
    memory: Memory,
    now: datetime,
    rng: random.Random,
    produce: bool = True,
    dont_know: float = 0.0,
) -> tuple[bool, float]:
    """Ask one question: (answered right, probability of recall before answering).

    `dont_know`: how often a learner who does not recognise the term says "I don't know"
    (rated Again, the answer shown) instead of guessing among the options.
    """
    p = memory.p_recall(now)
    if produce:
        recalled = rng.random() < p
        memory.study(now, recalled, p)
        return recalled, p
    p_recognise = p**RECOGNITION_EXPONENT
    if rng.random() < p_recognise:
        memory.study(now, True, p_recognise, RECOGNITION_GAIN)
        return True, p
    if rng.random() >= dont_know and rng.random() < 1 / OPTIONS:
        memory.look(now)
        return True, p
    memory.study(now, False, p_recognise)
    return False, p


def production_share(pack: PackIndex, term: str, cards: dict[str, CardData]) -> float:
    """The chance that a question on a card out of the learning steps is a production one."""
    weights = dict(KIND_WEIGHTS["recall"])
    partners = {t for p in pack.pack.pairs if term in p.terms for t in p.terms if t != term}
    if not any(t in cards and cards[t].known for t in partners):
        weights.pop("confusable-pair", None)
    produce = sum(w for k, w in weights.items() if k in PRODUCTION_KINDS)
    return produce / sum(weights.values())


def fsrs_day(
    memories: dict[str, Memory],
    cards: dict[str, CardData],
    order: list[str],
    now: datetime,
    rng: random.Random,
    pack: PackIndex,
) -> tuple[int, int]:
    """One daily review session under our scheduler: (questions asked, production questions)."""
    fresh_ids = [t for t in order if t not in cards or cards[t].is_new]
    due, fresh = plan_session(
        list(cards.values()),
        space_pairs(pack, fresh_ids, cards),
        now,
        new_quota=DEFAULT_NEW_PER_DAY,
        limit=REVIEW_LIMIT,
    )
    queue = [(t, False) for t in [*due, *fresh]]
    asked = produced = retries = 0
    while queue:
        term, retry = queue.pop(0)
        now += timedelta(seconds=rng.uniform(15, 40))
        card = cards.get(term) or new_card(term, now)
        level = question_level(cards.get(term))
        produce = (
            not retry and level == "recall" and rng.random() < production_share(pack, term, cards)
        )
        right, p = ask(memories[term], now, rng, produce, dont_know=SAYS_DONT_KNOW)
        rating = rate(correct=right, fast=p >= FAST_RECALL, known=card.known)
        cards[term], _ = review(card, rating, now)
        asked += 1
        produced += produce
        if not right and not retry and retries < MAX_RETRIES:
            # The first missed terms come back once at the end, as the rounds do.
            queue.append((term, True))
            retries += 1
    return asked, produced


def random_day(
    memories: dict[str, Memory],
    terms: list[str],
    size: int,
    produce_share: float,
    now: datetime,
    rng: random.Random,
) -> None:
    """A random-order quiz of `size` questions (distinct terms within the day).

    The same share of production questions as the scheduled arm asked that day, on terms the
    learner has met (a term never met can only be recognised, or guessed).
    """
    for term in rng.sample(terms, min(size, len(terms))):
        now += timedelta(seconds=rng.uniform(15, 40))
        met = memories[term].last is not None
        ask(memories[term], now, rng, produce=met and rng.random() < produce_share)


def final_test(memories: dict[str, Memory], now: datetime, rng: random.Random) -> int:
    """How many terms the learner recalls on a test of every term."""
    return sum(rng.random() < m.p_recall(now) for m in memories.values())


def simulate(learners: int, days: int, seed: int) -> dict[str, object]:
    """Run both arms for `learners` simulated learners; mean terms known at the end."""
    pack = PackIndex(load_default_pack())
    terms = [t.id for t in pack.pack.terms]
    order = new_candidates(terms, set())
    known_fsrs: list[int] = []
    known_random: list[int] = []
    sizes: list[int] = []
    weeks = (days + 6) // 7
    asked_by_week = [0] * weeks
    produced_by_week = [0] * weeks
    for i in range(learners):
        base = random.Random(seed * 1_000_003 + i)
        profile = base.getrandbits(32)
        # The same learner (same per-term memory) in both arms, with independent luck.
        mem_fsrs = new_learner(terms, random.Random(profile))
        mem_random = new_learner(terms, random.Random(profile))
        rng_fsrs = random.Random(base.getrandbits(32))
        rng_random = random.Random(base.getrandbits(32))
        cards: dict[str, CardData] = {}
        for day in range(days):
            session = START + timedelta(days=day, minutes=rng_fsrs.uniform(-60, 60))
            size, produced = fsrs_day(mem_fsrs, cards, order, session, rng_fsrs, pack)
            sizes.append(size)
            asked_by_week[day // 7] += size
            produced_by_week[day // 7] += produced
            share = produced / size if size else 0.0
            random_day(mem_random, terms, size, share, session, rng_random)
        test_at = START + timedelta(days=days)
        known_fsrs.append(final_test(mem_fsrs, test_at, rng_fsrs))
        known_random.append(final_test(mem_random, test_at, rng_random))
    mean_fsrs = sum(known_fsrs) / learners
    mean_random = sum(known_random) / learners
    return {
        "terms": len(terms),
        "learners": learners,
        "days": days,
        "questions_per_day": round(sum(sizes) / len(sizes), 1),
        "known_fsrs": round(mean_fsrs, 1),
        "known_random": round(mean_random, 1),
        "ratio": round(mean_fsrs / mean_random, 2) if mean_random else float("inf"),
        "production_share_by_week": [
            round(p / a, 2) if a else 0.0
            for p, a in zip(produced_by_week, asked_by_week, strict=True)
        ],
    }


def main() -> None:
    """Print the set-up, both results, and the JSON summary as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20260105)
    args = parser.parse_args()
    result = simulate(args.learners, args.days, args.seed)
    print(
        f"{result['learners']} simulated learners, {result['days']} days, "
        f"{result['terms']} terms, {result['questions_per_day']} questions a day in both arms"
    )
    shares = result["production_share_by_week"]
    assert isinstance(shares, list)
    for week, share in enumerate(shares, start=1):
        print(f"week {week}: {round(100 * share)}% of questions ask to produce the term")
    print(f"terms known at the end, FSRS schedule: {result['known_fsrs']}")
    print(f"terms known at the end, random order:  {result['known_random']}")
    print(
        json.dumps(
            {
                "known_fsrs": result["known_fsrs"],
                "known_random": result["known_random"],
                "ratio": result["ratio"],
                "production_share_by_week": shares,
            }
        )
    )


if __name__ == "__main__":
    main()
