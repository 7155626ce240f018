"""A learner's progress, computed in one place for ``stats``, round summaries and Slack's App Home.

Every figure a learner sees about themself (terms seen, due now and later today, mastered,
streaks, accuracy, role-play scores) comes from `progress()` or the helpers here, so two screens
can never disagree about what "due" or "seen" means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.quiz.srs import CardData
from bot.quiz.streaks import day_end, local_date, longest_streak, streak_at, zone
from bot.wording import count, day_phrase
from content.index import PackIndex
from storage import attempts, cards, phrases, results, terms_seen
from storage.results import Result
from storage.session import Session
from storage.turns import LearnerRow

TROUBLE_SHOWN = 3
# A card due within this time is "due soon": every screen names it beside the cards due now, so
# "2 due now" and a /review one minute later that finds 3 never disagree (a term missed twice in
# a round comes back after FSRS's one-minute step).
SOON = timedelta(minutes=20)
# Streaks look this far back: enough for any streak a learner could still be on.
STREAK_WINDOW = timedelta(days=400)


async def load_cards(session: Session, learner_id: int) -> dict[str, CardData]:
    """Every card of a learner, by term id."""
    return {row.term_id: CardData(*row) for row in await cards.load_cards(session, learner_id)}


async def review_cards(session: Session, pack: PackIndex, learner_id: int) -> dict[str, CardData]:
    """The cards /review can ask: of terms still in the pack, or of phrases the learner kept.

    Every count of due cards is taken from these, so /stats and /review count the same cards.
    """
    mine = await load_cards(session, learner_id)
    kept: dict[int, str] | None = None
    out: dict[str, CardData] = {}
    for term_id, card in mine.items():
        pid = phrases.phrase_id(term_id)
        if pid is None:
            if term_id in pack.terms:
                out[term_id] = card
            continue
        if kept is None:
            kept = await phrases.texts(session, learner_id)
        if pid in kept:
            out[term_id] = card
    return out


async def load_card(session: Session, learner_id: int, term_id: str) -> CardData | None:
    """One card, or None when the learner has never answered a question on the term."""
    row = await cards.load_card(session, learner_id, term_id)
    return CardData(*row) if row is not None else None


async def practice_times(
    session: Session, learner_id: int, since: datetime | None = None
) -> list[datetime]:
    """When the learner practised (UTC), oldest first.

    Practice is a quiz answer, or a role-play or written exercise finished with a score.
    """
    quiz = await attempts.answer_times(session, learner_id, since)
    talks = await results.finish_times(session, learner_id, since)
    return sorted([*quiz, *talks])


def due_today(cards: Iterable[CardData], now: datetime, end_today: datetime) -> tuple[int, int]:
    """(due for review now, due again later today).

    A card due again within minutes (just quizzed) is "later today": /review does not offer it
    yet, so nothing may call it due now.
    """
    cards = list(cards)
    due_now = sum(c.is_due(now) for c in cards)
    later = sum(1 for c in cards if not c.is_new and not c.is_due(now) and c.due <= end_today)
    return due_now, later


def due_soon(cards: Iterable[CardData], now: datetime) -> int:
    """Cards not due yet but due within `SOON` (a learning step of one or ten minutes)."""
    return sum(1 for c in cards if not c.is_new and not c.is_due(now) and c.due <= now + SOON)


def soon_phrase(soon: int) -> str:
    """The words added to a count of due cards: "(1 more in a few minutes)", or nothing."""
    return f" ({soon} more in a few minutes)" if soon else ""


def next_review_line(cards: Iterable[CardData], now: datetime, timezone: str) -> str:
    """One line on what is due: now, later today, or the next due date (learner's timezone)."""
    cards = list(cards)
    tz = zone(timezone)
    today = local_date(now, tz)
    due_now, later_today = due_today(cards, now, day_end(today, tz))
    soon = due_soon(cards, now)
    if due_now:
        return f"📚 {count(due_now, 'term')} due for review now{soon_phrase(soon)}: type /review."
    if soon:
        return f"📚 {count(soon, 'term')} due for review in a few minutes: then type /review."
    upcoming = sorted(c.due for c in cards if not c.is_new)
    if not upcoming:
        return "📚 No reviews planned yet: the terms you practise in a /quiz come back for review."
    if later_today:
        verb = "is" if later_today == 1 else "are"
        return f"📚 {count(later_today, 'more term', 'more terms')} {verb} due later today."
    when = upcoming[0].astimezone(tz)
    due_that_day = sum(local_date(d, tz) == when.date() for d in upcoming)
    day = day_phrase(when, now.astimezone(tz))
    return f"📚 Next review: {count(due_that_day, 'term')} {day}."


@dataclass(frozen=True)
class TopicScore:
    """Quiz answers on one topic's terms."""

    title: str
    right: int
    answers: int


@dataclass(frozen=True)
class Progress:
    """Everything a learner can see about their own progress."""

    total_terms: int
    seen_terms: int = 0
    due_now: int = 0
    due_later_today: int = 0
    due_soon: int = 0
    mastered: int = 0
    streak: int = 0
    longest_streak: int = 0
    answers: int = 0
    right: int = 0
    # Questions answered "I don't know": rated Again, not counted in `answers` or accuracy.
    skipped: int = 0
    topics: tuple[TopicScore, ...] = ()
    # (term id, wrong answers, all answers), the most trouble first.
    trouble: tuple[tuple[str, int, int], ...] = ()
    # Role-play and written-exercise results, newest first.
    results: tuple[Result, ...] = field(default=())
    next_review: str = ""

    @property
    def accuracy_pct(self) -> int | None:
        """Share of right quiz answers, rounded; None before the first answer."""
        return round(100 * self.right / self.answers) if self.answers else None

    @property
    def started(self) -> bool:
        """True once the learner has done anything at all."""
        return bool(self.seen_terms or self.answers or self.skipped or self.results)


async def progress(
    session: Session, pack: PackIndex, learner: LearnerRow | None, now: datetime
) -> Progress:
    """The learner's progress now; an empty `Progress` for someone who never wrote to us."""
    if learner is None:
        return Progress(total_terms=len(pack.terms))
    tz = zone(learner.timezone)
    seen = await terms_seen.seen_terms(session, learner.id)
    mine = list((await review_cards(session, pack, learner.id)).values())
    due_now, later = due_today(mine, now, day_end(local_date(now, tz), tz))
    times = await practice_times(session, learner.id)
    by_term = await attempts.counts_by_term(session, learner.id)
    topics = []
    for topic in pack.pack.topics:
        ids = {t.id for t in pack.terms_in(topic)}
        answers = sum(n for t, (_, n) in by_term.items() if t in ids)
        if answers:
            right = sum(r for t, (r, _) in by_term.items() if t in ids)
            topics.append(TopicScore(topic.title, right, answers))
    trouble = sorted(
        ((t, n - r, n) for t, (r, n) in by_term.items() if n - r and t in pack.terms),
        key=lambda x: (-x[1], -x[1] / x[2], x[0]),
    )[:TROUBLE_SHOWN]
    return Progress(
        total_terms=len(pack.terms),
        seen_terms=len(seen & set(pack.terms)),
        due_now=due_now,
        due_later_today=later,
        due_soon=due_soon(mine, now),
        mastered=sum(1 for c in mine if c.mastered),
        streak=streak_at(times, now, tz),
        longest_streak=longest_streak(local_date(t, tz) for t in times),
        answers=sum(n for _, n in by_term.values()),
        right=sum(r for r, _ in by_term.values()),
        skipped=await attempts.skipped_count(session, learner.id),
        topics=tuple(topics),
        trouble=tuple(trouble),
        results=tuple(await results.results(session, learner.id)),
        next_review=next_review_line(mine, now, learner.timezone),
    )


def due_parts(done: Progress) -> list[str]:
    """What is due, as every screen says it: "2 now", "1 more in a few minutes", "3 … later today".

    `stats` and Slack's App Home both build their "Due for review" line from these parts.
    """
    parts = [f"{done.due_now} now" if done.due_now else "none now"]
    if done.due_soon:
        parts.append(f"{done.due_soon} more in a few minutes")
    later = done.due_later_today - done.due_soon
    if later > 0:
        more = "more " if done.due_now or done.due_soon else ""
        parts.append(f"{later} {more}later today")
    return parts


@dataclass(frozen=True)
class ItemScores:
    """A learner's scores on one scenario or exercise: the first, the best and the latest."""

    item_id: str
    first: int
    best: int
    latest: int
    tries: int


def scores_by_item(results: Iterable[Result]) -> list[ItemScores]:
    """Each practised item's first, best and latest score, the most recently practised first."""
    scored: dict[str, list[int]] = {}
    for r in results:  # newest first
        if r.score is not None:
            scored.setdefault(r.item_id, []).append(r.score)
    return [
        ItemScores(item, first=s[-1], best=max(s), latest=s[0], tries=len(s))
        for item, s in scored.items()
    ]
