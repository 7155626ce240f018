"""Sending replies to Telegram: Bot API calls, edits in place, retries, and what a failure means.

`TelegramSender.deliver` sends one turn's replies (or a daily post) to a chat and says what
happened in a `SendResult`: ``sent``; ``retry`` (rate limited after PTB's own retries, with
``retry_after``, or a network failure after our backoff); ``blocked`` (Forbidden) or ``gone``
(chat not found), both recorded as the chat's status; ``failed`` (a request Telegram refused).
A migrated group is sent to its new id, reported in ``new_chat``. A result replaces the message
of the question it answers when it can; the records that needs (sent questions, polls, long
payloads) are saved through `TelegramState` when the delivery ends.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from adapters.telegram.handoff import StartLinks, handoff_markup
from adapters.telegram.inbound import PollInfo
from adapters.telegram.limits import CALLBACK_DATA_LIMIT
from adapters.telegram.render import (
    SHARED_PREFIX,
    callback_data_for,
    poll_payloads,
    render,
    replacement_text,
    shared_data,
    without_instructions,
)
from adapters.telegram.state import Changes, ChatStatuses, SentQuestion, TelegramState
from bot.messages import ConversationRef, Reply, SendResult

log = logging.getLogger(__name__)

T = TypeVar("T")
# Telegram's words for a chat that does not exist (any more) or that we may never write to.
GONE_MARKERS = ("chat not found", "user not found", "peer_id_invalid", "chat_id_invalid")
# A user who never started the bot: not a block, and not to be recorded as one.
NEVER_STARTED = "can't initiate conversation"
# Term links in cards would otherwise unfurl into large previews.
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Refusals: retrying the same request cannot help, so they go straight to the caller.
_REFUSALS = (BadRequest, Forbidden, ChatMigrated, RetryAfter, InvalidToken)


class _Stop(Exception):
    """A send failed for good (blocked, gone) or for now (rate limit, network)."""

    def __init__(self, result: SendResult) -> None:
        super().__init__(result.reason)
        self.result = result


def failure_reason(exc: TelegramError) -> str:
    """Telegram's description of a failure, cut to fit a status row."""
    return str(exc.message if hasattr(exc, "message") else exc)[:300]


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asked for, in seconds."""
    # PTB 22.2+ warns when `retry_after` is read as an int; accept both forms quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """Sends rendered replies with one Bot; turns platform failures into `SendResult`s."""

    def __init__(
        self,
        bot: Bot,
        state: TelegramState,
        statuses: ChatStatuses,
        links: StartLinks | None = None,
        *,
        network_retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        """Send with `bot`, keeping records in `state` and chat status in `statuses`.

        `links` makes the deep links of work that moves to a private chat.
        """
        self.bot = bot
        self.state = state
        self.statuses = statuses
        self.links = links or StartLinks(state)
        self.network_retries = network_retries
        self.backoff_s = backoff_s
        self._rng = random.Random()

    async def deliver(
        self,
        ref: ConversationRef,
        replies: Sequence[Reply],
        *,
        pressed: Message | None = None,
        progress: Callable[[int], Awaitable[None]] | None = None,
        shared_press: bool = False,
        reply_to: int | None = None,
    ) -> SendResult:
        """Send `replies` to the conversation; `pressed` is the message whose button was pressed.

        A private reply goes to the learner's own chat when the bot may write there (else it is
        dropped) and, if that fails, never stops the group's replies. A pressed keyboard is
        removed when no result replaced its message, unless it is a shared post's
        (`shared_press`), whose buttons are everyone's, or every reply was private (the pressed
        message is the group's). A group's handoff line answers `reply_to`, the command it came
        from. `progress(n)` is awaited after each reply with how many are out.
        """
        status = await self.statuses.get(ref.chat)
        chat = status.migrated_to or ref.chat
        if chat != ref.chat:
            status = await self.statuses.get(chat)
        if not status.active:
            return SendResult("blocked", reason=status.reason or "inactive")
        changes = Changes()
        keep = pressed is None or shared_press
        try:
            return await self._send_all(
                chat,
                ref,
                replies,
                pressed,
                changes,
                progress,
                strip_pressed=not keep,
                reply_to=reply_to,
            )
        finally:
            await self.state.save(changes)

    async def _send_all(
        self,
        chat: str,
        ref: ConversationRef,
        replies: Sequence[Reply],
        pressed: Message | None,
        changes: Changes,
        progress: Callable[[int], Awaitable[None]] | None = None,
        *,
        strip_pressed: bool = True,
        reply_to: int | None = None,
    ) -> SendResult:
        ids: list[str] = []
        new_chat: str | None = chat if chat != ref.chat else None
        edited = False
        try:
            for count, reply in enumerate(replies, 1):
                try:
                    edited |= await self._send_reply(
                        chat, ref, reply, pressed, ids, changes, reply_to
                    )
                except ChatMigrated as exc:
                    new = str(exc.new_chat_id)
                    await self.statuses.migrate(chat, new)
                    chat = new_chat = new
                    edited |= await self._send_reply(
                        chat, ref, reply, pressed, ids, changes, reply_to
                    )
                except _Stop as stop:
                    if not (reply.private and ref.user != chat):
                        raise
                    # A private note to someone who never opened a DM with the bot: the
                    # group's own replies still go out.
                    log.info("private telegram reply not delivered: %s", stop.result.reason)
                if progress is not None:
                    await progress(count)
            if (
                strip_pressed
                and pressed is not None
                and not edited
                and pressed.reply_markup is not None
                and any(not r.private for r in replies)
            ):
                # The pressed keyboard must not be answerable twice, even if nothing replaced it.
                await self._strip_keyboard(pressed)
        except _Stop as stop:
            return dataclasses.replace(stop.result, message_ids=tuple(ids), new_chat=new_chat)
        return SendResult("sent", message_ids=tuple(ids), new_chat=new_chat)

    async def _send_reply(
        self,
        chat: str,
        ref: ConversationRef,
        reply: Reply,
        pressed: Message | None,
        ids: list[str],
        changes: Changes,
        reply_to: int | None = None,
    ) -> bool:
        """Send (or edit into place) one reply; True when it replaced the pressed message."""
        if reply.handoff is not None and chat != ref.user:
            await self._send_handoff(chat, ref, reply, ids, reply_to)
            return False
        target_chat = ref.user if reply.private and chat != ref.user else chat
        if target_chat != chat and not await self.statuses.reachable(target_chat):
            # Someone who never started the bot: Telegram would refuse, so nothing is sent.
            log.info("private telegram reply dropped: user %s never opened a chat", target_chat)
            return False
        thread = int(ref.thread) if ref.thread and target_chat == chat else None
        if reply.retires:
            await self._retire(reply.retires, target_chat, changes)

        def data_for(payload: str) -> str:
            limit = CALLBACK_DATA_LIMIT - len(SHARED_PREFIX) if reply.shared else None
            data = callback_data_for(payload, limit) if limit else callback_data_for(payload)
            if data != payload:
                self.state.remember_payload(changes, data, payload)
            return shared_data(data) if reply.shared else data

        calls = render(reply, data_for)
        if reply.edits is not None:
            # A shared post rewritten in place (its counts): never a new message.
            if calls and "text" in calls[-1]:
                await self._edit_post(target_chat, reply.edits, calls[-1])
            return pressed is not None and str(pressed.message_id) == reply.edits
        replaced = False
        if reply.replaces and calls and "text" in calls[0]:
            target = await self._replace_target(reply.replaces, pressed, target_chat)
            if (
                target is None
                and reply.native_text is not None
                and await self._answered_in_poll(reply.replaces, target_chat)
            ):
                # The poll showed right or wrong and the explanation itself.
                if not reply.native_text.strip():
                    return False
                calls = render(dataclasses.replace(reply, text=reply.native_text), data_for)
            first = calls[0]
            if target is not None and await self._edit(
                target, replacement_text(target.html, str(first["text"])), first.get("reply_markup")
            ):
                ids.append(str(target.message_id))
                calls = calls[1:]
                replaced = pressed is not None and target.message_id == pressed.message_id
                self.state.forget_question(changes, reply.replaces)
        for call in calls:
            message = await self._call_api(target_chat, thread, call)
            ids.append(str(message.message_id))
            if reply.question_id and call is calls[-1]:
                self._remember_question(reply, call, message, target_chat, ref, changes)
        return replaced

    async def _send_handoff(
        self, chat: str, ref: ConversationRef, reply: Reply, ids: list[str], reply_to: int | None
    ) -> None:
        """A group's line for work that moved to the learner's private chat, with its link."""
        assert reply.handoff is not None
        token = None if reply.handoff.dm is not None else await self.links.token(reply.handoff)
        call = render(dataclasses.replace(reply, choices=()))[0]
        call["reply_markup"] = handoff_markup(self.bot.username, reply.handoff, token)
        if reply_to is not None:
            call["reply_parameters"] = ReplyParameters(reply_to, allow_sending_without_reply=True)
        thread = int(ref.thread) if ref.thread else None
        message = await self._call_api(chat, thread, call)
        ids.append(str(message.message_id))

    async def _answered_in_poll(self, question_id: str, chat: str) -> bool:
        known = await self.state.question(question_id)
        return known is not None and known.is_poll and str(known.chat_id) == chat

    async def _edit_post(self, chat: str, message_id: str, call: dict[str, Any]) -> None:
        try:
            await self.with_retries(
                self.bot.edit_message_text,
                chat_id=int(chat),
                message_id=int(message_id),
                text=str(call["text"]),
                parse_mode="HTML",
                reply_markup=call.get("reply_markup"),
                link_preview_options=_NO_PREVIEW,
            )
        except (TelegramError, ValueError) as exc:
            # A deleted post or unchanged counts: the post stays as it is, nothing is lost.
            log.debug("shared post %s not edited: %s", message_id, exc)

    async def _replace_target(
        self, question_id: str, pressed: Message | None, chat: str
    ) -> SentQuestion | None:
        known = await self.state.question(question_id)
        if known is not None and str(known.chat_id) == chat and not known.is_poll:
            return known
        # The question's record is gone (expired): the pressed message is the question.
        if (
            pressed is not None
            and str(pressed.chat.id) == chat
            and pressed.text is not None
            and (known is None or known.message_id == pressed.message_id)
        ):
            return SentQuestion(
                chat_id=pressed.chat.id,
                message_id=pressed.message_id,
                html=pressed.text_html,
                is_poll=False,
            )
        return None

    def _remember_question(
        self,
        reply: Reply,
        call: dict[str, Any],
        message: Message,
        chat: str,
        ref: ConversationRef,
        changes: Changes,
    ) -> None:
        assert reply.question_id is not None
        payloads = poll_payloads(reply)
        if "question" in call and message.poll is not None and payloads is not None:
            info = PollInfo(
                chat=chat,
                thread=ref.thread,
                message_id=message.message_id,
                payloads=payloads,
                is_group=int(chat) < 0,
                option_ids=tuple(o.persistent_id or "" for o in message.poll.options),
            )
            self.state.remember_poll(changes, message.poll.id, info)
            sent = SentQuestion(message.chat.id, message.message_id, html="", is_poll=True)
        else:
            # Kept without "Press a button…": the result is edited in under the question.
            bare = dataclasses.replace(reply, text=without_instructions(reply))
            texts = [c["text"] for c in render(bare) if "text" in c]
            html = texts[-1] if texts and reply.instructions else call.get("text", "")
            sent = SentQuestion(message.chat.id, message.message_id, html=html, is_poll=False)
        self.state.remember_question(changes, reply.question_id, sent)

    async def _edit(self, target: SentQuestion, text: str, markup: Any) -> bool:
        try:
            await self.with_retries(
                self.bot.edit_message_text,
                chat_id=target.chat_id,
                message_id=target.message_id,
                text=text,
                parse_mode="HTML",
                reply_markup=markup,
            )
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True
            # The message is gone or not editable: the result goes out as a new message.
            log.debug("edit failed, sending instead: %s", exc)
            return False
        except (Forbidden, ChatMigrated, RetryAfter, NetworkError):
            return False
        return True

    async def _retire(self, message_key: str, chat: str, changes: Changes) -> None:
        """Remove the buttons of an earlier message the engine says are stale (an old Finish)."""
        known = await self.state.question(message_key)
        if known is None or str(known.chat_id) != chat or known.is_poll:
            return
        try:
            await self.with_retries(
                self.bot.edit_message_reply_markup,
                chat_id=int(chat),
                message_id=known.message_id,
                reply_markup=None,
            )
        except TelegramError as exc:
            # Already gone or already without buttons: nothing is stale any more.
            log.debug("could not remove stale buttons of %s: %s", message_key, exc)
        self.state.forget_question(changes, message_key)

    async def _strip_keyboard(self, message: Message) -> None:
        try:
            await self.with_retries(
                self.bot.edit_message_reply_markup,
                chat_id=message.chat.id,
                message_id=message.message_id,
                reply_markup=None,
            )
        except TelegramError as exc:
            log.debug("could not remove the pressed keyboard: %s", exc)

    async def _call_api(self, chat: str, thread: int | None, call: dict[str, Any]) -> Message:
        common: dict[str, Any] = {"chat_id": int(chat)}
        if thread is not None:
            common["message_thread_id"] = thread
        try:
            if "question" in call:
                return await self.with_retries(self.bot.send_poll, **common, **call)
            if "photo" in call:
                return await self.with_retries(self.bot.send_photo, **common, **call)
            return await self.with_retries(
                self.bot.send_message, **common, link_preview_options=_NO_PREVIEW, **call
            )
        except RetryAfter as exc:
            # PTB's AIORateLimiter already waited and retried; the caller decides what next.
            seconds = retry_after_seconds(exc)
            raise _Stop(SendResult("retry", reason="rate limited", retry_after=seconds)) from exc
        except Forbidden as exc:
            if NEVER_STARTED not in str(exc).lower():
                await self.statuses.set(chat, active=False, reason=failure_reason(exc))
            raise _Stop(SendResult("blocked", reason=failure_reason(exc))) from exc
        except InvalidToken as exc:
            raise _Stop(SendResult("failed", reason="invalid token")) from exc
        except BadRequest as exc:
            if any(marker in str(exc).lower() for marker in GONE_MARKERS):
                await self.statuses.set(chat, active=False, reason=failure_reason(exc))
                raise _Stop(SendResult("gone", reason=failure_reason(exc))) from exc
            log.warning("telegram refused a message to %s: %s", chat, exc)
            raise _Stop(SendResult("failed", reason=failure_reason(exc))) from exc
        except NetworkError as exc:
            raise _Stop(SendResult("retry", reason=f"network: {failure_reason(exc)}")) from exc

    async def with_retries(self, fn: Callable[..., Awaitable[T]], **kwargs: Any) -> T:
        """Call the Bot API, retrying network errors (not refusals) with jittered backoff."""
        for attempt in range(self.network_retries + 1):
            try:
                return await fn(**kwargs)
            except _REFUSALS:
                raise
            except NetworkError as exc:
                if attempt >= self.network_retries:
                    log.warning("telegram network error, giving up: %s", exc)
                    raise
                delay = self.backoff_s * (2**attempt) * (0.5 + self._rng.random())
                log.warning("telegram network error (%s), retry in %.2fs", exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
