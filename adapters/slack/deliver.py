"""Delivery: the replies of one turn (or a daily post) shown in Slack, and what happened.

`SlackSender.deliver(target, token, replies)` posts each reply where `target` says (a DM or thread
post, an ephemeral message, a response URL), replaces the question a result answers, uploads a
chart where a file may go, and reports a `SendResult`. It owns the Web API clients (one per bot
token, sharing one HTTP session) and their retry policy.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import replace
from typing import Any

import aiohttp
from cachetools import LRUCache
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.errors import AUTH_ERRORS, classify_error, error_code, log_error, method_of
from adapters.slack.inbound import Pressed, Target
from adapters.slack.questions import QuestionPlace, QuestionPlaces
from adapters.slack.render import (
    MENTION_COMMAND,
    SLASH_COMMAND,
    answered,
    render,
    slack_commands,
)
from bot.messages import Reply, SendResult

log = logging.getLogger("termcoach.slack")

RATE_LIMIT_RETRIES = 3
# Slack accepts five messages per response URL; the last one is left for a late error notice.
RESPONSE_URL_USES = 5
# Web API clients by bot token: one per workspace that is active now, the rest rebuilt on demand.
CLIENTS_KEPT = 256
HTTP_TIMEOUT_SECONDS = 30


class _Delivery:
    """The replies of one turn on their way out: counts response-URL uses, collects ids."""

    def __init__(self, target: Target, token: str) -> None:
        self.target = target
        self.token = token
        self.response_url_uses = 0
        self.message_ids: list[str] = []
        # Set once a public post was refused and answered privately: the rest follows it.
        self.private_fallback = False

    def may_respond(self) -> bool:
        """True while the target's response URL can take one more message; counts it."""
        if not self.target.response_url or self.response_url_uses >= RESPONSE_URL_USES - 1:
            return False
        self.response_url_uses += 1
        return True


