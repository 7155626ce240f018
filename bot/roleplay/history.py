"""Saving a finished or stopped role-play or written exercise, and naming past ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import TurnContext
from content.index import PackIndex
from storage import results


async def save_result(
    ctx: TurnContext,
    *,
    item_id: str,
    kind: str,
    transcript: list[dict[str, str]],
    feedback: str,
    score: int | None,
    started_at: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """Store one finished (score) or stopped (no score) role-play or written exercise."""
    await results.save_result(
        ctx.session,
        learner_id=ctx.learner.id,
        conversation_key=ctx.ref.key,
        item_id=item_id,
        kind=kind,
        transcript=transcript,
        feedback=feedback,
        score=score,
        started_at=started_at,
        finished_at=ctx.now,
        extra=extra,
    )


def title_of(pack: PackIndex, item_id: str) -> str:
    """The title of a scenario or exercise id (the id itself when the pack no longer has it)."""
    scenario = pack.scenarios.get(item_id)
    if scenario is not None:
        return scenario.title
    for exercise in pack.pack.exercises:
        if exercise.id == item_id:
            return exercise.title
    return item_id
