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

At the end (the morning of day 31) every term is tested once; "known" is the number recalled,
averaged over many simulated learners. Deterministic: fixed seeds, no wall clock.

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

from bot.quiz.plan import MAX_RETRIES
from bot.quiz.review import DEFAULT_NEW_PER_DAY, REVIEW_LIMIT, new_candidates
from bot.quiz.srs import CardData, new_card, plan_session, rate, review
from content.loader import load_default_pack

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GAIN = 15.0
FAIL_KEEP = 0.3
S0_RANGE = (0.4, 1.2)  # days: a first meeting is forgotten within a day or so
EASE_RANGE = (0.5, 1.5)
FAST_RECALL = 0.95  # a recall this likely is answered quickly (may rate Easy on known cards)


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

    def study(self, now: datetime, recalled: bool, p: float) -> None:
        """One question on the term; the learner sees the right answer either way."""
        if self.last is None:
            self.strength = self.s0
        elif recalled:
            self.strength *= 1 + GAIN * self.ease * (math.exp(1 - p) - 1)
        else:
            self.strength = max(self.s0, self.strength * FAIL_KEEP)
        self.last = now


def new_learner(terms: list[str], rng: random.Random) -> dict[str, Memory]:
    """A learner with a fresh memory of every term (each term easier or harder for them)."""
    return {t: Memory(s0=rng.uniform(*S0_RANGE), ease=rng.uniform(*EASE_RANGE)) for t in terms}


def ask(memory: Memory, now: datetime, rng: random.Random) -> tuple[bool, float]:
    """Ask one question: (recalled, probability of recall before answering)."""
    p = memory.p_recall(now)
    recalled = rng.random() < p
    memory.study(now, recalled, p)
    return recalled, p


def fsrs_day(
    memories: dict[str, Memory],
    cards: dict[str, CardData],
    order: list[str],
    now: datetime,
    rng: random.Random,
) -> int:
    """One daily review session under our scheduler; returns the number of questions asked."""
    due, fresh = plan_session(
        list(cards.values()), order, now, new_quota=DEFAULT_NEW_PER_DAY, limit=REVIEW_LIMIT
    )
    queue = [(t, False) for t in [*due, *fresh]]
    retries = 0
    asked = 0
    while queue:
        term, retry = queue.pop(0)
        now += timedelta(seconds=rng.uniform(15, 40))
        card = cards.get(term) or new_card(term, now)
        recalled, p = ask(memories[term], now, rng)
        rating = rate(correct=recalled, fast=p >= FAST_RECALL, known=card.known)
        cards[term], _ = review(card, rating, now)
        asked += 1
        if not recalled and not retry and retries < MAX_RETRIES:
            queue.append((term, True))
            retries += 1
    return asked


def random_day(
    memories: dict[str, Memory], terms: list[str], size: int, now: datetime, rng: random.Random
) -> None:
    """A random-order quiz of `size` questions (distinct terms within the day)."""
    for term in rng.sample(terms, min(size, len(terms))):
        now += timedelta(seconds=rng.uniform(15, 40))
        ask(memories[term], now, rng)


def final_test(memories: dict[str, Memory], now: datetime, rng: random.Random) -> int:
    """How many terms the learner recalls on a test of every term."""
    return sum(rng.random() < m.p_recall(now) for m in memories.values())


def simulate(learners: int, days: int, seed: int) -> dict[str, float]:
    """Run both arms for `learners` simulated learners; mean terms known at the end."""
    pack = load_default_pack()
    terms = [t.id for t in pack.terms]
    order = new_candidates(terms, set())
    known_fsrs: list[int] = []
    known_random: list[int] = []
    sizes: list[int] = []
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
            size = fsrs_day(mem_fsrs, cards, order, session, rng_fsrs)
            sizes.append(size)
            random_day(mem_random, terms, size, session, rng_random)
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
    print(f"terms known at the end, FSRS schedule: {result['known_fsrs']}")
    print(f"terms known at the end, random order:  {result['known_random']}")
    print(
        json.dumps(
            {
                "known_fsrs": result["known_fsrs"],
                "known_random": result["known_random"],
                "ratio": result["ratio"],
            }
        )
    )


if __name__ == "__main__":
    main()
