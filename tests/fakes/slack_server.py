"""A fake Slack Web API for tests and benchmarks (aiohttp on 127.0.0.1, ephemeral port).

Point the real client at it with ``AsyncWebClient(token=..., base_url=fake.api_url)`` (the URL ends
with a slash, as slack_sdk expects). It records every call (method, decoded parameters, token),
answers the methods termcoach uses (``auth.test``, ``chat.postMessage``, ``chat.postEphemeral``,
``chat.update``, ``views.publish``, ``conversations.open``, ``users.info``, ``oauth.v2.access``,
the ``files.*`` upload flow, ``apps.connections.open``), keeps the messages it "posted" so updates
behave like Slack's, and checks Block Kit limits the way Slack does (``invalid_blocks``).

Failures are scriptable per method (and optionally per channel): any Slack error code, or a 429
with ``Retry-After``. Response URLs (``fake.response_url(key)``) record what an app posts to them,
and a Socket Mode WebSocket endpoint lets a test push envelopes and read the app's acks.
Modelled on opsdroid's ``external_api.py``: queued behaviour, recorded payloads.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.server import FakeServer

# Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_BLOCK_ID = 255
MAX_ACTIONS_ELEMENTS = 25
MAX_SELECT_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_PLACEHOLDER = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_MESSAGE_TEXT = 40_000


@dataclass
class SlackCall:
    """One recorded request: the API method (or ``response_url``/``upload``), params and token."""

    method: str
    params: dict[str, Any]
    token: str | None = None
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    response: dict[str, Any] | None = None

    @property
    def channel(self) -> str | None:
        """The channel the call addressed, if any."""
        value = self.params.get("channel") or self.params.get("channel_id")
        return str(value) if value is not None else None

    @property
    def text(self) -> str:
        """The fallback text of a message call ('' when absent)."""
        return str(self.params.get("text") or "")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The Block Kit blocks of a message or view call."""
        blocks = self.params.get("blocks")
        if blocks is None and isinstance(self.params.get("view"), dict):
            blocks = self.params["view"].get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        return list(blocks or [])

    def all_text(self) -> str:
        """Every piece of text in the call (fallback and blocks), for loose assertions."""
        parts = [self.text]
        _collect_text(self.blocks, parts)
        return "\n".join(p for p in parts if p)

    def button_values(self) -> list[str]:
        """The values of every button in the call's blocks, in order."""
        return [e["value"] for e in self.buttons() if "value" in e]

    def buttons(self) -> list[dict[str, Any]]:
        """Every button element in the call's blocks, in order."""
        return self._elements("button")

    def selects(self) -> list[dict[str, Any]]:
        """Every ``static_select`` menu in the call's blocks, in order."""
        return self._elements("static_select")

    def _elements(self, kind: str) -> list[dict[str, Any]]:
        # Elements of actions blocks, and a section's accessory.
        found: list[dict[str, Any]] = []
        for block in self.blocks:
            elements = block.get("elements", []) if block.get("type") == "actions" else []
            if block.get("type") == "section" and block.get("accessory"):
                elements = [block["accessory"]]
            found += [e for e in elements if e.get("type") == kind]
        return found