class SlackSender:
    """Sends replies to Slack with the Web API and response URLs; one per adapter."""

    def __init__(
        self,
        api_url: str,
        places: QuestionPlaces,
        commands: Collection[str],
        *,
        logger: logging.Logger,
        rate_limit_retries: int = RATE_LIMIT_RETRIES,
        timeout_s: float = HTTP_TIMEOUT_SECONDS,
    ) -> None:
        """Send to `api_url`; `commands` are the engine's words rewritten as the slash command."""
        self.api_url = api_url
        self.places = places
        self.commands = frozenset(commands)
        self.session: aiohttp.ClientSession | None = None
        self._sdk_log = logger
        self._rate_limit_retries = rate_limit_retries
        self.timeout_s = timeout_s
        self._clients: LRUCache[str, AsyncWebClient] = LRUCache(maxsize=CLIENTS_KEPT)

    # ---- HTTP session and clients ---------------------------------------------------------

    def retry_handlers(self) -> list[AsyncRetryHandler]:
        """429: wait ``Retry-After`` and try again (slack_sdk's handler); a reset: once more."""
        return [
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=self._rate_limit_retries),
        ]

    def open(self) -> aiohttp.ClientSession:
        """The shared HTTP session, opened if needed (clients built before it are dropped)."""
        if self.session is None or self.session.closed:
            timeout = aiohttp.ClientTimeout(total=self.timeout_s)
            self.session = aiohttp.ClientSession(timeout=timeout)
            self._clients.clear()
        return self.session

    async def close(self) -> None:
        """Close the HTTP session and forget the clients (safe to call twice)."""
        if self.session is not None:
            await self.session.close()
            self.session = None
        self._clients.clear()

    def client(self, token: str) -> AsyncWebClient:
        """The Web API client for one bot token."""
        client = self._clients.get(token)
        if client is None:
            client = AsyncWebClient(
                token=token,
                base_url=self.api_url,
                session=self.session,
                logger=self._sdk_log,
                retry_handlers=self.retry_handlers(),
            )
            self._clients[token] = client
        return client

    # ---- one turn's replies ---------------------------------------------------------------

    async def deliver(
        self,
        target: Target,
        token: str,
        replies: Sequence[Reply],
        *,
        progress: Callable[[int], Awaitable[None]] | None = None,
    ) -> SendResult:
        """Show the replies of one turn; stop at the first error that makes the rest pointless.

        `progress(n)` is awaited after each reply with how many are done (the outbox's record).
        """
        delivery = _Delivery(target, token)
        failure: SendResult | None = None
        how = MENTION_COMMAND if target.in_channel_thread else SLASH_COMMAND
        for count, original in enumerate(replies, 1):
            reply = replace(
                original,
                text=slack_commands(original.text, self.commands, how),
                instructions=slack_commands(original.instructions, self.commands, how),
            )
            try:
                await self._show(delivery, reply)
            except SlackApiError as exc:
                failure = classify_error(exc)
                log_error(exc, team=target.team, channel=target.channel, method=method_of(exc))
                if failure.status != "failed" or failure.reason in AUTH_ERRORS:
                    return failure  # gone, rate-limited or unauthorized: the rest would fail too
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                log.warning("Slack: network error while sending to %s: %s", target.channel, exc)
                return classify_error(exc)
            if progress is not None:
                await progress(count)
        if failure is not None:
            return failure  # one reply was refused (say invalid_blocks); the others went out
        return SendResult("sent", message_ids=tuple(delivery.message_ids))

    async def _show(self, delivery: _Delivery, reply: Reply) -> None:
        target = delivery.target
        if reply.edits is not None:
            # A shared channel post rewritten in place (its counts), buttons included; if it
            # is gone, nothing new is posted in its stead.
            await self._update(delivery, target.channel, reply.edits, render(reply))
            return
        if reply.replaces and await self._replace(delivery, reply):
            return
        if reply.retires:
            await self._retire(delivery, reply.retires)
        private = (
            target.ephemeral or delivery.private_fallback or (reply.private and not target.is_dm)
        )
        if reply.image is not None and private:
            # A file cannot go with a message only one person sees.
            reply = replace(
                reply,
                text=f"{reply.text}\n\nI can send the chart picture only in a direct "
                "message with me: type stats chart there.",
            )
        message = render(reply, thread=target.thread_ts, person=target.user)
        ts = None
        if private:
            await self._post_ephemeral(delivery, message)
        else:
            ts = await self._post_public(delivery, message)
        question = reply.question_id or (
            reply.native_quiz.question_id if reply.native_quiz else None
        )
        if question:
            place = QuestionPlace(target.channel, ts, ts is None, tuple(message["blocks"]))
            await self.places.remember(target.team, question, place)
        if reply.image is not None and ts is not None:
            await self._upload(delivery, reply)

    async def _retire(self, delivery: _Delivery, message_key: str) -> None:
        """Remove the buttons of an earlier message the engine says are stale (an old Finish).

        Only a message with a ts can change; an ephemeral one keeps its button, which then
        answers that it is from an earlier message.
        """
        known = await self.places.find(delivery.target.team, message_key)
        if known is None or not known.ts or known.ephemeral:
            return
        blocks = [b for b in known.blocks if b.get("type") != "actions"]
        if len(blocks) == len(known.blocks):
            return
        shown = [str(b["text"].get("text", "")) for b in blocks if isinstance(b.get("text"), dict)]
        text = " ".join(shown)[:3000] or "termcoach"
        await self._update(delivery, known.channel, known.ts, {"text": text, "blocks": blocks})

    async def _post_public(self, delivery: _Delivery, message: dict[str, Any]) -> str | None:
        target = delivery.target
        try:
            response = await self.client(delivery.token).chat_postMessage(
                channel=target.channel, thread_ts=target.thread_ts, **message
            )
        except SlackApiError as exc:
            # A slash command where the bot cannot post (a DM between two people, a channel it
            # is not in) still has its response URL: answer privately there instead.
            if error_code(exc) in {"channel_not_found", "not_in_channel"} and target.response_url:
                log_error(exc, team=target.team, channel=target.channel, method="chat.postMessage")
                delivery.private_fallback = True
                await self._post_ephemeral(delivery, message)
                return None
            raise
        ts = str(response.get("ts") or "")
        if ts:
            delivery.message_ids.append(ts)
        return ts or None

    async def _post_ephemeral(self, delivery: _Delivery, message: dict[str, Any]) -> None:
        target = delivery.target
        if delivery.may_respond() and await self._respond(
            target.response_url or "", message, replace_original=False
        ):
            return
        await self.client(delivery.token).chat_postEphemeral(
            channel=target.channel, user=target.user, thread_ts=target.thread_ts, **message
        )

    async def _respond(self, url: str, message: dict[str, Any], *, replace_original: bool) -> bool:
        webhook = AsyncWebhookClient(
            url,
            session=self.session,
            logger=self._sdk_log,
            retry_handlers=self.retry_handlers(),
        )
        response = await webhook.send(
            text=message["text"],
            blocks=message["blocks"],
            response_type="ephemeral",
            replace_original=replace_original,
        )
        if response.status_code != 200:
            log.warning(
                "Slack: the response URL refused a message (HTTP %s: %s)",
                response.status_code,
                (response.body or "")[:200],
            )
            return False
        return True

    # ---- a result in place of its question ------------------------------------------------

    async def _replace(self, delivery: _Delivery, reply: Reply) -> bool:
        """Show `reply` in place of the question it answers; False when it must be posted."""
        question = reply.replaces or ""
        target = delivery.target
        pressed = target.pressed
        if pressed is not None and pressed.question_id == question:
            return await self._replace_pressed(delivery, pressed, reply)
        # A typed answer: the question is found where it was recorded when it was shown.
        known = await self.places.find(target.team, question)
        if known is None or not known.ts or known.ephemeral or known.channel != target.channel:
            return False
        return await self._update(
            delivery, known.channel, known.ts, answered(known.blocks, reply, delivery.target.user)
        )

    async def _replace_pressed(self, delivery: _Delivery, pressed: Pressed, reply: Reply) -> bool:
        if pressed.ephemeral:
            if not delivery.may_respond():
                return False
            message = answered(
                await self._question_blocks(delivery, pressed), reply, delivery.target.user
            )
            url = delivery.target.response_url or ""
            return await self._respond(url, message, replace_original=True)
        if pressed.shared or not pressed.ts:
            return False  # everyone sees that post: the presser's result goes to them alone
        message = answered(
            await self._question_blocks(delivery, pressed), reply, delivery.target.user
        )
        return await self._update(delivery, pressed.channel, pressed.ts, message)

    async def _question_blocks(
        self, delivery: _Delivery, pressed: Pressed
    ) -> Sequence[dict[str, Any]]:
        # A press on an ephemeral message does not carry the message: use the recorded copy.
        if pressed.blocks or not pressed.question_id:
            return pressed.blocks
        known = await self.places.find(delivery.target.team, pressed.question_id)
        return known.blocks if known is not None else ()

    async def _update(
        self, delivery: _Delivery, channel: str, ts: str, message: dict[str, Any]
    ) -> bool:
        try:
            await self.client(delivery.token).chat_update(channel=channel, ts=ts, **message)
        except SlackApiError as exc:
            if error_code(exc) in AUTH_ERRORS | {"ratelimited"}:
                raise
            log.info(
                "Slack: could not update message %s in %s (%s); posting the result instead",
                ts,
                channel,
                error_code(exc),
            )
            return False
        return True

    async def _upload(self, delivery: _Delivery, reply: Reply) -> None:
        image = reply.image
        if image is None:
            return
        target = delivery.target
        try:
            await self.client(delivery.token).files_upload_v2(
                channel=target.channel,
                thread_ts=target.thread_ts,
                file=image.png,
                filename=image.filename,
                title=image.caption or image.filename,
            )
        except SlackApiError as exc:
            # The text went out already; a missing picture is not worth failing the turn for.
            log_error(exc, team=target.team, channel=target.channel, method="files.upload")
