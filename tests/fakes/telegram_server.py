"""A fake Telegram Bot API server for tests and benchmarks (aiohttp on 127.0.0.1, ephemeral port).

Point the real python-telegram-bot client at it with ``ApplicationBuilder().base_url(fake.base_url)``.
It records every call (method and decoded parameters), answers the methods termcoach uses, keeps the
messages it "sent" so edits behave like Telegram's, and checks what Telegram checks (HTML entities,
the 4096-character limit, 64-byte callback data, poll limits). Failures are scriptable, per method
and chat, and an optional per-second rate limit answers 429 with ``retry_after`` above it, so the
daily-term broadcaster and the benchmarks can reuse it. Modelled on opsdroid's ``external_api.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
POLL_EXPLANATION_LIMIT = 200
POLL_MIN_OPTIONS, POLL_MAX_OPTIONS = 2, 12

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
_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "a",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)((?:\s[^<>]*)?)>")
_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


class HtmlError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"."""


def parse_telegram_html(text: str) -> str:
    """The plain text Telegram would show for `text` in HTML parse mode, or `HtmlError`."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            m = _TAG_RE.match(text, pos)
            if m is None:
                raise HtmlError(f"unexpected '<' at byte offset {pos}")
            closing, name = m.group(1) == "/", m.group(2).lower()
            if name not in _ALLOWED_TAGS:
                raise HtmlError(f'unsupported start tag "{name}" at byte offset {pos}')
            if closing:
                if not stack or stack[-1] != name:
                    raise HtmlError(f"unmatched end tag at byte offset {pos}, expected </{name}>")
                stack.pop()
            else:
                stack.append(name)
            pos = m.end()
            continue
        if ch == "&":
            m = _ENTITY_RE.match(text, pos)
            if m is None:
                raise HtmlError(f"unsupported entity at byte offset {pos}")
            out.append(html.unescape(m.group()))
            pos = m.end()
            continue
        if ch == ">":
            raise HtmlError(f"unexpected '>' at byte offset {pos}")
        out.append(ch)
        pos += 1
    if stack:
        raise HtmlError(f'can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Failure:
    """A scripted error answer: HTTP status, Telegram description and optional parameters."""

    status: int
    description: str
    parameters: dict[str, Any] | None = None

    @classmethod
    def retry_after(cls, seconds: int = 1) -> Failure:
        """429 Too Many Requests with ``retry_after``."""
        return cls(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    @classmethod
    def blocked(cls) -> Failure:
        """403: the user blocked the bot."""
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def kicked(cls) -> Failure:
        """403: the bot was removed from the group."""
        return cls(403, "Forbidden: bot was kicked from the group chat")

    @classmethod
    def chat_not_found(cls) -> Failure:
        """400: the chat does not exist (any more)."""
        return cls(400, "Bad Request: chat not found")

    @classmethod
    def migrated(cls, new_chat_id: int) -> Failure:
        """400: the group became a supergroup with a new id."""
        return cls(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )

    @classmethod
    def bad_gateway(cls) -> Failure:
        """502, which python-telegram-bot raises as a `NetworkError`."""
        return cls(502, "Bad Gateway")

    @classmethod
    def bad_request(cls, description: str) -> Failure:
        """Any other 400."""
        return cls(400, f"Bad Request: {description}")


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


@dataclass
class FakeTelegram:
    """The fake server. Use ``async with FakeTelegram() as fake:``; ``fake.base_url`` is for PTB."""

    token: str = "123456789:AAFakeTokenForTests_abcdefghijklmnopq"
    bot_id: int = 123456789
    username: str = "termcoach_test_bot"
    rate_limit_per_s: float | None = None
    max_poll_wait: float = 0.5
    calls: list[Call] = field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    commands: list[dict[str, Any]] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        self._rules: list[_Rule] = []
        self._pending: list[_Pending] = []
        self._new_update = asyncio.Event()
        self._call_event = asyncio.Event()
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._poll_ids = itertools.count(5_000_000)
        self._callback_ids = itertools.count(7_000)
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.polls: dict[str, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.admins: dict[int, set[int]] = {}
        self._window: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self._closing = False

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        """Serve on an ephemeral port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once."""
        self._closing = True
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The server root, ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

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

    def next_update_id(self) -> int:
        """A fresh update id."""
        return next(self._update_ids)

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (even one whose id was delivered before: a redelivery)."""
        self._pending.append(_Pending(update))
        self._new_update.set()
        return update

    def push_many(self, updates: Iterable[dict[str, Any]]) -> None:
        """Queue several updates at once."""
        for update in updates:
            self._pending.append(_Pending(update))
        self._new_update.set()

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet delivered."""
        return sum(1 for p in self._pending if not p.delivered)

    async def deliver_webhook(
        self, update: dict[str, Any], *, secret: str | None = None, wait_s: float = 10.0
    ) -> int:
        """POST `update` to the registered webhook as Telegram does; returns the HTTP status.

        `secret` overrides the registered secret token (to test a wrong one).
        """
        if not self.webhook_url:
            raise AssertionError("no webhook registered")
        token = self.webhook_secret if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        async with (
            ClientSession(timeout=ClientTimeout(total=wait_s)) as session,
            session.post(self.webhook_url, json=update, headers=headers) as response,
        ):
            return response.status

    def user(self, user_id: int, *, first_name: str | None = None) -> dict[str, Any]:
        """A Telegram User object."""
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
            "language_code": "en",
        }

    def chat(
        self, chat_id: int, *, title: str | None = None, forum: bool = False
    ) -> dict[str, Any]:
        """A Chat object: private for a positive id, supergroup for a negative one."""
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            chat: dict[str, Any] = {
                "id": chat_id,
                "type": "private",
                "first_name": f"User{chat_id}",
            }
        else:
            chat = {"id": chat_id, "type": "supergroup", "title": title or f"Group {chat_id}"}
            if forum:
                chat["is_forum"] = True
        self.chats[chat_id] = chat
        return chat

    def message(
        self,
        text: str,
        *,
        chat_id: int,
        user_id: int | None = None,
        thread_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """A Message object from a user (``user_id`` defaults to the chat id, as in a DM)."""
        uid = user_id if user_id is not None else chat_id
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self.user(uid, first_name=first_name),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if thread_id is not None:
            msg["message_thread_id"] = thread_id
            msg["is_topic_message"] = True
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return msg

    def text_update(self, text: str, *, chat_id: int, **kwargs: Any) -> dict[str, Any]:
        """An update carrying a text message (a command when it starts with ``/``)."""
        return {
            "update_id": self.next_update_id(),
            "message": self.message(text, chat_id=chat_id, **kwargs),
        }

    def callback_update(
        self, message: dict[str, Any], data: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """A button press on `message` (a message this fake sent) carrying `data`."""
        uid = user_id if user_id is not None else message["chat"]["id"]
        return {
            "update_id": self.next_update_id(),
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": self.user(uid),
                "chat_instance": f"ci{message['chat']['id']}",
                "message": message,
                "data": data,
            },
        }

    def poll_answer_update(
        self, poll_id: str, user_id: int, option_ids: list[int]
    ) -> dict[str, Any]:
        """A quiz poll answer (it carries no chat, as on Telegram)."""
        return {
            "update_id": self.next_update_id(),
            "poll_answer": {
                "poll_id": poll_id,
                "user": self.user(user_id),
                "option_ids": option_ids,
                "option_persistent_ids": [f"{poll_id}-{i}" for i in option_ids],
            },
        }

    def member_update(self, chat_id: int, user_id: int, status: str) -> dict[str, Any]:
        """A ``my_chat_member`` update: the bot's status changed (``kicked`` when blocked)."""
        bot = {"id": self.bot_id, "is_bot": True, "first_name": "termcoach"}
        return {
            "update_id": self.next_update_id(),
            "my_chat_member": {
                "chat": self.chat(chat_id),
                "from": self.user(user_id),
                "date": int(time.time()),
                "old_chat_member": {"status": "member", "user": bot},
                "new_chat_member": {"status": status, "user": bot, "until_date": 0},
            },
        }

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

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

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
            failure = self._scripted_failure(method, params) or self._rate_limited(method)
            if failure is not None:
                return self._error(call, failure)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return self._error(call, Failure(404, "Not Found: method not found"))
            try:
                result = handler(params) if method != "getUpdates" else await handler(params)
            except _ApiError as exc:
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

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "termcoach",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user()

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise _ApiError(Failure(409, "Conflict: can't use getUpdates while webhook is active"))
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
            raise _ApiError(Failure.bad_request("commands list is invalid"))
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise _ApiError(Failure.bad_request("BOT_COMMAND_INVALID"))
            if not 1 <= len(command.get("description", "")) <= 256:
                raise _ApiError(Failure.bad_request("BOT_COMMAND_DESCRIPTION_INVALID"))
        self.commands = commands
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = "administrator" if user_id in self.admins.get(chat_id, set()) else "member"
        member: dict[str, Any] = {"status": status, "user": self.user(user_id)}
        if status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        return member

    def _check_markup(self, params: dict[str, Any]) -> None:
        markup = params.get("reply_markup")
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise _ApiError(Failure.bad_request("BUTTON_DATA_INVALID"))
                if not button.get("text"):
                    raise _ApiError(Failure.bad_request("BUTTON_TEXT_EMPTY"))

    def _plain(self, text: str, parse_mode: str | None, limit: int, what: str) -> str:
        try:
            plain = parse_telegram_html(text) if parse_mode == "HTML" else text
        except HtmlError as exc:
            raise _ApiError(Failure.bad_request(f"can't parse entities: {exc}")) from exc
        if not plain.strip() and what == "message":
            raise _ApiError(Failure.bad_request("message text is empty"))
        if utf16_len(plain) > limit:
            raise _ApiError(Failure.bad_request(f"{what} is too long"))
        return plain

    def _store(self, chat_id: int, extra: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self._bot_user(),
            **extra,
        }
        if params.get("message_thread_id") is not None:
            msg["message_thread_id"] = int(params["message_thread_id"])
            msg["is_topic_message"] = True
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        plain = self._plain(
            str(params.get("text", "")), params.get("parse_mode"), TEXT_LIMIT, "message"
        )
        self._check_markup(params)
        return self._store(chat_id, {"text": plain}, params)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        caption = str(params.get("caption", ""))
        plain = self._plain(caption, params.get("parse_mode"), CAPTION_LIMIT, "caption")
        self._check_markup(params)
        photo = [{"file_id": "photo1", "file_unique_id": "u1", "width": 640, "height": 480}]
        extra: dict[str, Any] = {"photo": photo}
        if plain:
            extra["caption"] = plain
        return self._store(chat_id, extra, params)

    def _m_sendPoll(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        question = str(params.get("question", ""))
        options = params.get("options") or []
        texts = [o["text"] if isinstance(o, dict) else str(o) for o in options]
        if not 1 <= len(question) <= POLL_QUESTION_LIMIT:
            raise _ApiError(Failure.bad_request("POLL_QUESTION_INVALID"))
        if not POLL_MIN_OPTIONS <= len(texts) <= POLL_MAX_OPTIONS:
            raise _ApiError(Failure.bad_request("POLL_OPTIONS_COUNT_INVALID"))
        if any(not 1 <= len(t) <= POLL_OPTION_LIMIT for t in texts):
            raise _ApiError(Failure.bad_request("POLL_OPTION_LENGTH_INVALID"))
        if len(set(texts)) != len(texts):
            raise _ApiError(Failure.bad_request("POLL_OPTION_DUPLICATE"))
        explanation = str(params.get("explanation", ""))
        if explanation:
            plain = self._plain(
                explanation,
                params.get("explanation_parse_mode"),
                POLL_EXPLANATION_LIMIT,
                "explanation",
            )
            if plain.count("\n") > 2:
                raise _ApiError(Failure.bad_request("explanation has too many line feeds"))
        poll_type = params.get("type", "regular")
        # Bot API 9.6 replaced correct_option_id with the list correct_option_ids.
        ids = params.get("correct_option_ids")
        if ids is None and params.get("correct_option_id") is not None:
            ids = [params["correct_option_id"]]
        correct = int(ids[0]) if ids else None
        if poll_type == "quiz" and (correct is None or not 0 <= correct < len(texts)):
            raise _ApiError(Failure.bad_request("QUIZ_CORRECT_ANSWERS_EMPTY"))
        poll_id = str(next(self._poll_ids))
        poll = {
            "id": poll_id,
            "question": question,
            # Bot API 9.6: every option has a persistent id, which poll answers carry too.
            "options": [
                {"text": t, "voter_count": 0, "persistent_id": f"{poll_id}-{i}"}
                for i, t in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": poll_type,
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        if correct is not None:
            poll["correct_option_ids"] = [correct]
        if explanation:
            poll["explanation"] = explanation
        self.polls[poll["id"]] = poll
        return self._store(chat_id, {"poll": poll}, params)

    def _m_stopPoll(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        msg = self.messages.get(key)
        if msg is None or "poll" not in msg:
            raise _ApiError(Failure.bad_request("message with poll to stop not found"))
        msg["poll"]["is_closed"] = True
        return dict(msg["poll"])

    def _find(self, params: dict[str, Any], what: str) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        msg = self.messages.get(key)
        if msg is None:
            raise _ApiError(Failure.bad_request(f"message to {what} not found"))
        return msg

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._find(params, "edit")
        if "text" not in msg:
            raise _ApiError(Failure.bad_request("there is no text in the message to edit"))
        plain = self._plain(
            str(params.get("text", "")), params.get("parse_mode"), TEXT_LIMIT, "message"
        )
        self._check_markup(params)
        markup = params.get("reply_markup")
        if plain == msg["text"] and markup == msg.get("reply_markup"):
            raise _ApiError(Failure.bad_request("message is not modified"))
        msg["text"] = plain
        msg["edit_date"] = int(time.time())
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return msg

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._find(params, "edit")
        self._check_markup(params)
        markup = params.get("reply_markup")
        if markup == msg.get("reply_markup") or (not markup and "reply_markup" not in msg):
            raise _ApiError(Failure.bad_request("message is not modified"))
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return msg

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise _ApiError(Failure.bad_request("QUERY_ID_INVALID"))
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True


class _ApiError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.description)
        self.failure = failure
