"""What a failed Slack call means: for the daily broadcaster (`classify_error`) and in the log.

A Web API error code becomes a `SendResult` (retry later, gone for good, or failed) and, for the
errors an operator can act on, one log line that says what to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.messages import SendResult

log = logging.getLogger("termcoach.slack")

# A send that fails with one of these stops for good (the broadcaster deactivates the chat).
GONE_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "account_inactive",
        "is_archived",
        "token_revoked",
        "team_not_found",
        "user_not_found",
    }
)
# Slack's own failures: worth trying again later.
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
# The token does not work: every other call of the turn would fail the same way.
AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})

_EXPLAIN = {
    "invalid_auth": (
        "Slack rejected the bot token of workspace {team} (invalid_auth): the app was removed or "
        "the token is wrong. Reinstall termcoach (/slack/install) or fix SLACK_BOT_TOKEN."
    ),
    "not_authed": "no Slack bot token for workspace {team} (not_authed): install termcoach there.",
    "token_revoked": (
        "the bot token of workspace {team} was revoked (token_revoked): reinstall termcoach."
    ),
    "account_inactive": (
        "termcoach's bot user in workspace {team} is deactivated (account_inactive)."
    ),
    "channel_not_found": (
        "Slack channel {channel} in workspace {team} was not found (channel_not_found): it was "
        "deleted, or it is private and termcoach is not in it."
    ),
    "not_in_channel": (
        "termcoach is not a member of channel {channel} in workspace {team} (not_in_channel): "
        "invite it with /invite @termcoach."
    ),
    "is_archived": "Slack channel {channel} in workspace {team} is archived (is_archived).",
    "ratelimited": (
        "Slack kept rate-limiting {method} in workspace {team} after retries; retry after "
        "{retry_after}s."
    ),
}


def classify_error(exc: BaseException) -> SendResult:
    """What a failed Slack call means: retry later, gone for good, or failed."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        error = str(response.get("error") or "unknown_error")
        if response.status_code == 429 or error == "ratelimited":
            return SendResult(
                "retry", reason="ratelimited", retry_after=retry_after(response.headers)
            )
        if response.status_code >= 500 or error in TRANSIENT_ERRORS:
            # Slack's own trouble: the same call may well work in a moment.
            return SendResult("retry", reason=f"{error} (HTTP {response.status_code})")
        if error in GONE_ERRORS:
            return SendResult("gone", reason=error)
        return SendResult("failed", reason=error)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return SendResult("retry", reason=f"network: {type(exc).__name__}")
    return SendResult("failed", reason=type(exc).__name__)


def retry_after(headers: Mapping[str, Any] | None) -> float:
    """Seconds from a ``Retry-After`` header (1 when it is missing or unreadable)."""
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                break
    return 1.0


def error_code(exc: SlackApiError) -> str:
    """The Web API's error code of a failed call."""
    return str(exc.response.get("error") or "unknown_error")


def method_of(exc: SlackApiError) -> str:
    """The Web API method a failed call was for (``chat`` when the URL does not say)."""
    return str(getattr(exc.response, "api_url", "")).rsplit("/", 1)[-1] or "chat"


def log_error(exc: SlackApiError, *, team: str, channel: str, method: str) -> None:
    """Log a failed call: what to do about it where we know, else the bare error code."""
    error = error_code(exc)
    template = _EXPLAIN.get(error)
    if template is None:
        log.warning("Slack: %s failed in workspace %s: %s", method, team, error)
        return
    message = template.format(
        team=team, channel=channel, method=method, retry_after=retry_after(exc.response.headers)
    )
    level = logging.ERROR if error in AUTH_ERRORS else logging.WARNING
    log.log(level, "Slack: %s", message)


class SlackConfigError(ValueError):
    """The Slack settings cannot work together; the message says what to set."""


def check_settings(
    *,
    oauth: bool,
    bot_token: str | None,
    socket_mode: bool,
    signing_secret: str,
    secret_key: str | None,
) -> None:
    """Raise `SlackConfigError` for settings that cannot work together."""
    if not oauth and not bot_token:
        raise SlackConfigError(
            "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (the OAuth install flow for several workspaces)."
        )
    if not socket_mode and not signing_secret:
        raise SlackConfigError(
            "Slack HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > App "
            "Credentials), or set SLACK_APP_TOKEN to use Socket Mode."
        )
    if oauth and not secret_key:
        raise SlackConfigError(
            "Slack OAuth stores bot tokens encrypted: set TERMCOACH_SECRET_KEY (for example the "
            "output of `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        )
