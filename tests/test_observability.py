"""JSON logs without secrets or message text, Prometheus metrics, health and readiness routes."""

from __future__ import annotations

import io
import json
import logging

import httpx

from bot import observe
from bot.engine import DialogueEngine
from storage.db import Database
from termcoach.http import build_app
from termcoach.logs import JsonFormatter, RedactFilter, redact
from termcoach.metrics import Metrics
from tests.aiosqlite_threads import settle_aiosqlite_threads
from tests.chatflow import Chat


def test_redact_removes_bot_and_slack_tokens() -> None:
    text = "GET https://api.telegram.org/bot123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678/getMe xoxb-1-2-abc"
    clean = redact(text)
    assert "ABCdef" not in clean
    assert "xoxb-" not in clean


async def test_json_log_lines_carry_fields_but_not_text(engine: DialogueEngine) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("bot.engine")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        await Chat(engine).send("/term my secret words psi")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    turn = next(line for line in lines if line["message"].startswith("turn"))
    assert turn["platform"] == "test"
    assert turn["conversation"].startswith("test:")
    assert turn["request_id"]
    assert "secret words" not in stream.getvalue()


async def test_metrics_count_turns_and_serve_prometheus_text(
    engine: DialogueEngine, db: Database
) -> None:
    metrics = Metrics()
    metrics.install()
    try:
        await Chat(engine).send("/help")
        observe.delivery("telegram", "sent")
        observe.platform_error("slack", "rate_limited")
        observe.scheduler_lag(1.5)
        app = build_app([], db, extra_routes=[metrics.route()])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = (await client.get("/metrics")).text
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["checks"]["database"] is True
    finally:
        observe.OBSERVERS.turn.clear()
        observe.OBSERVERS.delivery.clear()
        observe.OBSERVERS.platform_error.clear()
        observe.OBSERVERS.scheduler_lag.clear()
    assert 'termcoach_turns_total{outcome="ok",platform="test"} 1.0' in body
    assert "termcoach_turn_seconds_bucket" in body
    assert 'termcoach_deliveries_total{platform="telegram",status="sent"} 1.0' in body
    assert 'termcoach_platform_errors_total{kind="rate_limited",platform="slack"} 1.0' in body
    assert "termcoach_scheduler_lag_seconds 1.5" in body


async def test_readyz_fails_when_the_database_is_down(tmp_path) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path}/nope/x.db")
    app = build_app([], broken)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    await broken.dispose()
    await settle_aiosqlite_threads()