def _collect_text(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        text = node.get("text")
        if isinstance(text, str):
            out.append(text)
        for value in node.values():
            if isinstance(value, dict | list):
                _collect_text(value, out)
    elif isinstance(node, list):
        for item in node:
            _collect_text(item, out)


@dataclass
class Workspace:
    """A workspace the fake knows: its bot token identity for ``auth.test``."""

    team_id: str
    token: str
    bot_user_id: str
    bot_id: str
    team_name: str
    enterprise_id: str | None = None


@dataclass
class _Failure:
    method: str
    error: str | None
    status: int
    headers: dict[str, str]
    channel: str | None
    remaining: int


class BlockKitError(ValueError):
    """Blocks that Slack would refuse with ``invalid_blocks``."""


def _check_block_id(block: dict[str, Any], seen: set[str]) -> None:
    block_id = block.get("block_id")
    if block_id is None:
        return
    if len(block_id) > MAX_BLOCK_ID:
        raise BlockKitError("block_id too long")
    if block_id in seen:
        raise BlockKitError(f"duplicate block_id {block_id}")
    seen.add(block_id)


def _check_header(block: dict[str, Any]) -> None:
    text = block.get("text", {})
    if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= MAX_HEADER_TEXT:
        raise BlockKitError("header needs plain_text of 1..150 characters")


def _check_section(block: dict[str, Any]) -> None:
    text = block.get("text")
    if text is None and not block.get("fields"):
        raise BlockKitError("section needs text or fields")
    if text is not None and not 0 < len(text.get("text", "")) <= MAX_SECTION_TEXT:
        raise BlockKitError("section text must be 1..3000 characters")
    for f in block.get("fields", []):
        if not 0 < len(f.get("text", "")) <= 2000:
            raise BlockKitError("section field must be 1..2000 characters")
    if len(block.get("fields", [])) > 10:
        raise BlockKitError("section has at most 10 fields")
    accessory = block.get("accessory")
    if accessory is not None:
        if accessory.get("type") == "button":
            _check_button(accessory)
        elif accessory.get("type") == "static_select":
            _check_select(accessory)


def _check_button(element: dict[str, Any]) -> None:
    label = element.get("text", {})
    if label.get("type") != "plain_text" or not 0 < len(label.get("text", "")) <= MAX_BUTTON_TEXT:
        raise BlockKitError("button text must be plain_text of 1..75 characters")
    if len(element.get("value", "")) > MAX_BUTTON_VALUE:
        raise BlockKitError("button value too long")


def _check_actions(block: dict[str, Any]) -> None:
    elements = block.get("elements", [])
    if not 0 < len(elements) <= MAX_ACTIONS_ELEMENTS:
        raise BlockKitError("actions block needs 1..25 elements")
    action_ids: set[str] = set()
    for element in elements:
        action_id = element.get("action_id", "")
        if len(action_id) > MAX_ACTION_ID:
            raise BlockKitError("action_id too long")
        if action_id in action_ids:
            raise BlockKitError(f"duplicate action_id {action_id}")
        action_ids.add(action_id)
        kind = element.get("type")
        if kind == "button":
            _check_button(element)
        elif kind == "static_select":
            _check_select(element)
        else:
            raise BlockKitError(f"unexpected element {kind!r} in an actions block")


def _plain(obj: Any, limit: int) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("type") == "plain_text"
        and 0 < len(obj.get("text", "")) <= limit
    )


def _check_select(element: dict[str, Any]) -> None:
    # Slack refuses a select without options, with more than 100, or with an option whose
    # text is over 75 or whose value is over 150 characters; the placeholder is plain text.
    if "placeholder" in element and not _plain(element["placeholder"], MAX_PLACEHOLDER):
        raise BlockKitError("select placeholder must be plain_text of 1..150 characters")
    options = element.get("options")
    if not isinstance(options, list) or not 0 < len(options) <= MAX_SELECT_OPTIONS:
        raise BlockKitError("static_select needs 1..100 options")
    values: set[str] = set()
    for option in options:
        if not _plain(option.get("text"), MAX_OPTION_TEXT):
            raise BlockKitError("option text must be plain_text of 1..75 characters")
        value = option.get("value", "")
        if not 0 < len(value) <= MAX_OPTION_VALUE:
            raise BlockKitError("option value must be 1..150 characters")
        if value in values:
            raise BlockKitError(f"duplicate option value {value}")
        values.add(value)


def _check_context(block: dict[str, Any]) -> None:
    if not 0 < len(block.get("elements", [])) <= MAX_CONTEXT_ELEMENTS:
        raise BlockKitError("context block needs 1..10 elements")


def _unchecked(block: dict[str, Any]) -> None:
    """Block types Slack accepts that termcoach's checks need not look into."""


_BLOCK_CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "header": _check_header,
    "section": _check_section,
    "actions": _check_actions,
    "context": _check_context,
    "divider": _unchecked,
    "image": _unchecked,
    "rich_text": _unchecked,
    "markdown": _unchecked,
}


