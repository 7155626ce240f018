"""The Telegram adapter: python-telegram-bot v22 as a thin translator to the dialogue engine.

`to_inbound` (update -> engine message) and `render` (reply -> Bot API arguments, in
`adapters.telegram_render`) are pure; `TelegramAdapter` holds the PTB `Application` by
composition, feeds one `TypeHandler` with every update, and sends what the engine returns.
Long polling by default; webhook mode when a webhook URL is configured, served by termcoach's own
HTTP server through `routes()`. No PTB ConversationHandler or persistence: state is the engine's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import logging
import random
import re
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import BotCommand, CallbackQuery, ChatMember, LinkPreviewOptions, Message, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from adapters.telegram_render import callback_data_for, keyboard, render, split_html, tg_len
from bot.daily.pacing import PacingRules, Rate
from bot.locks import KeyLocks
from bot.messages import (
    ChoiceIn,
    CommandIn,
    ConversationRef,
    Inbound,
    Reply,
    SendResult,
    TextIn,
)
from storage import chat_status
from storage.db import Database
from storage.errors import StorageError

log = logging.getLogger(__name__)

PLATFORM = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query", "poll_answer", "my_chat_member")
MAX_WEBHOOK_BODY = 1024 * 1024
# The engine's commands, used when the engine does not expose `commands` (it normally does).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("help", "what I can do"),
    ("start", "start here"),
    ("term", "a term card: the next new term, or one by name"),
    ("topics", "the topic areas and your progress"),
    ("quiz", "a short multiple-choice quiz"),
    ("review", "review the terms that are due"),
    ("hint", "a hint for the current question"),
    ("stats", "your progress"),
    ("settings", "your settings"),
    ("roleplay", "practise a work conversation"),
    ("exercises", "writing exercises"),
    ("prep", "prepare for a meeting"),
    ("done", "finish the current activity"),
    ("daily", "the daily term in this chat"),
    ("cancel", "stop the current activity"),
)
_COMMAND_RE = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)")
_SECRET_OK = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Bounded in-memory maps: a nicety for edits and a guard against redeliveries, never state.
MAX_REMEMBERED = 10_000
ADMIN_CACHE_S = 300.0
START_RETRIES = 6
# Updates handled at once. SQLite makes concurrent writers wait in its busy handler, so past a
# few the tail latency explodes (bench/telegram.py: p99 0.13 s at 4, 0.85 s at 8, 3.5 s at 64);
# PostgreSQL takes many.
CONCURRENT_UPDATES = 64
SQLITE_CONCURRENT_UPDATES = 4
# Term links in cards would otherwise unfurl into large previews.
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
GONE_MARKERS = ("chat not found", "user not found", "peer_id_invalid", "chat_id_invalid")
# Telegram's broadcast limits: about 30 messages a second per bot (25 with a burst of 2 keeps
# any one-second window under it), one a second per chat, 20 a minute per group. A 429 pauses
# the whole bot token.
PACING = PacingRules(
    sender=Rate(25, 1.0, burst=2), chat=Rate(1, 1.0), group=Rate(20, 60.0), pause="sender"
)

K = TypeVar("K")
V = TypeVar("V")


class Engine(Protocol):
    """What the adapter needs from the dialogue engine."""

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Run one turn."""


class LRU(Generic[K, V]):
    """A small bounded mapping that forgets the oldest entries first."""

    def __init__(self, size: int = MAX_REMEMBERED) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value for `key`, if still remembered."""
        return self._data.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __setitem__(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def pop(self, key: K) -> V | None:
        """Forget `key` and return its value."""
        return self._data.pop(key, None)

    def add(self, key: K, value: V) -> bool:
        """Remember `key`; False if it was already there (a duplicate)."""
        if key in self._data:
            return False
        self[key] = value
        return True


@dataclass(frozen=True, slots=True)
class PollInfo:
    """A quiz poll we sent: where it lives and the payload of each option."""

    chat: str
    thread: str | None
    message_id: int
    payloads: tuple[str, ...]
    is_group: bool
    option_ids: tuple[str, ...] = ()
    """Telegram's persistent option ids (Bot API 9.6), in option order, when known."""


@dataclass(frozen=True, slots=True)
class SentQuestion:
    """A message that asked a question, so a later result can replace it."""

    chat_id: int
    message_id: int
    html: str
    is_poll: bool


