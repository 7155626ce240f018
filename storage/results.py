"""Role-play and written-exercise results (`roleplay_sessions`).

Both kinds share the table: `transcript["kind"]` is ``roleplay`` or ``exercise`` and
`scenario_id` holds the scenario or exercise id (the pack keeps the two id spaces apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, insert, select

from storage.models import RoleplaySession
from storage.session import Session

RESULTS: Table = RoleplaySession.__table__  # type: ignore[assignment]


async def save_result(
    session: Session,
    *,
    learner_id: int,
    conversation_key: str,
    item_id: str,
    kind: str,
    transcript: list[dict[str, str]],
    feedback: str,
    score: int | None,
    started_at: datetime,
    finished_at: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """Store one finished (score) or stopped (no score) role-play or written exercise."""
    await session.execute(
        insert(RESULTS).values(
            learner_id=learner_id,
            conversation_key=conversation_key,
            scenario_id=item_id,
            transcript={"kind": kind, "turns": transcript, **(extra or {})},
            feedback=feedback,
            score=score,
            started_at=started_at,
            finished_at=finished_at,
        )
    )


@dataclass(frozen=True)
class Result:
    """One stored result, as `stats` and `prep` read it."""

    item_id: str
    kind: str
    score: int | None
    finished_at: datetime | None


async def results(session: Session, learner_id: int) -> list[Result]:
    """The learner's results, newest first."""
    rows = await session.execute(
        select(
            RoleplaySession.scenario_id,
            RoleplaySession.transcript,
            RoleplaySession.score,
            RoleplaySession.finished_at,
        )
        .where(RoleplaySession.learner_id == learner_id)
        .order_by(RoleplaySession.finished_at.desc(), RoleplaySession.id.desc())
    )
    out = []
    for item_id, transcript, score, finished in rows:
        kind = str((transcript or {}).get("kind", "roleplay"))
        out.append(Result(str(item_id), kind, score, finished))
    return out


async def finish_times(
    session: Session, learner_id: int, since: datetime | None = None
) -> list[datetime]:
    """When the learner finished a role-play or exercise with a score (UTC)."""
    finished = and_(
        RoleplaySession.learner_id == learner_id,
        RoleplaySession.score.is_not(None),
        RoleplaySession.finished_at.is_not(None),
    )
    if since is not None:
        finished = and_(finished, RoleplaySession.finished_at >= since)
    times = await session.scalars(select(RoleplaySession.finished_at).where(finished))
    return [t for t in times if t is not None]


async def find_result(session: Session, learner_id: int, token: str) -> dict[str, Any] | None:
    """The stored details of one result by its token (the debrief's buttons use it)."""
    rows = await session.execute(
        select(RoleplaySession.scenario_id, RoleplaySession.transcript, RoleplaySession.score)
        .where(RoleplaySession.learner_id == learner_id)
        .order_by(RoleplaySession.id.desc())
        .limit(50)
    )
    for item_id, transcript, score in rows:
        data = dict(transcript or {})
        if data.get("token") == token:
            return {"item_id": str(item_id), "score": score, **data}
    return None
