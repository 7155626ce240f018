"""The Telegram adapter: python-telegram-bot v22 as a thin translator to the dialogue engine.

`TelegramAdapter` holds the PTB `Application` by composition and feeds one `TypeHandler` with
every update: `to_inbound` (in `adapters.telegram.inbound`) makes it an engine message, the
engine runs the turn (`adapters.turns.TurnRunner`, under the conversation's lock) and hands the
replies to `TelegramSender`, which renders and sends them. Long polling by default; webhook mode
when a webhook URL is configured, served by termcoach's own HTTP server through `routes()`.
No PTB ConversationHandler or persistence: conversation state is the engine's, and what the
adapter must remember across restarts and replicas is in the database (`state`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import logging
import re
from collections.abc import Sequence
from typing import Any

from cachetools import TTLCache
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import CallbackQuery, ChatMember, Message, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import ContextTypes, TypeHandler

from adapters.redact import RedactFilter
from adapters.telegram.client import (
    CONCURRENT_UPDATES,
    SQLITE_CONCURRENT_UPDATES,
    TelegramApplication,
    build_application,
)
from adapters.telegram.deliver import TelegramSender
from adapters.telegram.handoff import (
    PopUp,
    StartLinks,
    press_answer,
    private_chat,
    shown_as_pop_up,
)
from adapters.telegram.inbound import PLATFORM, to_inbound
from adapters.telegram.limits import PACING, QUIZ_LIMITS
from adapters.telegram.profile import register_profile
from adapters.telegram.render import LONG_PAYLOAD_PREFIX, toast, unshared
from adapters.telegram.state import ChatStatuses, TelegramState
from adapters.turns import Engine, TurnRunner
from bot.messages import ChoiceIn, CommandIn, ConversationRef, Inbound, Reply, SendResult
from bot.outgoing import Outgoing, Progress
from storage.db import Database

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query", "poll_answer", "my_chat_member")
MAX_WEBHOOK_BODY = 1024 * 1024
_SECRET_OK = re.compile(r"[A-Za-z0-9_-]{1,256}")
ADMIN_CACHE_S = 300.0
ADMIN_CACHE_SIZE = 2_000
START_RETRIES = 6
# How long stopping lets the outbox finish what it is sending (the rest is sent after a restart).
STOP_GRACE_SECONDS = 5.0


def webhook_secret_for(token: str) -> str:
    """A stable webhook secret derived from the token, so every replica checks the same one."""
    return hmac.new(token.encode(), b"termcoach-telegram-webhook", hashlib.sha256).hexdigest()


class TelegramAdapter:
    """Telegram through python-telegram-bot: polling or webhook, and proactive `send()`.

    Every update goes through `handle_update`: to_inbound -> engine turn -> render -> Bot API.
    Platform failures are turned into `SendResult`s and chat status rows; none stops the adapter.
    """

    platform = PLATFORM
    pacing = PACING

    def __init__(
        self,
        engine: Engine,
        db: Database | None,
        application: TelegramApplication,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: float = 10.0,
        network_retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        """Wrap a PTB application (`build_application`); `db` None keeps state in memory only.

        `network_retries` and `backoff_s` set how network errors are retried.
        """
        self.engine = engine
        engine.declare_quiz_limits(PLATFORM, QUIZ_LIMITS)
        self.db = db
        self.application = application
        self.webhook_url = webhook_url
        token = application.bot.token
        secret = webhook_secret or webhook_secret_for(token)
        if not _SECRET_OK.fullmatch(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and -")
        self.webhook_secret = secret
        self.poll_timeout = poll_timeout
        self.backoff_s = backoff_s
        self.bot_id: int | None = None
        self.bot_username: str | None = None
        self.turns = TurnRunner(engine, PLATFORM)
        self.state = TelegramState(db)
        self.statuses = ChatStatuses(db)
        self.links = StartLinks(self.state)
        self.sender = TelegramSender(
            application.bot,
            self.state,
            self.statuses,
            self.links,
            network_retries=network_retries,
            backoff_s=backoff_s,
        )
        self._ready = False
        self._started = False
        self._sending = False
        # The webhook secret appears in setWebhook's parameters, which PTB logs at DEBUG.
        self._redactor = RedactFilter(secrets=[token, secret])
        self._filtered: list[logging.Filterer] = []
        self._admins: TTLCache[tuple[int, int], bool] = TTLCache(ADMIN_CACHE_SIZE, ADMIN_CACHE_S)
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)

    @classmethod
    def create(
        cls,
        engine: Engine,
        db: Database | None,
        *,
        token: str,
        api_base_url: str = "https://api.telegram.org/bot",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        timeout_s: float | None = None,
    ) -> TelegramAdapter:
        """Build the adapter and its PTB application: token, API base URL, optional webhook."""
        sqlite = db is not None and db.dialect == "sqlite"
        application = build_application(
            token,
            api_base_url,
            webhook=bool(webhook_url),
            concurrent_updates=SQLITE_CONCURRENT_UPDATES if sqlite else CONCURRENT_UPDATES,
            timeout_s=timeout_s,
        )
        return cls(engine, db, application, webhook_url=webhook_url, webhook_secret=webhook_secret)

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def workspace(self) -> str:
        """The bot's id once logged in (``default`` before): the workspace of its conversations."""
        return self.state.workspace

    @workspace.setter
    def workspace(self, value: str) -> None:
        self.state.workspace = self.statuses.workspace = value

    @property
    def ready(self) -> bool:
        """True once started and receiving updates."""
        return self._ready

    @property
    def mode(self) -> str:
        """``webhook`` or ``polling``."""
        return "webhook" if self.webhook_url else "polling"

    async def start(self) -> None:
        """Log in (getMe), set the menus and profile, then start polling or register the webhook."""
        if self._started:
            return
        await self._log_in()
        self._started = True
        self.engine.outbox.register(self)
        app = self.application
        await register_profile(app.bot, self.engine)
        if self.webhook_url:
            if not self.webhook_url.rstrip("/").endswith(WEBHOOK_PATH):
                # A proxy may rewrite the path, so this is only a warning.
                log.warning("TELEGRAM_WEBHOOK_URL does not end with %s", WEBHOOK_PATH)
            await self.sender.with_retries(
                app.bot.set_webhook,
                url=self.webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            await app.start()
        else:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=int(self.poll_timeout),
                allowed_updates=list(ALLOWED_UPDATES),
                bootstrap_retries=-1,
                error_callback=self._on_polling_error,
            )
        self._ready = True
        log.info("telegram adapter started as @%s (%s)", self.bot_username, self.mode)

    async def stop(self) -> None:
        """Stop polling, let running turns finish, and close the HTTP client; safe to call twice.

        The webhook stays registered, so Telegram keeps updates for the next start.
        """
        self._ready = False
        if not self._started:
            self._remove_redaction()
            return
        self._started = False
        app = self.application
        try:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await self.engine.outbox.release(self, STOP_GRACE_SECONDS)
            await app.shutdown()
            await self.state.flush()
        except Exception:
            log.exception("telegram adapter did not stop cleanly")
        finally:
            self._remove_redaction()

    async def start_sending(self) -> None:
        """Log in for `send()` only: no polling and no webhook, so a running bot is undisturbed."""
        if self._sending or self._started:
            return
        await self._log_in()
        self._sending = True
        self.engine.outbox.register(self)

    async def stop_sending(self) -> None:
        """Undo `start_sending`; safe to call twice."""
        if not self._sending:
            return
        self._sending = False
        try:
            await self.engine.outbox.release(self, STOP_GRACE_SECONDS)
            await self.application.shutdown()
            await self.state.flush()
        finally:
            self._remove_redaction()

    async def _log_in(self) -> None:
        self._install_redaction()
        # getMe at start: a Telegram outage at boot is waited out; a bad token is not.
        for attempt in range(START_RETRIES + 1):
            try:
                await self.application.initialize()
                break
            except InvalidToken:
                self._remove_redaction()
                raise
            except NetworkError as exc:
                if attempt >= START_RETRIES:
                    self._remove_redaction()
                    raise
                delay = min(30.0, self.backoff_s * 2**attempt)
                log.warning("telegram not reachable at start (%s), retry in %.1fs", exc, delay)
                await asyncio.sleep(delay)
        bot = self.application.bot
        self.bot_id = bot.id
        self.bot_username = bot.username
        self.workspace = str(bot.id)

    def _install_redaction(self) -> None:
        targets: list[logging.Filterer] = [
            logging.getLogger("httpx"),
            logging.getLogger("httpcore"),
        ]
        targets += list(logging.getLogger().handlers)
        for target in targets:
            target.addFilter(self._redactor)
            self._filtered.append(target)
        httpx_logger = logging.getLogger("httpx")
        if httpx_logger.level == logging.NOTSET:
            # One INFO line per long poll is noise; warnings and errors still show (redacted).
            httpx_logger.setLevel(logging.WARNING)

    def _remove_redaction(self) -> None:
        for target in self._filtered:
            target.removeFilter(self._redactor)
        self._filtered.clear()

    def routes(self) -> list[BaseRoute]:
        """The webhook route, in webhook mode; nothing in polling mode."""
        if not self.webhook_url:
            return []
        return [Route(WEBHOOK_PATH, self.webhook, methods=["POST"], name="telegram_webhook")]

    async def webhook(self, request: Request) -> Response:
        """Receive one update: 403 on a wrong or missing secret, else run its turn and answer 200.

        The body's size is checked before it is read, by the HTTP server's limit middleware
        (`termcoach.limits`), chunked or not. The answer leaves once the turn committed, with
        its replies in the outbox: the outbox sends and paces them, and a crash before the
        commit means no 200, so Telegram delivers the update again.
        """
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        if not self._started:
            return PlainTextResponse("not ready", status_code=503)
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > MAX_WEBHOOK_BODY:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("an update is a JSON object")
            update = Update.de_json(data, self.application.bot)
        except Exception:
            return PlainTextResponse("bad update", status_code=400)
        await self.application.process_update(update)
        return Response(status_code=200)

    # -- inbound --------------------------------------------------------------------------

    async def _on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.handle_update(update)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed", exc_info=context.error)

    def _on_polling_error(self, exc: TelegramError) -> None:
        # PTB retries getUpdates with backoff; we only log, without the token (the filter).
        log.warning("telegram polling error (retrying): %s", exc)

    async def handle_update(self, update: Update) -> None:
        """One update, end to end; never raises (errors are logged)."""
        query = update.callback_query
        pop_up: PopUp | None = None  # how the pressed button is answered
        try:
            pop_up = await self._handle(update)
        except Exception:
            log.exception("telegram update %s failed", update.update_id)
        finally:
            if query is not None:
                await self._answer(query, pop_up)

    async def _handle(self, update: Update) -> PopUp | None:
        if update.my_chat_member is not None:
            await self.statuses.member_changed(update.my_chat_member)
            return None
        message = update.message
        if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
            await self.statuses.migrated(message)
            return None
        vote = update.poll_answer
        poll = await self.state.poll(vote.poll_id) if vote is not None else None
        polls = {vote.poll_id: poll} if vote is not None and poll is not None else None
        inbound = to_inbound(
            update, self.bot_username, self.workspace, bot_id=self.bot_id, polls=polls
        )
        if inbound is None:
            if vote is not None:
                log.debug("poll answer for an unknown poll %s", vote.poll_id)
            return None
        group_vote = False
        if vote is not None and poll is not None and poll.is_group:
            # Everyone in a group may vote, and each sees the answer in the poll itself; the
            # group's quiz takes the first vote, so later ones would only get "stale" replies.
            if poll.answered:
                return None
            await self.state.mark_answered(vote.poll_id, poll)
            group_vote = True
        # Look-ups before the turn run outside the conversation's lock: while one waits (a cache
        # miss for a long payload, a poll or a group admin), a later update of the same chat may
        # go first. They are rare, and the engine's lock orders everything from here on.
        inbound = await self._enrich(inbound)
        await self._reactivate(inbound)
        shown = update.callback_query.message if update.callback_query is not None else None
        pressed = shown if isinstance(shown, Message) else None
        query = update.callback_query
        context: dict[str, Any] = {
            "pressed": pressed.to_dict() if pressed is not None else None,
            "press": query is not None,
            "group_vote": group_vote,
            "shared": query is not None and unshared(query.data or "")[1],
        }
        if update.message is not None and inbound.is_group:
            context["reply_to"] = update.message.message_id  # a group's line answers its command
        committed = await self.turns.commit(dataclasses.replace(inbound, delivery=context))
        if query is not None:
            username = self.bot_username or ""
            return await press_answer(self.links, username, inbound, committed.replies, context)
        return None

    async def deliver_stored(self, item: Outgoing, progress: Progress) -> SendResult:
        """The outbox's courier: show a stored batch where its delivery context says."""
        context = item.delivery or {}
        if shown_as_pop_up(item.replies, context):
            return SendResult("sent")  # shown as the button's pop-up, or by the poll itself
        pressed = None
        if context.get("pressed") and item.done == 0:
            pressed = Message.de_json(context["pressed"], self.application.bot)
        reply_to = context.get("reply_to") if item.done == 0 else None
        result = await self.sender.deliver(
            item.ref,
            item.remaining,
            pressed=pressed,
            progress=progress,
            shared_press=bool(context.get("shared")),
            reply_to=reply_to,
        )
        if not result.ok:
            log.info("telegram reply not delivered: %s %s", result.status, result.reason)
        return result

    async def _answer(self, query: CallbackQuery, pop_up: PopUp | None = None) -> None:
        text = pop_up.text if pop_up is not None else None
        try:
            await query.answer(
                text=toast(text) if text else None, url=pop_up.url if pop_up else None
            )
        except TelegramError as exc:
            # An old query (over ~15 minutes) cannot be answered; nothing to do about it.
            log.debug("answerCallbackQuery failed: %s", exc)

    async def _enrich(self, inbound: Inbound) -> Inbound:
        """The long payload behind a short button, and whether a group's commander is an admin.

        Then whether the sender's private chat is open, and what a deep link starts there.
        """
        if isinstance(inbound, ChoiceIn) and inbound.payload.startswith(LONG_PAYLOAD_PREFIX):
            original = await self.state.long_payload(inbound.payload)
            if original is not None:
                inbound = dataclasses.replace(inbound, payload=original)
        if isinstance(inbound, CommandIn) and inbound.is_group:
            admin = await self._is_admin(int(inbound.ref.chat), int(inbound.ref.user))
            inbound = dataclasses.replace(inbound, is_admin=admin)
        return await private_chat(inbound, self.statuses, self.links)

    async def _reactivate(self, inbound: Inbound) -> None:
        # The chat just wrote to us, so it is reachable again; a learner who unblocked the bot
        # says /start in private, and deliveries may resume. A private chat is recorded, so
        # the bot knows it may write there (a group member with no record never started it).
        chat = inbound.ref.chat
        private = not inbound.is_group and chat == inbound.ref.user
        start = isinstance(inbound, CommandIn) and inbound.name == "start" and not inbound.is_group
        if start or not (await self.statuses.get(chat)).active:
            await self.statuses.set(chat, active=True, reason=None, record=private)
        elif private:
            await self.statuses.record_opened(chat)

    async def _is_admin(self, chat_id: int, user_id: int) -> bool:
        cached = self._admins.get((chat_id, user_id))
        if cached is not None:
            return cached
        try:
            member = await self.application.bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.debug("getChatMember failed: %s", exc)
            return False
        admin = member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
        self._admins[(chat_id, user_id)] = admin
        return admin

    # -- outbound -------------------------------------------------------------------------

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        """Send replies outside a turn (the daily term) and say what happened (`SendResult`).

        Through the outbox's sender, so its failures are counted like a turn's.
        """
        return await self.engine.outbox.send_now(ref, replies)