class RedactToken(logging.Filter):
    """Replace the bot token in log records (httpx logs request URLs, PTB's Bot repr has it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message (and any formatted traceback) without the token; never drop."""
        if not self.token:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        if self.token in message:
            record.msg = message.replace(self.token, "<redacted>")
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<redacted>")
        return True


def webhook_secret_for(token: str) -> str:
    """A stable webhook secret derived from the token, so every replica checks the same one."""
    return hmac.new(token.encode(), b"termcoach-telegram-webhook", hashlib.sha256).hexdigest()


def _retry_after_seconds(exc: RetryAfter) -> float:
    # PTB 22.2+ warns when `retry_after` is read as an int; accept both forms quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def parse_command(text: str, bot_username: str | None) -> tuple[str, str] | bool | None:
    """``/quiz@bot drift`` -> ("quiz", "drift"); False when addressed to another bot.

    None when the text is not a command at all (``/usr/bin is a path``).
    """
    m = _COMMAND_RE.match(text)
    if m is None:
        return None
    name, target = m.group(1), m.group(2)
    if target and (not bot_username or target.lower() != bot_username.lower()):
        return False
    return name.lower(), text[m.end() :].strip()


def _mentions(message: Message, bot_username: str | None) -> bool:
    if not bot_username or not message.text:
        return False
    handle = "@" + bot_username.lower()
    return any(
        entity.type == "mention" and message.parse_entity(entity).lower() == handle
        for entity in message.entities
    )


def _strip_mention(text: str, bot_username: str) -> str:
    return re.sub(rf"@{re.escape(bot_username)}\b", "", text, flags=re.IGNORECASE).strip()


def message_key(workspace: str, update_id: int) -> str:
    """The deduplication id handed to the engine for one update."""
    return f"tg-update:{workspace}:{update_id}"


def to_inbound(
    update: Update,
    bot_username: str | None,
    workspace: str = "default",
    *,
    bot_id: int | None = None,
    polls: Mapping[str, PollInfo] | None = None,
) -> Inbound | None:
    """Translate an update to an engine message, or None when the bot should stay silent.

    In groups only commands for this bot (``/quiz`` or ``/quiz@thisbot``, never ``@otherbot``),
    replies to the bot, mentions of it and button presses count; other chatter is ignored.
    A poll answer carries no chat, so it is routed through `polls` (poll id -> where it was sent).
    """
    mid = message_key(workspace, update.update_id)
    if update.callback_query is not None:
        return _callback_inbound(update.callback_query, workspace, mid)
    if update.poll_answer is not None:
        answer = update.poll_answer
        info = (polls or {}).get(answer.poll_id)
        user = answer.user
        if info is None or user is None or not answer.option_ids:
            return None
        index = answer.option_ids[0]
        persistent = answer.option_persistent_ids
        if persistent and persistent[0] in info.option_ids:
            # Persistent ids stay right even if options were added to the poll later.
            index = info.option_ids.index(persistent[0])
        if not 0 <= index < len(info.payloads):
            return None
        ref = _ref(workspace, info.chat, str(user.id), info.thread)
        return ChoiceIn(
            ref=ref,
            message_id=mid,
            payload=info.payloads[index],
            display_name=user.full_name,
            is_group=info.is_group,
            dm=_dm(workspace, str(user.id)) if info.is_group else None,
            raw=update,
        )
    message = update.message
    if message is None or message.text is None:
        return None
    user = message.from_user
    chat = message.chat
    if user is None or user.is_bot or chat.type == chat.CHANNEL:
        return None
    is_group = chat.type in (chat.GROUP, chat.SUPERGROUP)
    thread = str(message.message_thread_id) if message.is_topic_message else None
    ref = _ref(workspace, str(chat.id), str(user.id), thread)
    common: dict[str, Any] = {
        "ref": ref,
        "message_id": mid,
        "display_name": user.full_name,
        "is_group": is_group,
        "dm": _dm(workspace, str(user.id)) if is_group else None,
        "raw": update,
    }
    text = message.text
    command = parse_command(text, bot_username)
    if command is False:
        return None
    if isinstance(command, tuple):
        return CommandIn(name=command[0], args=command[1], **common)
    if not is_group:
        return TextIn(text=text, **common)
    replied = message.reply_to_message
    to_us = (
        replied is not None
        and replied.from_user is not None
        and (
            replied.from_user.id == bot_id
            or (
                bot_username is not None
                and (replied.from_user.username or "").lower() == bot_username.lower()
            )
        )
    )
    if to_us:
        return TextIn(text=text, **common)
    if bot_username and _mentions(message, bot_username):
        return TextIn(text=_strip_mention(text, bot_username), **common)
    return None


