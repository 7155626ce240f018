"""Each learner's DM with the bot: its channel id, from ``conversations.open``, kept in memory.

Multi-step work started in a channel (a quiz round, a role-play) goes on in the learner's DM,
and an App Home button runs there; only ``conversations.open`` tells a DM's channel id. It never
changes for a user and the bot, so it is asked once per process and user (a new replica asks
again: one cheap call).
"""

from __future__ import annotations

import logging

import aiohttp
from cachetools import LRUCache
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import log_error

log = logging.getLogger("termcoach.slack")

DMS_KEPT = 20_000


class DirectMessages:
    """DM channel ids by (workspace, user)."""

    def __init__(self) -> None:
        """An empty cache."""
        self._known: LRUCache[tuple[str, str], str] = LRUCache(maxsize=DMS_KEPT)

    async def channel(self, client: AsyncWebClient, team: str, user: str) -> str | None:
        """The DM channel of `user` with the bot, or None when Slack would not open one."""
        if not user:
            return None
        known = self._known.get((team, user))
        if known is not None:
            return known
        try:
            opened = await client.conversations_open(users=user)
        except SlackApiError as exc:
            log_error(exc, team=team, channel=user, method="conversations.open")
            return None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("Slack: could not open a DM with %s (%s)", user, type(exc).__name__)
            return None
        channel = str((opened.get("channel") or {}).get("id") or "")
        if channel:
            self._known[(team, user)] = channel
        return channel or None
