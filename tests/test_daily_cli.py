"""``termcoach daily list | preview | run-due`` on a real database file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storage import subscriptions as store
from storage.db import Database
from termcoach.cli import app
from tests.daily_support import subscribe


@pytest.fixture
def seeded(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    async def seed() -> None:
        db = Database(db_url)
        try:
            sub = await subscribe(db, "C42", platform="slack", workspace="T1", tz="Europe/Berlin")
            off = await subscribe(db, "C43", platform="slack", workspace="T1")
            yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
            async with db.session() as session:
                await store.deactivate(session, off.id, "channel_not_found", datetime.now(UTC))
                claim = await store.claim(
                    session,
                    sub_id=sub.id,
                    day=yesterday,
                    sequence=0,
                    term_id="psi",
                    worker="w",
                    now=datetime.now(UTC),
                    lease_until=datetime.now(UTC),
                )
                assert claim is not None
                await store.mark_sent(session, claim.delivery_id, datetime.now(UTC))
        finally:
            await db.dispose()

    asyncio.run(seed())
    monkeypatch.setenv("TERMCOACH_DATABASE_URL", db_url)
    for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "250")  # rich would wrap the table at 80 columns
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    return db_url


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["daily", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_list_shows_schedule_status_next_and_last(seeded: str) -> None:
    code, out = run("list")
    assert code == 0, out
    assert "2 daily-term subscriptions" in out
    assert "09:00 Europe/Berlin, every day" in out
    assert "off: channel_not_found" in out
    assert "sent psi" in out


def test_preview_by_date_and_bad_date(seeded: str) -> None:
    code, out = run("preview", "--date", "2030-01-07")
    assert code == 0, out
    assert "2030-01-07" in out and "planned" in out
    code, out = run("preview", "--date", "next monday")
    assert code == 1 and "--date must look like 2026-01-05" in out


def test_run_due_without_a_platform_says_what_to_set(seeded: str) -> None:
    code, out = run("run-due")
    assert code == 1
    assert "set TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN" in out