def _callback_inbound(query: CallbackQuery, workspace: str, mid: str) -> Inbound | None:
    message = query.message
    if message is None or query.data is None:
        return None
    chat = message.chat
    is_group = chat.type in (chat.GROUP, chat.SUPERGROUP)
    thread = None
    if isinstance(message, Message) and message.is_topic_message:
        thread = str(message.message_thread_id)
    user = str(query.from_user.id)
    return ChoiceIn(
        ref=_ref(workspace, str(chat.id), user, thread),
        message_id=mid,
        payload=query.data,
        display_name=query.from_user.full_name,
        is_group=is_group,
        dm=_dm(workspace, user) if is_group else None,
        raw=query,
    )


def _ref(workspace: str, chat: str, user: str, thread: str | None) -> ConversationRef:
    # A Telegram thread is a forum topic: a place of its own, with its own daily term.
    return ConversationRef(PLATFORM, workspace, chat, user, thread, thread_is_place=True)


def _dm(workspace: str, user: str) -> ConversationRef:
    # A private chat's id is the user's id, so a group member's DM with the bot is known
    # without asking Telegram (whether the bot may write there is another matter).
    return _ref(workspace, user, user, None)


class _Stop(Exception):
    """A send failed for good (blocked, gone) or for now (rate limit, network)."""

    def __init__(self, result: SendResult) -> None:
        super().__init__(result.reason)
        self.result = result


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
) -> Application:
    """The PTB application as termcoach runs it (also used for the benchmark's bare baseline).

    `AIORateLimiter` keeps within Telegram's flood limits and retries a 429 after ``retry_after``;
    updates are handled concurrently, each chat in order (the adapter's per-chat lock).
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
    if webhook:
        builder = builder.updater(None)
    return builder.build()


# answerCallbackQuery shows at most 200 characters.
CALLBACK_TEXT_LIMIT = 200


def _is_notice(reply: Reply) -> bool:
    return reply.kind == "notice" and not reply.choices and reply.image is None


def _toast(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CALLBACK_TEXT_LIMIT else text[: CALLBACK_TEXT_LIMIT - 1] + "…"


class TelegramAdapter:
    """Telegram through python-telegram-bot: polling or webhook, and proactive `send()`.

    Every update goes through `handle_update`: to_inbound -> engine.handle -> render -> Bot API.
    Platform failures are turned into `SendResult`s and chat status rows; none stops the adapter.
    """

    platform = PLATFORM
    pacing = PACING

    def __init__(
        self,
        engine: Engine,
        db: Database | None,
        application: Application,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: float = 10.0,
        commands: Sequence[tuple[str, str]] | None = None,
        network_retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        self.engine = engine
        self.db = db
        self.application = application
        self.webhook_url = webhook_url
        token = application.bot.token
        secret = webhook_secret or webhook_secret_for(token)
        if not _SECRET_OK.fullmatch(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and -")
        self.webhook_secret = secret
        self.poll_timeout = poll_timeout
        self.network_retries = network_retries
        self.backoff_s = backoff_s
        self.workspace = "default"
        self.bot_id: int | None = None
        self.bot_username: str | None = None
        self._commands = commands
        self._ready = False
        self._started = False
        self._redactor = RedactToken(token)
        self._filtered: list[logging.Filterer] = []
        self._seen_updates: LRU[int, bool] = LRU()
        self._questions: LRU[str, SentQuestion] = LRU()
        self._polls: LRU[str, PollInfo] = LRU()
        self._answered_polls: LRU[str, bool] = LRU()
        self._long_payloads: LRU[str, str] = LRU()
        self._admins: LRU[tuple[int, int], tuple[bool, float]] = LRU(2_000)
        self._migrated: LRU[str, str] = LRU()
        self._inactive: LRU[str, str] = LRU()
        self._locks = KeyLocks()
        self._rng = random.Random()
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
    ) -> TelegramAdapter:
        """Build the adapter and its PTB application: token, API base URL, optional webhook."""
        sqlite = db is not None and db.dialect == "sqlite"
        application = build_application(
            token,
            api_base_url,
            webhook=bool(webhook_url),
            concurrent_updates=SQLITE_CONCURRENT_UPDATES if sqlite else CONCURRENT_UPDATES,
        )
        return cls(engine, db, application, webhook_url=webhook_url, webhook_secret=webhook_secret)

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """True once started and receiving updates."""
        return self._ready

    @property
    def mode(self) -> str:
        """``webhook`` or ``polling``."""
        return "webhook" if self.webhook_url else "polling"

    async def start(self) -> None:
        """Log in (getMe), register commands, then start polling or register the webhook."""
        if self._started:
            return
        self._install_redaction()
        app = self.application
        await self._initialize(app)
        self._started = True
        bot = app.bot
        self.bot_id = bot.id
        self.bot_username = bot.username
        self.workspace = str(bot.id)
        await self._register_commands()
        if self.webhook_url:
            if not self.webhook_url.rstrip("/").endswith(WEBHOOK_PATH):
                # A proxy may rewrite the path, so this is only a warning.
                log.warning("TELEGRAM_WEBHOOK_URL does not end with %s", WEBHOOK_PATH)
            await self._with_retries(
                bot.set_webhook,
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

    async def _initialize(self, app: Application) -> None:
        # getMe at start: a Telegram outage at boot is waited out; a bad token is not.
        for attempt in range(START_RETRIES + 1):
            try:
                await app.initialize()
                return
            except InvalidToken:
                raise
            except NetworkError as exc:
                if attempt >= START_RETRIES:
                    raise
                delay = min(30.0, self.backoff_s * 2**attempt)
                log.warning("telegram not reachable at start (%s), retry in %.1fs", exc, delay)
                await asyncio.sleep(delay)

    async def stop(self) -> None:
        """Stop polling and close the HTTP client; safe to call twice.

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
            await app.shutdown()
        except Exception:
            log.exception("telegram adapter did not stop cleanly")
        finally:
            self._remove_redaction()

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

    async def _register_commands(self) -> None:
        commands = self._commands
        if commands is None:
            commands = getattr(self.engine, "commands", None) or COMMANDS
        valid = [
            BotCommand(name, (summary or name)[:256])
            for name, summary in commands
            if re.fullmatch(r"[a-z0-9_]{1,32}", name)
        ][:100]
        try:
            await self.application.bot.set_my_commands(valid)
        except TelegramError as exc:
            # A menu is a nicety: the bot works without it.
            log.warning("setMyCommands failed: %s", exc)

    def routes(self) -> list[BaseRoute]:
        """The webhook route, in webhook mode; nothing in polling mode."""
        if not self.webhook_url:
            return []
        return [Route(WEBHOOK_PATH, self.webhook, methods=["POST"], name="telegram_webhook")]

    async def webhook(self, request: Request) -> Response:
        """Receive one update: 403 on a wrong or missing secret, else handle it and answer 200."""
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
            update = Update.de_json(data, self.application.bot)
        except Exception:
            return PlainTextResponse("bad update", status_code=400)
        # Handled before answering: Telegram redelivers on failure, and the engine dedupes.
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
        if not self._seen_updates.add(update.update_id, True):
            log.debug("dropping redelivered update %s", update.update_id)
            return
        query = update.callback_query
        toast: str | None = None  # a notice shown as the pressed button's pop-up
        try:
            if update.my_chat_member is not None:
                await self._member_changed(update)
                return
            message = update.message
            if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
                await self._chat_migrated_message(message)
                return
            inbound = to_inbound(
                update,
                self.bot_username,
                self.workspace,
                bot_id=self.bot_id,
                polls=_PollView(self._polls),
            )
            if inbound is None:
                if update.poll_answer is not None:
                    log.debug("poll answer for an unknown poll %s", update.poll_answer.poll_id)
                return
            # Everyone in a group may vote, and each sees the answer in the poll itself; the
            # group's quiz takes the first vote, so later ones would only get "stale" replies.
            if (
                update.poll_answer is not None
                and inbound.is_group
                and not self._answered_polls.add(update.poll_answer.poll_id, True)
            ):
                return
            async with self._locks.hold(inbound.ref.key):
                # Inside the lock: an admin look-up must not let a later message overtake.
                inbound = await self._enrich(inbound)
                replies = await self.engine.handle(inbound)
                if query is not None and replies and all(_is_notice(r) for r in replies):
                    # "Already answered" for a button press: the button's own pop-up, seen only
                    # by the presser, instead of a message the whole chat reads.
                    toast = " ".join(r.plain_text for r in replies)
                    return
                pressed = query.message if query is not None else None
                result = await self._deliver(
                    inbound.ref, replies, pressed=pressed if isinstance(pressed, Message) else None
                )
            if not result.ok:
                log.info("telegram reply not delivered: %s %s", result.status, result.reason)
        except Exception:
            log.exception("telegram update %s failed", update.update_id)
        finally:
            if query is not None:
                await self._answer(query, toast)

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        try:
            await query.answer(text=_toast(text) if text else None)
        except TelegramError as exc:
            # An old query (over ~15 minutes) cannot be answered; nothing to do about it.
            log.debug("answerCallbackQuery failed: %s", exc)

    async def _enrich(self, inbound: Inbound) -> Inbound:
        if isinstance(inbound, ChoiceIn) and inbound.payload.startswith("#"):
            original = self._long_payloads.get(inbound.payload)
            if original is not None:
                inbound = dataclasses.replace(inbound, payload=original)
        if inbound.ref.chat in self._inactive:
            await self._set_status(inbound.ref.chat, active=True, reason=None)
        if isinstance(inbound, CommandIn) and inbound.name == "start" and not inbound.is_group:
            # A learner who unblocked the bot says /start: deliveries may resume.
            await self._set_status(inbound.ref.chat, active=True, reason=None)
        if isinstance(inbound, CommandIn) and inbound.is_group:
            inbound = dataclasses.replace(
                inbound, is_admin=await self._is_admin(int(inbound.ref.chat), int(inbound.ref.user))
            )
        return inbound

    async def _is_admin(self, chat_id: int, user_id: int) -> bool:
        cached = self._admins.get((chat_id, user_id))
        now = time.monotonic()
        if cached is not None and now - cached[1] < ADMIN_CACHE_S:
            return cached[0]
        try:
            member = await self.application.bot.get_chat_member(chat_id, user_id)
            admin = member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
        except TelegramError as exc:
            log.debug("getChatMember failed: %s", exc)
            return False
        self._admins[(chat_id, user_id)] = (admin, now)
        return admin

    async def _member_changed(self, update: Update) -> None:
        change = update.my_chat_member
        assert change is not None
        status = change.new_chat_member.status
        chat = str(change.chat.id)
        if status in (ChatMember.BANNED, ChatMember.LEFT):
            reason = "blocked by user" if change.chat.type == change.chat.PRIVATE else "removed"
            await self._set_status(chat, active=False, reason=reason)
        elif status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER):
            await self._set_status(chat, active=True, reason=None)

    async def _chat_migrated_message(self, message: Message) -> None:
        if message.migrate_to_chat_id:
            old, new = str(message.chat.id), str(message.migrate_to_chat_id)
        else:
            old, new = str(message.migrate_from_chat_id), str(message.chat.id)
        await self._record_migration(old, new)

    # -- outbound -------------------------------------------------------------------------

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        """Send replies outside a turn (the daily term) and say what happened.

        ``sent``; ``retry`` (rate limited after PTB's retries, with ``retry_after``, or a network
        failure after our backoff); ``blocked`` (Forbidden) or ``gone`` (chat not found), both
        recorded in ``chat_status``; ``failed`` (a request Telegram refused). A migrated chat is
        sent to its new id and reported in ``new_chat``.
        """
        async with self._locks.hold(ref.key):
            return await self._deliver(ref, replies, pressed=None)

    async def _deliver(
        self, ref: ConversationRef, replies: Sequence[Reply], *, pressed: Message | None
    ) -> SendResult:
        chat = self._migrated.get(ref.chat) or ref.chat
        if chat in self._inactive:
            return SendResult("blocked", reason=self._inactive.get(chat) or "inactive")
        ids: list[str] = []
        new_chat: str | None = chat if chat != ref.chat else None
        edited = False
        try:
            for reply in replies:
                try:
                    edited |= await self._send_reply(chat, ref, reply, pressed, ids)
                except ChatMigrated as exc:
                    new = str(exc.new_chat_id)
                    await self._record_migration(chat, new)
                    chat = new_chat = new
                    edited |= await self._send_reply(chat, ref, reply, pressed, ids)
                except _Stop as stop:
                    if not (reply.private and ref.user != chat):
                        raise
                    # A private note to someone who never opened a DM with the bot: the
                    # group's own replies still go out.
                    log.info("private telegram reply not delivered: %s", stop.result.reason)
            if pressed is not None and not edited and pressed.reply_markup is not None:
                # The pressed keyboard must not be answerable twice, even if nothing replaced it.
                await self._strip_keyboard(pressed)
        except _Stop as stop:
            return dataclasses.replace(stop.result, message_ids=tuple(ids), new_chat=new_chat)
        return SendResult("sent", message_ids=tuple(ids), new_chat=new_chat)

    def _data_for(self, payload: str) -> str:
        data = callback_data_for(payload)
        if data != payload:
            self._long_payloads[data] = payload
        return data

    async def _send_reply(
        self,
        chat: str,
        ref: ConversationRef,
        reply: Reply,
        pressed: Message | None,
        ids: list[str],
    ) -> bool:
        """Send (or edit into place) one reply; True when it replaced the pressed message."""
        target_chat = ref.user if reply.private and chat != ref.user else chat
        thread = int(ref.thread) if ref.thread and target_chat == chat else None
        calls = render(reply, self._data_for)
        replaced = False
        if reply.replaces:
            target = self._replace_target(reply.replaces, pressed, target_chat)
            if target is not None and calls and "text" in calls[0]:
                first = calls[0]
                text = f"{target.html}\n\n{first['text']}" if target.html else first["text"]
                if tg_len(text) > 4096:
                    text = first["text"]
                if await self._edit(target, text, first.get("reply_markup")):
                    ids.append(str(target.message_id))
                    calls = calls[1:]
                    replaced = pressed is not None and target.message_id == pressed.message_id
                    self._questions.pop(reply.replaces)
        for call in calls:
            message = await self._call_api(target_chat, thread, call)
            ids.append(str(message.message_id))
            if reply.question_id and (call is calls[-1]):
                self._remember_question(reply, call, message, target_chat, ref)
        return replaced

    def _replace_target(
        self, question_id: str, pressed: Message | None, chat: str
    ) -> SentQuestion | None:
        known = self._questions.get(question_id)
        if known is not None and str(known.chat_id) == chat and not known.is_poll:
            return known
        # The question was sent before a restart: the pressed message is the question.
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
    ) -> None:
        assert reply.question_id is not None
        if "question" in call and message.poll is not None:
            quiz = reply.native_quiz
            assert quiz is not None
            payloads = _poll_payloads(reply)
            self._polls[message.poll.id] = PollInfo(
                chat=chat,
                thread=ref.thread,
                message_id=message.message_id,
                payloads=payloads,
                is_group=int(chat) < 0,
                option_ids=tuple(o.persistent_id or "" for o in message.poll.options),
            )
            html = ""
            is_poll = True
        else:
            html = call.get("text", "")
            is_poll = False
        self._questions[reply.question_id] = SentQuestion(
            chat_id=message.chat.id, message_id=message.message_id, html=html, is_poll=is_poll
        )

    async def _edit(self, target: SentQuestion, text: str, markup: Any) -> bool:
        try:
            await self._with_retries(
                self.application.bot.edit_message_text,
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

    async def _strip_keyboard(self, message: Message) -> None:
        try:
            await self._with_retries(
                self.application.bot.edit_message_reply_markup,
                chat_id=message.chat.id,
                message_id=message.message_id,
                reply_markup=None,
            )
        except TelegramError as exc:
            log.debug("could not remove the pressed keyboard: %s", exc)

    async def _call_api(self, chat: str, thread: int | None, call: dict[str, Any]) -> Message:
        bot = self.application.bot
        kwargs = dict(call)
        chat_id = int(chat)
        common: dict[str, Any] = {"chat_id": chat_id}
        if thread is not None:
            common["message_thread_id"] = thread
        try:
            if "question" in kwargs:
                return await self._with_retries(bot.send_poll, **common, **kwargs)
            if "photo" in kwargs:
                return await self._with_retries(bot.send_photo, **common, **kwargs)
            return await self._with_retries(
                bot.send_message, **common, link_preview_options=_NO_PREVIEW, **kwargs
            )
        except RetryAfter as exc:
            # PTB's AIORateLimiter already waited and retried; the caller decides what next.
            seconds = _retry_after_seconds(exc)
            raise _Stop(SendResult("retry", reason="rate limited", retry_after=seconds)) from exc
        except Forbidden as exc:
            await self._set_status(chat, active=False, reason=_reason(exc))
            raise _Stop(SendResult("blocked", reason=_reason(exc))) from exc
        except InvalidToken as exc:
            raise _Stop(SendResult("failed", reason="invalid token")) from exc
        except BadRequest as exc:
            text = str(exc).lower()
            if any(marker in text for marker in GONE_MARKERS):
                await self._set_status(chat, active=False, reason=_reason(exc))
                raise _Stop(SendResult("gone", reason=_reason(exc))) from exc
            log.warning("telegram refused a message to %s: %s", chat, exc)
            raise _Stop(SendResult("failed", reason=_reason(exc))) from exc
        except NetworkError as exc:
            raise _Stop(SendResult("retry", reason=f"network: {_reason(exc)}")) from exc

    async def _with_retries(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Call the Bot API, retrying network errors (not refusals) with jittered backoff."""
        for attempt in range(self.network_retries + 1):
            try:
                return await fn(**kwargs)
            except (BadRequest, Forbidden, ChatMigrated, RetryAfter, InvalidToken):
                raise
            except NetworkError as exc:
                if attempt >= self.network_retries:
                    log.warning("telegram network error, giving up: %s", exc)
                    raise
                delay = self.backoff_s * (2**attempt) * (0.5 + self._rng.random())
                log.warning("telegram network error (%s), retry in %.2fs", exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    # -- chat status ----------------------------------------------------------------------

    async def _set_status(
        self, chat: str, *, active: bool, reason: str | None, migrated_to: str | None = None
    ) -> None:
        if active:
            self._inactive.pop(chat)
        else:
            self._inactive[chat] = reason or "inactive"
        if self.db is None:
            return
        try:
            async with self.db.session() as session:
                await chat_status.set_status(
                    session,
                    PLATFORM,
                    self.workspace,
                    chat,
                    active=active,
                    reason=reason,
                    now=datetime.now(UTC),
                    migrated_to=migrated_to,
                )
        except StorageError:
            log.exception("could not record the status of telegram chat %s", chat)
        else:
            log.info(
                "telegram chat %s is now %s (%s)", chat, "active" if active else "inactive", reason
            )

    async def _record_migration(self, old: str, new: str) -> None:
        self._migrated[old] = new
        await self._set_status(old, active=False, reason="migrated", migrated_to=new)


def _reason(exc: TelegramError) -> str:
    return str(exc.message if hasattr(exc, "message") else exc)[:300]


def _poll_payloads(reply: Reply) -> tuple[str, ...]:
    """The payload sent back for each poll option: the reply's own choices when they line up,
    else the quiz activity's ``q:<question>:<index>`` convention.
    """
    quiz = reply.native_quiz
    assert quiz is not None
    if len(reply.choices) == len(quiz.options):
        return tuple(c.payload for c in reply.choices)
    qid = quiz.question_id or reply.question_id or ""
    return tuple(f"q:{qid}:{i}" for i in range(len(quiz.options)))


class _PollView(Mapping[str, PollInfo]):
    """A read-only view of the poll LRU for `to_inbound`."""

    def __init__(self, polls: LRU[str, PollInfo]) -> None:
        self._polls = polls

    def __getitem__(self, key: str) -> PollInfo:
        value = self._polls.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Any:
        return iter(self._polls._data)

    def __len__(self) -> int:
        return len(self._polls._data)


__all__ = [
    "ALLOWED_UPDATES",
    "COMMANDS",
    "WEBHOOK_PATH",
    "PollInfo",
    "RedactToken",
    "TelegramAdapter",
    "build_application",
    "keyboard",
    "render",
    "split_html",
    "to_inbound",
    "webhook_secret_for",
]
