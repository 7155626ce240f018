"""Role-play and written-exercise results in `roleplay_sessions`, and the `stats` section.

Both kinds share the table: `transcript["kind"]` is ``roleplay`` or ``exercise`` and
`scenario_id` holds the scenario or exercise id (the pack keeps the two id spaces apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.context import TurnContext
from bot.messages import escape
from storage import repos
from storage.models import RoleplaySession

HISTORY_LINES = 3


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
    await repos.insert_row(
        ctx.session,
        RoleplaySession.__table__,  # type: ignore[arg-type]
        {
            "learner_id": ctx.learner.id,
            "conversation_key": ctx.ref.key,
            "scenario_id": item_id,
            "transcript": {"kind": kind, "turns": transcript, **(extra or {})},
            "feedback": feedback,
            "score": score,
            "started_at": started_at,
            "finished_at": ctx.now,
        },
    )


@dataclass(frozen=True)
class Result:
    """One stored result, as `stats` and `prep` read it."""

    item_id: str
    kind: str
    score: int | None
    finished_at: datetime | None


async def results(ctx: TurnContext) -> list[Result]:
    """The learner's results, newest first."""
    rows = await ctx.session.execute(
        select(
            RoleplaySession.scenario_id,
            RoleplaySession.transcript,
            RoleplaySession.score,
            RoleplaySession.finished_at,
        )
        .where(RoleplaySession.learner_id == ctx.learner.id)
        .order_by(RoleplaySession.finished_at.desc(), RoleplaySession.id.desc())
    )
    out = []
    for item_id, transcript, score, finished in rows:
        kind = str((transcript or {}).get("kind", "roleplay"))
        out.append(Result(item_id, kind, score, finished))
    return out


def _title(ctx: TurnContext, item_id: str) -> str:
    scenario = ctx.pack.scenarios.get(item_id)
    if scenario is not None:
        return scenario.title
    for exercise in ctx.pack.pack.exercises:
        if exercise.id == item_id:
            return exercise.title
    return item_id


async def stats_section(ctx: TurnContext) -> list[str]:
    """Role-play and written-exercise history for `stats`."""
    done = await results(ctx)
    lines: list[str] = []
    for kind, label, command in (
        ("roleplay", "Role-plays", "/roleplay"),
        ("exercise", "Written exercises", "/exercises"),
    ):
        mine = [r for r in done if r.kind == kind]
        scored = [r for r in mine if r.score is not None]
        if not mine:
            lines.append(f"{label}: none yet. Type {command} to start one.")
            continue
        stopped = len(mine) - len(scored)
        head = f"{label}: {len(scored)} finished"
        if scored:
            average = round(sum(r.score or 0 for r in scored) / len(scored))
            best = max(r.score or 0 for r in scored)
            head += f", average score {average}, best {best}"
        if stopped:
            head += f" ({stopped} stopped early)"
        lines.append(head)
        for r in scored[:HISTORY_LINES]:
            when = r.finished_at.strftime("%d %b") if r.finished_at else ""
            lines.append(f"- {when}: {escape(_title(ctx, r.item_id))}, {r.score}/100")
    return lines
