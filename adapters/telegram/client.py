"""The python-telegram-bot application as termcoach runs it: Bot API URL, rate limiter, updates.

Also used by the benchmark's bare PTB baseline, so both run with the same settings.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, CallbackContext, ExtBot

# Updates handled at once. SQLite makes concurrent writers wait in its busy handler, so past a
# few the tail latency explodes (bench/telegram_throughput.py: p99 0.13 s at 4, 0.85 s at 8, 3.5 s at 64);
# PostgreSQL takes many.
CONCURRENT_UPDATES = 64
SQLITE_CONCURRENT_UPDATES = 4

_Data: TypeAlias = dict[Any, Any]
# The PTB application as `build_application` makes it: default context, no job queue (the
# bot's rate limiter arguments are PTB's business).
TelegramApplication: TypeAlias = Application[
    ExtBot[Any], CallbackContext[ExtBot[Any], _Data, _Data, _Data], _Data, _Data, _Data, None
]


def normalize_base_url(url: str) -> str:
    """The Bot API base URL as PTB wants it (ending in ``/bot``, the token is appended).

    ``http://localhost:8081`` and ``http://localhost:8081/bot/`` both give
    ``http://localhost:8081/bot``, so a self-hosted server can be given either way.
    """
    url = url.strip().rstrip("/")
    return url if url.endswith("/bot") else f"{url}/bot"


def build_application(
    token: str,
    base_url: str = "https://api.telegram.org/bot",
    *,
    webhook: bool = False,
    rate_limiter: AIORateLimiter | None = None,
    concurrent_updates: int = CONCURRENT_UPDATES,
    poll_timeout: float = 10.0,
    timeout_s: float | None = None,
) -> TelegramApplication:
    """The PTB application as termcoach runs it (also used for the benchmark's bare baseline).

    `AIORateLimiter` keeps within Telegram's flood limits and retries a 429 after ``retry_after``;
    updates are handled concurrently, each conversation in turn (the engine's lock).
    """
    limiter = rate_limiter if rate_limiter is not None else AIORateLimiter(max_retries=3)
    api_base = normalize_base_url(base_url)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(api_base)
        .base_file_url(api_base[: -len("/bot")] + "/file/bot")
        .rate_limiter(limiter)
        .concurrent_updates(concurrent_updates)
        .job_queue(None)
        .get_updates_read_timeout(poll_timeout + 5.0)
    )
    if timeout_s is not None:
        # One Bot API call waits at most this long: a hung Telegram fails the call, and the
        # outbox tries again later, instead of holding a conversation's replies.
        builder = (
            builder.connect_timeout(timeout_s).read_timeout(timeout_s).write_timeout(timeout_s)
        )
    if webhook:
        builder = builder.updater(None)
    return builder.build()