def check_blocks(blocks: Any, *, limit: int = MAX_BLOCKS_MESSAGE) -> None:
    """Raise `BlockKitError` if Slack would refuse these blocks."""
    if not isinstance(blocks, list):
        raise BlockKitError("blocks must be a list")
    if len(blocks) > limit:
        raise BlockKitError(f"too many blocks: {len(blocks)} > {limit}")
    block_ids: set[str] = set()
    for block in blocks:
        _check_block_id(block, block_ids)
        check = _BLOCK_CHECKS.get(block.get("type"))
        if check is None:
            raise BlockKitError(f"unknown block type {block.get('type')!r}")
        check(block)


class FakeSlackServer(FakeServer):
    """The fake Web API. Use as ``async with FakeSlackServer() as fake:``."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[SlackCall] = []
        self.workspaces: dict[str, Workspace] = {}
        self.oauth_codes: dict[str, dict[str, Any]] = {}
        self.app_tokens: set[str] = set()
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.socket_acks: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self._failures: list[_Failure] = []
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connected = asyncio.Event()
        self._changed = asyncio.Condition()
        self._envelopes = itertools.count(1)

    # ---- lifecycle ----------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        """The Web API, response URLs, the file upload URLs and the Socket Mode endpoint."""
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)

    async def stop(self) -> None:
        """Close Socket Mode connections, then stop listening (safe to call twice)."""
        for ws in list(self._sockets):
            await ws.close()
        await super().stop()

    @property
    def api_url(self) -> str:
        """The Web API base URL, with the trailing slash slack_sdk needs."""
        return f"{self.url}/api/"

    # ---- scripting ----------------------------------------------------------------------

    def add_workspace(
        self,
        team_id: str,
        token: str | None = None,
        *,
        bot_user_id: str | None = None,
        bot_id: str | None = None,
        team_name: str | None = None,
        enterprise_id: str | None = None,
    ) -> Workspace:
        """Register a workspace and its bot token (answered by ``auth.test``)."""
        ws = Workspace(
            team_id=team_id,
            token=token or f"xoxb-{team_id}-fake",
            bot_user_id=bot_user_id or f"UB{team_id}",
            bot_id=bot_id or f"B{team_id}",
            team_name=team_name or f"Team {team_id}",
            enterprise_id=enterprise_id,
        )
        self.workspaces[ws.token] = ws
        return ws

    def add_oauth_code(
        self, code: str, workspace: Workspace, installer: str = "UINSTALLER"
    ) -> None:
        """Make ``oauth.v2.access`` exchange `code` for `workspace`'s bot token."""
        self.oauth_codes[code] = {"workspace": workspace, "installer": installer}

    def add_app_token(self, token: str) -> None:
        """Accept `token` for ``apps.connections.open`` (Socket Mode)."""
        self.app_tokens.add(token)

    def fail(
        self,
        method: str,
        error: str,
        *,
        times: int = 1,
        channel: str | None = None,
        status: int = 200,
    ) -> None:
        """Answer the next `times` calls of `method` (to `channel`, if given) with ``error``."""
        self._failures.append(_Failure(method, error, status, {}, channel, times))

    def rate_limit(
        self, method: str, *, retry_after: int = 1, times: int = 1, channel: str | None = None
    ) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and ``Retry-After``."""
        headers = {"Retry-After": str(retry_after)}
        self._failures.append(_Failure(method, "ratelimited", 429, headers, channel, times))

    def response_url(self, key: str) -> str:
        """A response URL for a slash command or action payload; posts to it are recorded."""
        return f"{self.url}/response/{key}"

    # ---- inspection ---------------------------------------------------------------------

    def calls_to(self, *methods: str) -> list[SlackCall]:
        """Recorded calls of these methods, in order."""
        return [c for c in self.calls if c.method in methods]

    def messages_sent(self) -> list[SlackCall]:
        """Every call that shows something to a user (posts, ephemerals, updates, responses)."""
        return self.calls_to(
            "chat.postMessage", "chat.postEphemeral", "chat.update", "response_url", "views.publish"
        )

    def reset(self) -> None:
        """Forget recorded calls (workspaces and scripted failures stay)."""
        self.calls.clear()

    async def wait_until(
        self, condition: Callable[[], bool], *, seconds: float = 5.0, what: str = "a condition"
    ) -> None:
        """Wait until `condition()` holds; it is checked again after every recorded call."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(condition), seconds)
            except TimeoutError:
                got = [c.method for c in self.calls]
                raise AssertionError(f"waited {seconds}s for {what}; calls so far: {got}") from None

    async def wait_for(
        self, *methods: str, count: int = 1, seconds: float = 5.0
    ) -> list[SlackCall]:
        """Wait until at least `count` calls of `methods` were recorded; return them."""
        await self.wait_until(
            lambda: len(self.calls_to(*methods)) >= count,
            seconds=seconds,
            what=f"{count} x {methods}",
        )
        return self.calls_to(*methods)

    # ---- socket mode --------------------------------------------------------------------

    async def wait_socket(self, seconds: float = 5.0) -> None:
        """Wait until a Socket Mode client is connected."""
        await asyncio.wait_for(self._socket_connected.wait(), seconds)

    async def push_envelope(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0, seconds: float = 5.0
    ) -> dict[str, Any]:
        """Send a Socket Mode envelope (``events_api``, ``slash_commands``, ``interactive``).

        Returns the app's acknowledgement once it arrives.
        """
        await self.wait_socket(seconds)
        envelope_id = f"env-{next(self._envelopes)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        await self._sockets[-1].send_str(json.dumps(envelope))

        def acked() -> bool:
            return any(a.get("envelope_id") == envelope_id for a in self.socket_acks)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(acked), seconds)
        return next(a for a in self.socket_acks if a.get("envelope_id") == envelope_id)

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        self._socket_connected.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                await self._record(SlackCall("socket.ack", data, path="/socket"))
                self.socket_acks.append(data)
                async with self._changed:
                    self._changed.notify_all()
        self._sockets.remove(ws)
        if not self._sockets:
            self._socket_connected.clear()
        return ws

    # ---- HTTP handlers ------------------------------------------------------------------

    async def _record(self, call: SlackCall) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            elif ctype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
                form = await request.post()
                for key, item in form.items():
                    params[key] = item if isinstance(item, str) else "(file)"
            else:
                params["_body"] = await request.read()
        for key in ("blocks", "view", "attachments", "files"):
            value = params.get(key)
            if isinstance(value, str) and value[:1] in "[{":
                params[key] = json.loads(value)
        return params

    def _scripted(self, method: str, params: dict[str, Any]) -> _Failure | None:
        channel = params.get("channel") or params.get("channel_id")
        for failure in self._failures:
            if failure.method != method or failure.remaining <= 0:
                continue
            if failure.channel is not None and failure.channel != channel:
                continue
            failure.remaining -= 1
            return failure
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.pop("token", None)
        call = SlackCall(
            method, params, token=token, path=request.path, headers=dict(request.headers)
        )
        await self._record(call)
        failure = self._scripted(method, params)
        if failure is not None:
            call.response = {"ok": False, "error": failure.error}
            return web.json_response(call.response, status=failure.status, headers=failure.headers)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            call.response = {"ok": False, "error": "unknown_method"}
        elif method not in {"oauth.v2.access", "apps.connections.open"} and (
            token not in self.workspaces
        ):
            call.response = {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        else:
            params["_workspace"] = self.workspaces.get(token or "")
            params["_token"] = token
            call.response = await handler(params)
            params.pop("_workspace", None)
            params.pop("_token", None)
        return web.json_response(call.response)

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _check_message(self, params: dict[str, Any], where: str = "") -> dict[str, Any] | None:
        """Slack's checks on a message; anything an app should not send is also kept in
        `problems`, so a test can assert none happened (a refused message only shows in logs)."""
        if where != "response_url" and not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        blocks = params.get("blocks")
        error: dict[str, Any] | None = None
        if not params.get("text") and not blocks:
            error = {"ok": False, "error": "no_text"}
        elif len(str(params.get("text") or "")) > MAX_MESSAGE_TEXT:
            error = {"ok": False, "error": "msg_too_long"}
        elif blocks is not None:
            try:
                check_blocks(blocks)
            except BlockKitError as exc:
                error = {"ok": False, "error": "invalid_blocks", "detail": str(exc)}
        if error is not None:
            self.problems.append(f"{where}: {error['error']} {error.get('detail', '')}".strip())
        elif blocks and not params.get("text"):
            # Slack accepts it, but notifications and old clients then show nothing useful.
            self.problems.append(f"{where}: blocks without a plain-text fallback")
        return error

    async def _m_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        ws: Workspace = p["_workspace"]
        return {
            "ok": True,
            "url": f"https://{ws.team_id.lower()}.slack.com/",
            "team": ws.team_name,
            "user": "termcoach",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "enterprise_id": ws.enterprise_id,
            "is_enterprise_install": False,
        }

    async def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        error = self._check_message(p, "chat.postMessage")
        if error:
            return error
        ts = self._next_ts()
        message = {
            "type": "message",
            "ts": ts,
            "text": p.get("text", ""),
            "blocks": p.get("blocks", []),
            "bot_id": p["_workspace"].bot_id,
            "user": p["_workspace"].bot_user_id,
        }
        if p.get("thread_ts"):
            message["thread_ts"] = p["thread_ts"]
        self.messages[(p["channel"], ts)] = message
        return {"ok": True, "channel": p["channel"], "ts": ts, "message": message}

    async def _m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        error = self._check_message(p, "chat.postEphemeral")
        if error:
            return error
        if not p.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    async def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        error = self._check_message(p, "chat.update")
        if error:
            return error
        key = (p["channel"], str(p.get("ts", "")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key].update(text=p.get("text", ""), blocks=p.get("blocks", []))
        return {"ok": True, "channel": p["channel"], "ts": key[1], "text": p.get("text", "")}

    async def _m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        view = p.get("view")
        if not isinstance(view, dict) or view.get("type") != "home" or not p.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        try:
            check_blocks(view.get("blocks", []), limit=MAX_BLOCKS_VIEW)
        except BlockKitError as exc:
            self.problems.append(f"views.publish: invalid_blocks {exc}")
            return {"ok": False, "error": "invalid_blocks", "detail": str(exc)}
        return {"ok": True, "view": {"id": "V123", **view}}

    async def _m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = str(p.get("users", ""))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}

    async def _m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = str(p.get("user", ""))
        if not user:
            return {"ok": False, "error": "user_not_found"}
        name = user.lower()
        profile = {"display_name": name, "real_name": name.title()}
        return {"ok": True, "user": {"id": user, "name": name, "tz": "UTC", "profile": profile}}

    async def _m_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ts)}"
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _m_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files") or []
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}

    async def _m_oauth_v2_access(self, p: dict[str, Any]) -> dict[str, Any]:
        grant = self.oauth_codes.pop(str(p.get("code", "")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        ws: Workspace = grant["workspace"]
        return {
            "ok": True,
            "app_id": "A0TERMCOACH",
            "access_token": ws.token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": ws.bot_user_id,
            "team": {"id": ws.team_id, "name": ws.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": grant["installer"]},
        }

    async def _m_apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("_token") not in self.app_tokens:
            return {"ok": False, "error": "invalid_auth"}
        ws_url = self.url.replace("http://", "ws://") + "/socket"
        return {"ok": True, "url": ws_url}

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        key = request.match_info["key"]
        await self._record(SlackCall("response_url", params, path=request.path))
        failure = self._scripted("response_url", {"channel": key})
        if failure is not None:
            return web.Response(status=failure.status, text=failure.error or "error")
        error = self._check_message(params, "response_url")
        if error is not None:
            return web.Response(status=400, text=str(error["error"]))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        call = SlackCall("upload", {"file_id": request.match_info["file_id"], "size": len(data)})
        await self._record(call)
        return web.Response(text="OK - " + str(len(data)))


def methods(calls: Iterable[SlackCall]) -> list[str]:
    """The method names of `calls`, for compact assertions."""
    return [c.method for c in calls]
