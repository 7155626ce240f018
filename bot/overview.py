"""A learner's overview outside a turn: their progress, today's term and their next meeting.

What a dashboard (Slack's App Home) shows. The figures are `bot.progress.progress()`, the very
record ``stats`` reads; today's term is the term ``term`` would show next (the first the learner
has not seen, in the pack's order); the meeting is the one the learner set with ``start`` or
``settings meeting`` (`bot.handlers.goals`), shown until its day has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.handlers.goals import day_words, meeting_of
from bot.progress import Progress, progress
from bot.quiz.question import short_name
from bot.quiz.streaks import local_date, zone
from content.index import PackIndex
from storage import terms_seen
from storage.session import Session
from storage.turns import LearnerRow


@dataclass(frozen=True)
class Meeting:
    """The learner's next meeting: who it is with and when, and the ``prep`` that fits it."""

    audience: str  # how to say it: "a product manager"
    when: str  # "today", "tomorrow", "in 3 days", "on Mon 14 Dec", or "" without a date
    prep: str  # the command's arguments: "pm"


@dataclass(frozen=True)
class TodaysTerm:
    """The term to learn today: its id (for ``term ID``), its short name and a short gloss."""

    id: str
    name: str
    gloss: str


@dataclass(frozen=True)
class Overview:
    """Everything a dashboard shows about one learner."""

    progress: Progress
    term: TodaysTerm | None = None
    meeting: Meeting | None = None

    @property
    def first_run(self) -> bool:
        """True before the learner has done anything: a welcome rather than empty figures."""
        return not self.progress.started


async def overview(
    session: Session, pack: PackIndex, learner: LearnerRow | None, now: datetime
) -> Overview:
    """The learner's overview now; someone who never wrote gets the first term and no meeting."""
    done = await progress(session, pack, learner, now)
    seen = await terms_seen.seen_terms(session, learner.id) if learner is not None else set()
    unseen = next((t for t in pack.term_order if t not in seen), None)
    term = pack.terms.get(unseen) if unseen is not None else None
    today = TodaysTerm(term.id, short_name(term), term.quiz_gloss) if term is not None else None
    return Overview(done, today, _meeting(learner, now))


def _meeting(learner: LearnerRow | None, now: datetime) -> Meeting | None:
    stored = meeting_of(learner.settings) if learner is not None else None
    if learner is None or stored is None:
        return None
    audience, day = stored
    today = local_date(now, zone(learner.timezone))
    if day is not None and day < today:
        return None  # that meeting is over
    return Meeting(audience.said, day_words(day, today) if day else "", audience.code)
