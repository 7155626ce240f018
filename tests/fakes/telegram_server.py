"""A fake Telegram Bot API server for tests and benchmarks (aiohttp on 127.0.0.1, ephemeral port).

Point the real python-telegram-bot client at it with ``ApplicationBuilder().base_url(fake.base_url)``.
It records every call (method and decoded parameters), answers the methods termcoach uses, keeps the
messages it "sent" so edits behave like Telegram's, and checks what Telegram checks (HTML entities,
the 4096-character limit, 64-byte callback data, poll limits). Failures are scriptable, per method
and chat, and an optional per-second rate limit answers 429 with ``retry_after`` above it, so the
daily-term broadcaster and the benchmarks can reuse it. Modelled on opsdroid's ``external_api.py``.

Like Telegram, it refuses to let the bot write first: a send to the private chat of a user it has
seen only in groups (pushed updates from a group, never from their private chat) answers 403 "bot
can't initiate conversation with a user". A user it has never seen at all is taken to have
started the bot long ago (tests that send to a private chat directly).

Updates pushed by a test go to getUpdates, or, once a webhook is registered, are POSTed to it one
after the other; `settled()` waits until the webhook answered every one, and since the bot answers
after handling an update, a test can then check that something did *not* happen without sleeping.
The methods that send and edit messages are in `tests.fakes.telegram_methods`, with the size
limits the adapter uses (`adapters.telegram.limits`, from python-telegram-bot's constants).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from tests.fakes.server import FakeServer
from tests.fakes.telegram_html import HtmlError, parse_telegram_html, utf16_len
from tests.fakes.telegram_methods import ApiError, Failure, MessageMethods, PressRefused

__all__ = [
    "Call",
    "Failure",
    "FakeTelegram",
    "HtmlError",
    "PressRefused",
    "parse_telegram_html",
    "utf16_len",
]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# Parameters PTB sends as plain strings; every other value is JSON-encoded by PTB.
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "question",
        "explanation",
        "url",
        "secret_token",
        "callback_query_id",
        "parse_mode",
        "explanation_parse_mode",
        "type",
        "poll_id",
        "inline_message_id",
        "description",
        "short_description",
        "language_code",
    }
)


# Methods that write to a chat (a private one only once its user started the bot).
_SENDS = frozenset({"sendMessage", "sendPhoto", "sendPoll", "sendChatAction", "sendDocument"})
# The command scopes of the Bot API (setMyCommands).
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


@dataclass
class Call:
    """One recorded request: method name, decoded parameters, arrival time (monotonic)."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200

    @property
    def chat_id(self) -> int | None:
        """The ``chat_id`` parameter as an int, if any."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None


@dataclass
class _Rule:
    method: str | None
    failure: Failure
    chat_id: int | None
    times: int | None  # None: forever


@dataclass
class _Pending:
    update: dict[str, Any]
    delivered: bool = False


class FakeTelegram(MessageMethods, FakeServer):
    """The fake server. Use ``async with FakeTelegram() as fake:``; ``fake.base_url`` is for PTB."""

    client_max_size = 64 * 1024 * 1024

    def __init__(
        self,
        *,
        token: str = "123456789:AAFakeTokenForTests_abcdefghijklmnopq",
        bot_id: int = 123456789,
        username: str = "termcoach_test_bot",
        rate_limit_per_s: float | None = None,
        max_poll_wait: float = 0.5,
    ) -> None:
        FakeServer.__init__(self)
        MessageMethods.__init__(self, bot_id)
        self.token = token
        self.username = username
        self.rate_limit_per_s = rate_limit_per_s
        self.max_poll_wait = max_poll_wait
        self.calls: list[Call] = []
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_answers: list[int] = []
        # The command menus by scope type ("default", "all_group_chats", ...), as set last.
        self.menus: dict[str, list[dict[str, Any]]] = {}
        self.description: str | None = None
        self.short_description: str | None = None
        self._rules: list[_Rule] = []
        self._pending: list[_Pending] = []
        self._new_update = asyncio.Event()
        self._call_event = asyncio.Event()
        self._window: deque[float] = deque()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._courier: asyncio.Task[None] | None = None
        self._closing = False
        # Who opened a private chat with the bot, and who was only seen in groups.
        self.started: set[int] = set()
        self.seen_in_groups: set[int] = set()

    # -- lifecycle --------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        """Every Bot API method: ``/bot<token>/<method>``."""
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once, webhook deliveries stop."""
        self._closing = True
        self._new_update.set()
        if self._courier is not None:
            self._courier.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._courier
            self._courier = None
        await super().stop()

    @property
    def base_url(self) -> str:
        """What to give PTB's ``base_url``: the token is appended to it."""
        return f"{self.url}/bot"

    # -- scripting ------------------------------------------------------------------------

    def fail(
        self,
        method: str | None,
        failure: Failure,
        *,
        chat_id: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer `method` (any method when None), for `chat_id` if given, with `failure`.

        `times` is how many calls fail (None: all of them, until `clear_failures`).
        """
        self._rules.append(_Rule(method, failure, chat_id, times))

    def block_chat(self, chat_id: int) -> None:
        """Every send to this chat answers 403 "bot was blocked by the user"."""
        self.fail(None, Failure.blocked(), chat_id=chat_id, times=None)

    def remove_chat(self, chat_id: int) -> None:
        """Every call for this chat answers 400 "chat not found"."""
        self.fail(None, Failure.chat_not_found(), chat_id=chat_id, times=None)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """Every call for this chat answers 400 with ``migrate_to_chat_id``."""
        self.fail(None, Failure.migrated(new_chat_id), chat_id=chat_id, times=None)

    def clear_failures(self) -> None:
        """Forget every scripted failure."""
        self._rules.clear()

    # -- inspection -----------------------------------------------------------------------

    def calls_to(self, *methods: str) -> list[Call]:
        """Recorded successful calls to any of `methods`, in arrival order."""
        return [c for c in self.calls if c.method in methods and c.status == 200]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """The HTML text of every successful sendMessage (to `chat_id` if given)."""
        return [
            c.params["text"]
            for c in self.calls_to("sendMessage")
            if chat_id is None or c.chat_id == chat_id
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] | None = None,
        wait_s: float = 5.0,
    ) -> list[Call]:
        """Wait until `count` successful calls to `method` (matching `where`) were recorded."""
        deadline = time.monotonic() + wait_s
        while True:
            found = [c for c in self.calls_to(method) if where is None or where(c)]
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(c.method, c.status) for c in self.calls[-20:]]
                raise AssertionError(
                    f"expected {count} {method} call(s), got {len(found)}; last calls: {seen}"
                )
            self._call_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._call_event.wait(), min(remaining, 0.2))

    # -- updates --------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Hand an update to the bot (again, if its id was delivered before: a redelivery).

        Queued for getUpdates, or POSTed to the webhook in turn when one is registered.
        """
        self.push_many([update])
        return update

    def push_many(self, updates: Iterable[dict[str, Any]]) -> None:
        """Hand several updates to the bot at once, in order."""
        updates = list(updates)
        for update in updates:
            self._note_sender(update)
        if self.webhook_url:
            for update in updates:
                self._outbox.put_nowait(update)
            if self._courier is None or self._courier.done():
                self._courier = asyncio.get_running_loop().create_task(self._carry())
            return
        for update in updates:
            self._pending.append(_Pending(update))
        self._new_update.set()

    def _note_sender(self, update: dict[str, Any]) -> None:
        """Who wrote where: a private message (or press, or start) opens the private chat."""
        query = update.get("callback_query") or {}
        member = update.get("my_chat_member") or {}
        message = update.get("message") or query.get("message") or member
        user = (query or update.get("message") or member).get("from") or {}
        chat = message.get("chat") or {}
        if not user or not chat:
            return
        if chat.get("type") == "private":
            status = (member.get("new_chat_member") or {}).get("status", "member")
            if status == "member":
                self.started.add(int(user["id"]))
        else:
            self.seen_in_groups.add(int(user["id"]))

    def _never_started(self, method: str, params: dict[str, Any]) -> Failure | None:
        chat = params.get("chat_id")
        if method not in _SENDS or chat is None or int(chat) <= 0:
            return None
        user = int(chat)
        if user in self.seen_in_groups and user not in self.started:
            return Failure.never_started()
        return None

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet delivered."""
        return sum(1 for p in self._pending if not p.delivered) + self._outbox.qsize()

    async def settled(self, wait_s: float = 10.0) -> None:
        """Wait until the webhook answered every update pushed so far.

        The adapter answers once it handled an update, so after this nothing more comes of them.
        """
        if not self.webhook_url:
            raise AssertionError("settled() needs a registered webhook (polling does not tell)")
        await asyncio.wait_for(self._outbox.join(), wait_s)

    async def _carry(self) -> None:
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:
            while True:
                update = await self._outbox.get()
                try:
                    self.webhook_answers.append(await self._post(session, update))
                except (ClientError, TimeoutError):
                    self.webhook_answers.append(0)
                finally:
                    self._outbox.task_done()

    async def deliver_webhook(
        self, update: dict[str, Any], *, secret: str | None = None, wait_s: float = 10.0
    ) -> int:
        """POST `update` to the registered webhook as Telegram does; returns the HTTP status.

        `secret` overrides the registered secret token (to test a wrong one).
        """
        async with ClientSession(timeout=ClientTimeout(total=wait_s)) as session:
            return await self._post(session, update, secret)

    async def _post(
        self, session: ClientSession, update: dict[str, Any], secret: str | None = None
    ) -> int:
        if not self.webhook_url:
            raise AssertionError("no webhook registered")
        token = self.webhook_secret if secret is None else secret
        headers = {SECRET_HEADER: token} if token else {}
        async with session.post(self.webhook_url, json=update, headers=headers) as response:
            return response.status

    def last_message(self, chat_id: int, *, with_text: str | None = None) -> dict[str, Any]:
        """The latest message this fake stored for `chat_id` (optionally containing a text)."""
        found = [
            m
            for (cid, _), m in sorted(self.messages.items(), key=lambda kv: kv[0][1])
            if cid == chat_id and (with_text is None or with_text in m.get("text", ""))
        ]
        if not found:
            raise AssertionError(f"no message in chat {chat_id} matching {with_text!r}")
        return found[-1]

    # -- the server -----------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            return dict(body or {})
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"filename": value.filename, "size": len(value.file.read())}
            elif key in _TEXT_PARAMS:
                params[key] = value
            else:
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    params[key] = value
        for key, value in request.query.items():
            params.setdefault(key, value)
        return params

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                return self._error(call, Failure(401, "Unauthorized"))
            failure = (
                self._scripted_failure(method, params)
                or self._never_started(method, params)
                or self._rate_limited(method)
            )
            if failure is not None:
                if failure.delay_s:
                    call.status = 0  # hanging: not carried out, whatever the client does
                    await asyncio.sleep(failure.delay_s)
                return self._error(call, failure)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return self._error(call, Failure(404, "Not Found: method not found"))
            try:
                result = handler(params) if method != "getUpdates" else await handler(params)
            except ApiError as exc:
                return self._error(call, exc.failure)
            return web.json_response({"ok": True, "result": result})
        finally:
            self._call_event.set()

    def _error(self, call: Call, failure: Failure) -> web.Response:
        call.status = failure.status
        body: dict[str, Any] = {
            "ok": False,
            "error_code": failure.status,
            "description": failure.description,
        }
        if failure.parameters:
            body["parameters"] = failure.parameters
        return web.json_response(body, status=failure.status)

    def _scripted_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        chat = params.get("chat_id")
        for rule in list(self._rules):
            if rule.method is not None and rule.method != method:
                continue
            if rule.chat_id is not None and (chat is None or int(chat) != rule.chat_id):
                continue
            if rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self._rules.remove(rule)
            return rule.failure
        return None

    def _rate_limited(self, method: str) -> Failure | None:
        if not self.rate_limit_per_s or method == "getUpdates":
            return None
        now = time.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate_limit_per_s:
            return Failure.retry_after(1)
        self._window.append(now)
        return None

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(Failure(409, "Conflict: can't use getUpdates while webhook is active"))
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
        # Updates delivered before and now confirmed by the offset are gone, as on Telegram.
        self._pending = [
            p for p in self._pending if not (p.delivered and p.update["update_id"] < offset)
        ]
        deadline = time.monotonic() + wait
        while not self._closing:
            # As on Telegram, an update stays in every answer until an offset confirms it (a
            # long poll abandoned by a stopping client loses nothing). A re-pushed update with an
            # old id is delivered once more: that is how tests simulate a redelivery.
            batch = [
                p for p in self._pending if not p.delivered or p.update["update_id"] >= offset
            ][:limit]
            if batch:
                for p in batch:
                    p.delivered = True
                return [p.update for p in batch]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                break
        return []

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = params["url"]
        self.webhook_secret = params.get("secret_token")
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook_url = None
        self.webhook_secret = None
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if not 1 <= len(commands) <= 100:
            raise ApiError(Failure.bad_request("commands list is invalid"))
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(Failure.bad_request("BOT_COMMAND_INVALID"))
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(Failure.bad_request("BOT_COMMAND_DESCRIPTION_INVALID"))
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") not in _SCOPES:
            raise ApiError(Failure.bad_request("BOT_COMMAND_SCOPE_INVALID"))
        self.menus[scope["type"]] = commands
        return True

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The menu of private chats (the default scope)."""
        return self.menus.get("default", [])

    def _m_setMyDescription(self, params: dict[str, Any]) -> bool:
        text = str(params.get("description") or "")
        if len(text) > 512:
            raise ApiError(Failure.bad_request("BOT_DESCRIPTION_INVALID"))
        self.description = text
        return True

    def _m_setMyShortDescription(self, params: dict[str, Any]) -> bool:
        text = str(params.get("short_description") or "")
        if len(text) > 120:
            raise ApiError(Failure.bad_request("BOT_SHORT_DESCRIPTION_INVALID"))
        self.short_description = text
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True
