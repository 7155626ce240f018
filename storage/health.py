"""Readiness as a real write: each process rewrites its own row in ``health_probes``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, update

from storage.models import HealthProbe
from storage.session import Session
from storage.sql import insert_ignore

PROBES: Table = HealthProbe.__table__  # type: ignore[assignment]


async def probe(session: Session, worker: str, now: datetime) -> None:
    """Write this process's row (insert, or update the time): fails as a turn's write would."""
    if not await insert_ignore(session, PROBES, {"worker": worker[:100], "checked_at": now}):
        await session.execute(
            update(HealthProbe).where(HealthProbe.worker == worker[:100]).values(checked_at=now)
        )
