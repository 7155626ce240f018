"""The Slack adapter: slack-bolt's AsyncApp as a thin translator between Slack and the engine.

Two pure functions do the translating, `to_inbound(body)` (a slash command, a button press or an
event to an engine message) and `target_for(body)` (where that turn's replies go), beside
`adapters.slack_render.render(reply)`. The listeners in between only acknowledge, then hand the
turn to a background task: Slack's 3-second deadline is met by the ack alone, whatever the engine
or an LLM role-play turn costs.

Why ``process_before_response=True``: bolt's default listener runner starts the listener in a task
and polls every 10 ms for ``ack()`` (``slack_bolt/listener/asyncio_runner.py``), so every response
waits at least one poll. With ``process_before_response`` the listener runs inline; ours calls
``ack()`` at once and spawns the turn itself, so the HTTP response leaves as soon as bolt's
middleware (signature check, authorization) is done.

Where replies go (the channel is never flooded):
- a DM (``message.im``, a slash command in a DM, an App Home button): posted in the DM;
- a slash command in a channel: ephemeral, through the command's ``response_url`` (which works
  even where the bot is not a member); the pressed question is replaced through the action's
  ``response_url``;
- an ``app_mention`` in a channel: in the mention's thread, which is that conversation's thread;
- a button on a public channel post (the daily term): ephemeral to whoever pressed it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.redact import redacted_logger
from adapters.slack_install import SqlInstallationStore, SqlOAuthStateStore, TokenCipher
from adapters.slack_render import (
    ACTION_PREFIX,
    CHOICE_ACTION,
    HOME_ACTION,
    QUESTION_BLOCK,
    HomeProgress,
    answered,
    render,
    render_home,
    slack_commands,
)
from bot.daily.pacing import PacingRules, Rate
from bot.engine import DialogueEngine
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
from bot.roleplay.history import title_of
from storage.db import Database
from storage.errors import StorageError

log = logging.getLogger("termcoach.slack")

PLATFORM = "slack"

# The bot scopes termcoach asks for, and nothing more (deploy/slack-manifest.yaml lists the same):
# commands (the slash command), chat:write (post, ephemeral, update), app_mentions:read and
# im:history (the two message events), im:write (open the DM an App Home button starts in),
# files:write (the progress chart of `stats chart`).
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:write",
)

# The engine's commands; a mention whose first word is one of them is run as that command.
ENGINE_COMMANDS = frozenset(
    {
        "help",
        "start",
        "term",
        "topics",
        "quiz",
        "review",
        "hint",
        "stats",
        "settings",
        "roleplay",
        "exercises",
        "prep",
        "done",
        "daily",
        "cancel",
    }
)

# Slack redelivers an event it thinks we missed (X-Slack-Retry-Num); drop repeats for this long.
# The engine also drops a repeated message id (in the database, across replicas).
EVENT_DEDUPE_SECONDS = 15 * 60
STOP_GRACE_SECONDS = 5.0
SOCKET_CONNECT_SECONDS = 30.0
RATE_LIMIT_RETRIES = 3
QUESTION_MEMORY = 5000
RESPONSE_URL_USES = 5

# What a failed send means for the daily broadcaster (issue 7): stop for good, or not.
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
AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})
# Slack allows about one message a second per channel; a 429 pauses the workspace's token.
PACING = PacingRules(chat=Rate(1, 1.0), pause="workspace")

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

_LEADING_MENTIONS = re.compile(r"^(?:\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)+")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


class SlackConfigError(ValueError):
    """The Slack settings cannot work together; the message says what to set."""


# ---------------------------------------------------------------------------------------------
# Pure translation: Slack payloads in, engine messages and reply targets out.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pressed:
    """The message whose button was pressed: where it is and which question it asked."""

    channel: str
    ts: str | None
    question_id: str | None
    ephemeral: bool
    shared: bool  # a public top-level channel message: everyone sees it, never rewrite it
    blocks: tuple[dict[str, Any], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Target:
    """Where and how the replies of one turn are shown."""

    team: str
    channel: str
    user: str
    thread_ts: str | None = None
    ephemeral: bool = False
    is_dm: bool = False
    response_url: str | None = None
    pressed: Pressed | None = None


def _unescape(text: str) -> str:
    # Slack sends message text with &, < and > as entities.
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _is_dm(channel: str, channel_type: str | None = None) -> bool:
    return channel_type == "im" or channel.startswith("D")


def _team_of(body: Mapping[str, Any]) -> str:
    team = body.get("team")
    user = body.get("user")
    event = body.get("event")
    return str(
        body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else None)
        or (user.get("team_id") if isinstance(user, dict) else None)
        or (event.get("team") if isinstance(event, dict) else None)
        or ""
    )


def parse_block_id(block_id: str) -> tuple[str | None, str | None]:
    """``q:<question id>|t:<thread ts>|n:<k>`` to (question id, thread ts)."""
    question: str | None = None
    thread: str | None = None
    for part in block_id.split("|"):
        if part.startswith(QUESTION_BLOCK):
            question = part[len(QUESTION_BLOCK) :] or None
        elif part.startswith("t:"):
            thread = part[2:] or None
    return question, thread


def _action_thread(body: Mapping[str, Any]) -> str | None:
    action = (body.get("actions") or [{}])[0]
    _, thread = parse_block_id(str(action.get("block_id") or ""))
    if thread:
        return thread
    message = body.get("message") or {}
    container = body.get("container") or {}
    thread_ts = message.get("thread_ts") or container.get("thread_ts")
    own_ts = message.get("ts") or container.get("message_ts")
    # A top-level message that has replies carries its own ts as thread_ts: not "in a thread".
    return str(thread_ts) if thread_ts and thread_ts != own_ts else None


def _is_admin(team: str, user: str, admins: Collection[str]) -> bool:
    # TERMCOACH_SLACK_ADMINS empty: anyone in the channel may change channel settings.
    return not admins or user in admins or f"{team}:{user}" in admins


def to_inbound(
    body: Mapping[str, Any],
    *,
    commands: Collection[str] = ENGINE_COMMANDS,
    admins: Collection[str] = (),
    dm_channel: str | None = None,
    bot_user_id: str | None = None,
) -> Inbound | None:
    """Translate a Slack request body (slash command, block action or event) to an engine message.

    Returns None for what termcoach ignores (bot messages, edits, other events, an App Home button
    without its `dm_channel`). Learners and conversations are keyed by team: the ref's workspace
    is the team id, so workspaces never share state.
    """
    team = _team_of(body)
    if "command" in body:
        return _command_inbound(body, team, admins)
    if body.get("type") == "block_actions":
        return _action_inbound(body, team, admins, dm_channel)
    if body.get("type") == "event_callback":
        return _event_inbound(body, team, commands, admins, bot_user_id)
    return None


def _command_inbound(body: Mapping[str, Any], team: str, admins: Collection[str]) -> Inbound:
    channel = str(body.get("channel_id") or "")
    user = str(body.get("user_id") or "")
    name, _, args = str(body.get("text") or "").strip().partition(" ")
    dm = _is_dm(channel, "im" if body.get("channel_name") == "directmessage" else None)
    return CommandIn(
        # In a channel the answers are private (ephemeral), so each person gets their own
        # conversation there; the channel itself (its daily term) is still `channel`.
        ref=ConversationRef(PLATFORM, team, channel, user, scope=None if dm else user),
        message_id=f"slack:{body.get('trigger_id') or _fallback_id(body)}",
        name=name.lstrip("/").lower() or "help",
        args=_unescape(args.strip()),
        display_name=body.get("user_name") or None,
        is_group=not _is_dm(channel, "im" if body.get("channel_name") == "directmessage" else None),
        is_admin=_is_admin(team, user, admins),
        raw=body,
    )


def _action_inbound(
    body: Mapping[str, Any], team: str, admins: Collection[str], dm_channel: str | None
) -> Inbound | None:
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    action_id = str(action.get("action_id") or "")
    user = str((body.get("user") or {}).get("id") or "")
    display = (body.get("user") or {}).get("username") or None
    message_id = f"slack:{body.get('trigger_id') or _fallback_id(body)}"
    if action_id.startswith(HOME_ACTION):
        if not dm_channel:
            return None
        return CommandIn(
            ref=ConversationRef(PLATFORM, team, dm_channel, user),
            message_id=message_id,
            name=str(action.get("value") or action_id[len(HOME_ACTION) :]),
            display_name=display,
            is_admin=_is_admin(team, user, admins),
            raw=body,
        )
    if not action_id.startswith(CHOICE_ACTION):
        return None
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    thread = _action_thread(body)
    # A press outside a DM and outside a thread is answered privately (an ephemeral question,
    # or "Quiz me" on a channel post): it belongs to the presser's own conversation there.
    scope = user if not _is_dm(channel) and thread is None else None
    return ChoiceIn(
        ref=ConversationRef(PLATFORM, team, channel, user, thread, scope),
        message_id=message_id,
        payload=str(action.get("value") or ""),
        display_name=display,
        is_group=not _is_dm(channel),
        is_admin=_is_admin(team, user, admins),
        raw=body,
    )


def _event_inbound(
    body: Mapping[str, Any],
    team: str,
    commands: Collection[str],
    admins: Collection[str],
    bot_user_id: str | None,
) -> Inbound | None:
    event = body.get("event") or {}
    kind = event.get("type")
    user = str(event.get("user") or "")
    channel = str(event.get("channel") or "")
    if not user or not channel or event.get("bot_id") or event.get("subtype"):
        return None  # bots (ourselves included), edits, joins: nothing to answer
    message_id = f"slack:{body.get('event_id') or _fallback_id(body)}"
    text = _unescape(str(event.get("text") or ""))
    if kind == "message" and _is_dm(channel, event.get("channel_type")):
        return TextIn(
            ref=ConversationRef(PLATFORM, team, channel, user, event.get("thread_ts")),
            message_id=message_id,
            text=text,
            is_admin=_is_admin(team, user, admins),
            raw=body,
        )
    if kind == "app_mention" and not _is_dm(channel):
        # In a DM the same message also arrives as message.im; answering both would reply twice.
        text = _LEADING_MENTIONS.sub("", text)
        if bot_user_id:
            text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", "", text)
        text = text.strip()
        # The conversation lives in the mention's thread, where its replies go.
        thread = event.get("thread_ts") or event.get("ts")
        ref = ConversationRef(PLATFORM, team, channel, user, thread)
        first, _, rest = text.partition(" ")
        name = first.lstrip("/").lower()
        admin = _is_admin(team, user, admins)
        if not text or name in commands:
            return CommandIn(
                ref=ref,
                message_id=message_id,
                name=name or "help",
                args=rest.strip(),
                is_group=True,
                is_admin=admin,
                raw=body,
            )
        return TextIn(
            ref=ref, message_id=message_id, text=text, is_group=True, is_admin=admin, raw=body
        )
    return None


def _fallback_id(body: Mapping[str, Any]) -> str:
    # Every real payload has a trigger_id or event_id; this only keeps odd ones deterministic.
    import hashlib
    import json

    return "h" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]


def target_for(body: Mapping[str, Any], *, dm_channel: str | None = None) -> Target | None:
    """Where the replies to this request go (see the module docstring for the rules)."""
    team = _team_of(body)
    if "command" in body:
        channel = str(body.get("channel_id") or "")
        dm = _is_dm(channel, "im" if body.get("channel_name") == "directmessage" else None)
        return Target(
            team=team,
            channel=channel,
            user=str(body.get("user_id") or ""),
            ephemeral=not dm,
            is_dm=dm,
            response_url=body.get("response_url") or None,
        )
    if body.get("type") == "block_actions":
        return _action_target(body, team, dm_channel)
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        channel = str(event.get("channel") or "")
        user = str(event.get("user") or "")
        if event.get("type") == "app_mention":
            thread = event.get("thread_ts") or event.get("ts")
            return Target(team, channel, user, thread_ts=thread, is_dm=_is_dm(channel))
        return Target(team, channel, user, thread_ts=event.get("thread_ts"), is_dm=True)
    return None


def _action_target(body: Mapping[str, Any], team: str, dm_channel: str | None) -> Target | None:
    user = str((body.get("user") or {}).get("id") or "")
    action = (body.get("actions") or [{}])[0]
    if str(action.get("action_id") or "").startswith(HOME_ACTION):
        return Target(team, dm_channel, user, is_dm=True) if dm_channel else None
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    ephemeral = bool(container.get("is_ephemeral"))
    thread = _action_thread(body)
    dm = _is_dm(channel)
    question_id, _ = parse_block_id(str(action.get("block_id") or ""))
    shared = not dm and not ephemeral and thread is None
    pressed = Pressed(
        channel=channel,
        ts=str(container.get("message_ts") or message.get("ts") or "") or None,
        question_id=question_id,
        ephemeral=ephemeral,
        shared=shared,
        blocks=tuple(message.get("blocks") or ()),
    )
    return Target(
        team=team,
        channel=channel,
        user=user,
        thread_ts=thread,
        # On an ephemeral question the round stays private; on a shared post it becomes private.
        ephemeral=ephemeral or shared,
        is_dm=dm,
        response_url=body.get("response_url") or None,
        pressed=pressed,
    )


def classify_error(exc: BaseException) -> SendResult:
    """What a failed Slack call means: retry later, gone for good, or failed."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        error = str(response.get("error") or "unknown_error")
        if response.status_code == 429 or error == "ratelimited":
            retry_after = _retry_after(response.headers)
            return SendResult("retry", reason="ratelimited", retry_after=retry_after)
        if error in GONE_ERRORS:
            return SendResult("gone", reason=error)
        return SendResult("failed", reason=error)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return SendResult("retry", reason=f"network: {type(exc).__name__}")
    return SendResult("failed", reason=type(exc).__name__)


def _retry_after(headers: Mapping[str, Any] | None) -> float:
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                break
    return 1.0


# ---------------------------------------------------------------------------------------------
# The adapter.
# ---------------------------------------------------------------------------------------------


@dataclass
class _QuestionLoc:
    channel: str
    ts: str | None
    ephemeral: bool
    blocks: list[dict[str, Any]]


class _Delivery:
    """The replies of one turn on their way out: counts response-URL uses, collects ids."""

    def __init__(self, target: Target, token: str) -> None:
        self.target = target
        self.token = token
        self.response_url_uses = 0
        self.message_ids: list[str] = []
        # Set once a public post was refused and answered privately: the rest follows it.
        self.private_fallback = False


class SlackAdapter:
    """Slack for termcoach: HTTP mode at ``/slack/events`` or Socket Mode, one or many workspaces.

    Build it with `from_settings`. It holds the bolt app and the Web API client by composition.
    """

    platform = PLATFORM
    pacing = PACING

    def __init__(
        self,
        engine: DialogueEngine,
        db: Database,
        *,
        signing_secret: str = "",
        bot_token: str | None = None,
        app_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        secret_key: str | None = None,
        api_url: str = "https://slack.com/api/",
        admins: Collection[str] = (),
        redirect_uri: str | None = None,
        rate_limit_retries: int = RATE_LIMIT_RETRIES,
    ) -> None:
        self.engine = engine
        self._rate_limit_retries = rate_limit_retries
        self.db = db
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.socket_mode = bool(app_token)
        self.oauth = bool(client_id and client_secret)
        self.admins = frozenset(admins)
        self._bot_token = bot_token
        self._app_token = app_token
        if not self.oauth and not bot_token:
            raise SlackConfigError(
                "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (the OAuth install flow for several workspaces)."
            )
        if not self.socket_mode and not signing_secret:
            raise SlackConfigError(
                "Slack HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > App "
                "Credentials), or set SLACK_APP_TOKEN to use Socket Mode."
            )
        self._sdk_log = _quiet_logger("termcoach.slack.sdk")
        self._bolt_log = _quiet_logger("termcoach.slack.bolt")
        # Bolt reads SLACK_BOT_TOKEN (our setting's name) from the environment and then warns
        # on every start that our client, which already carries that token, wins.
        self._bolt_log.addFilter(_drop_message(warning_client_prioritized_and_token_skipped()))
        self._session: aiohttp.ClientSession | None = None
        self._clients: OrderedDict[str, AsyncWebClient] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._seen_events: OrderedDict[str, float] = OrderedDict()
        self._questions: OrderedDict[str, _QuestionLoc] = OrderedDict()
        self._locks = KeyLocks()
        self._ready = False
        self._stopped = False
        self._socket: Any = None
        self._commands = frozenset(ENGINE_COMMANDS | _engine_commands(engine))
        self.installations: SqlInstallationStore | None = None

        client = AsyncWebClient(
            token=None if self.oauth else bot_token,
            base_url=self.api_url,
            logger=self._sdk_log,
            retry_handlers=self._retry_handlers(),
        )
        app_kwargs: dict[str, Any] = {}
        if self.oauth:
            if not secret_key:
                raise SlackConfigError(
                    "Slack OAuth stores bot tokens encrypted: set TERMCOACH_SECRET_KEY (for "
                    "example the output of `python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'`)."
                )
            self.installations = SqlInstallationStore(db, TokenCipher(secret_key), client_id or "")
            oauth_settings = AsyncOAuthSettings(
                client_id=client_id,
                client_secret=client_secret,
                scopes=list(BOT_SCOPES),
                user_scopes=[],
                redirect_uri=redirect_uri,
                install_path="/slack/install",
                redirect_uri_path="/slack/oauth_redirect",
                installation_store=self.installations,
                installation_store_bot_only=True,
                state_store=SqlOAuthStateStore(db),
                logger=self._bolt_log,
            )
            app_kwargs.update(
                oauth_settings=oauth_settings,
                installation_store=self.installations,
                installation_store_bot_only=True,
                # bolt's default authorize calls auth.test on every request; caching the result
                # per token keeps the Web API out of the ack path.
                authorize=AsyncInstallationStoreAuthorize(
                    logger=self._bolt_log,
                    installation_store=self.installations,
                    client_id=client_id,
                    client_secret=client_secret,
                    bot_only=True,
                    cache_enabled=True,
                    client=client,
                ),
            )
        self.app = AsyncApp(
            name="termcoach-slack",
            logger=self._bolt_log,
            signing_secret=signing_secret,
            client=client,
            process_before_response=True,
            **app_kwargs,
        )
        self._revocation = (
            AsyncTokenRevocationListeners(self.installations) if self.installations else None
        )
        self._handler = AsyncSlackRequestHandler(self.app)
        self._register()

    # ---- construction -------------------------------------------------------------------

    def _retry_handlers(self) -> list[AsyncRetryHandler]:
        # 429: wait Retry-After and try again (slack_sdk's handler); connection resets: once more.
        return [
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=self._rate_limit_retries),
        ]

    def _register(self) -> None:
        app = self.app
        app.command(re.compile(r"^/"))(self._on_command)
        app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self._on_action)
        app.event("message")(self._on_message)
        app.event("app_mention")(self._on_mention)
        app.event("app_home_opened")(self._on_home_opened)
        app.event("app_uninstalled")(self._on_uninstalled)
        app.event("tokens_revoked")(self._on_tokens_revoked)

    # ---- Adapter protocol ---------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """True once started and able to serve."""
        return self._ready

    def routes(self) -> list[BaseRoute]:
        """``/slack/events`` (HTTP mode) and the OAuth routes (when client id/secret are set)."""
        routes: list[BaseRoute] = []
        if not self.socket_mode:
            routes.append(Route("/slack/events", self._http, methods=["POST"]))
        if self.oauth:
            routes.append(Route("/slack/install", self._http, methods=["GET"]))
            routes.append(Route("/slack/oauth_redirect", self._http, methods=["GET"]))
        return routes

    async def _http(self, request: Request) -> Response:
        return await self._handler.handle(request)

    async def start(self) -> None:
        """Open the HTTP session; check the bot token (one workspace) or connect Socket Mode."""
        self._stopped = False
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
            self.app.client.session = self._session
            self._clients.clear()
        if self._bot_token and not self.oauth:
            try:
                info = await self._client(self._bot_token).auth_test()
                log.info(
                    "Slack: serving workspace %s as bot user %s",
                    info.get("team_id"),
                    info.get("user_id"),
                )
            except SlackApiError as exc:
                self._log_error(exc, team="(SLACK_BOT_TOKEN)", channel="", method="auth.test")
                return
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                log.error("Slack: cannot reach %s (%s)", self.api_url, type(exc).__name__)
                return
        if self.socket_mode and not await self._connect_socket():
            return
        self._ready = True

    async def _connect_socket(self) -> bool:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        # slack_sdk's Socket Mode client retries a refused token forever; ask once first so a
        # wrong SLACK_APP_TOKEN is reported instead of hanging the start.
        try:
            await self.app.client.apps_connections_open(app_token=self._app_token or "")
        except SlackApiError as exc:
            log.error(
                "Slack Socket Mode refused SLACK_APP_TOKEN (%s): it needs an app-level token "
                "(xapp-) with the connections:write scope",
                exc.response.get("error"),
            )
            return False
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.error("Slack: cannot reach %s (%s)", self.api_url, type(exc).__name__)
            return False
        self._socket = AsyncSocketModeHandler(
            self.app, app_token=self._app_token, logger=self._bolt_log
        )
        try:
            await asyncio.wait_for(self._socket.connect_async(), SOCKET_CONNECT_SECONDS)
        except TimeoutError:
            log.error("Slack Socket Mode did not connect within %ss", SOCKET_CONNECT_SECONDS)
            await self._close_socket()
            return False
        log.info("Slack: connected in Socket Mode")
        return True

    async def stop(self) -> None:
        """Finish in-flight turns (briefly), disconnect, close the session; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._ready = False
        await self._close_socket()
        await self.drain(STOP_GRACE_SECONDS)
        pending = list(self._tasks)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._clients.clear()

    async def _close_socket(self) -> None:
        if self._socket is not None:
            socket, self._socket = self._socket, None
            try:
                await socket.close_async()
            except Exception:
                log.debug("closing the Socket Mode connection failed", exc_info=True)

    async def drain(self, seconds: float | None = None) -> None:
        """Wait until every turn started so far (and any they started) has finished."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while self._tasks:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return
            await asyncio.wait(set(self._tasks), timeout=remaining)

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        """Send replies outside a turn (the daily term) and report what happened."""
        token = await self._token_for(ref.workspace)
        if token is None:
            log.warning("Slack: termcoach is not installed in workspace %s", ref.workspace)
            return SendResult("gone", reason="not installed")
        target = Target(
            team=ref.workspace,
            channel=ref.chat,
            user=ref.user,
            thread_ts=ref.thread,
            is_dm=_is_dm(ref.chat),
        )
        return await self._deliver(target, token, replies)

    # ---- listeners (ack first, work later) ----------------------------------------------

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        self._start_turn(body, context)

    async def _on_action(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        action = (body.get("actions") or [{}])[0]
        if str(action.get("action_id") or "").startswith(HOME_ACTION):
            self._spawn(self._home_action(body, context.bot_token or ""))
        else:
            self._start_turn(body, context)

    async def _on_message(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        if self._first_delivery(body):
            self._start_turn(body, context)

    async def _on_mention(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        if self._first_delivery(body):
            self._start_turn(body, context)

    async def _on_home_opened(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") == "home" and event.get("user"):
            token = context.bot_token or ""
            self._spawn(self._publish_home(_team_of(body), str(event["user"]), token))

    async def _on_uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        log.warning("Slack workspace %s uninstalled termcoach", _team_of(body))
        if self._revocation is not None:
            await self._revocation.handle_app_uninstalled_events(context)

    async def _on_tokens_revoked(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        log.warning("Slack workspace %s revoked termcoach's tokens", _team_of(body))
        if self._revocation is not None:
            await self._revocation.handle_tokens_revoked_events(event, context)

    def _first_delivery(self, body: Mapping[str, Any]) -> bool:
        """False for an event already handled here (a Slack retry); the engine checks too."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        key = f"{_team_of(body)}:{event_id}"
        now = time.monotonic()
        while self._seen_events:
            oldest, seen_at = next(iter(self._seen_events.items()))
            if now - seen_at < EVENT_DEDUPE_SECONDS:
                break
            self._seen_events.pop(oldest)
        if key in self._seen_events:
            log.info("Slack: dropping redelivered event %s", event_id)
            return False
        self._seen_events[key] = now
        return True

    def _start_turn(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        try:
            inbound = to_inbound(
                body, commands=self._commands, admins=self.admins, bot_user_id=context.bot_user_id
            )
            target = target_for(body)
        except Exception:
            # Still acknowledged: a payload we cannot read would fail the same way on every retry.
            log.exception("Slack: could not read a %s payload", body.get("type") or "command")
            return
        if inbound is None or target is None:
            return
        self._spawn(self._turn(inbound, target, context.bot_token or ""))

    def _spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Slack: a background turn failed")

        task = asyncio.get_running_loop().create_task(run())
        # Keep a reference: the event loop holds tasks only weakly.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- turns --------------------------------------------------------------------------

    async def _turn(self, inbound: Inbound, target: Target, token: str) -> None:
        started = time.perf_counter()
        async with self._locks.hold(inbound.ref.key):
            try:
                replies = await self.engine.handle(inbound)
            except Exception:
                log.exception("Slack: the engine failed on a turn")
                replies = [Reply("Sorry, something went wrong on my side.", kind="error")]
            result = await self._deliver(target, token, replies)
        log.debug(
            "Slack turn done",
            extra={
                "platform": PLATFORM,
                "conversation": inbound.ref.key,
                "outcome": result.status,
                "duration_ms": round(1000 * (time.perf_counter() - started), 1),
            },
        )

    async def _home_action(self, body: dict[str, Any], token: str) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        team = _team_of(body)
        try:
            opened = await self._client(token).conversations_open(users=user)
        except SlackApiError as exc:
            self._log_error(exc, team=team, channel=user, method="conversations.open")
            return
        dm = str((opened.get("channel") or {}).get("id") or "")
        inbound = to_inbound(body, admins=self.admins, dm_channel=dm)
        target = target_for(body, dm_channel=dm)
        if inbound is not None and target is not None:
            await self._turn(inbound, target, token)

    # ---- delivery -----------------------------------------------------------------------

    async def _deliver(self, target: Target, token: str, replies: Sequence[Reply]) -> SendResult:
        """Show the replies of one turn; stop at the first error that makes the rest pointless."""
        delivery = _Delivery(target, token)
        failure: SendResult | None = None
        for original in replies:
            reply = replace(original, text=slack_commands(original.text, self._commands))
            try:
                if reply.replaces and await self._replace(delivery, reply):
                    continue
                private = (
                    target.ephemeral
                    or delivery.private_fallback
                    or (reply.private and not target.is_dm)
                )
                if reply.image is not None and private:
                    # A file cannot go with a message only one person sees.
                    reply = replace(
                        reply,
                        text=f"{reply.text}\n\nI can send the chart picture only in a direct "
                        "message with me: type stats chart there.",
                    )
                message = render(reply, thread=target.thread_ts)
                ts = None
                if private:
                    await self._post_ephemeral(delivery, message)
                else:
                    ts = await self._post_public(delivery, message)
                question = reply.question_id or (
                    reply.native_quiz.question_id if reply.native_quiz else None
                )
                if question:
                    loc = _QuestionLoc(target.channel, ts, ts is None, message["blocks"])
                    self._remember(question, loc)
                if reply.image is not None and ts is not None:
                    await self._upload(delivery, reply)
            except SlackApiError as exc:
                failure = classify_error(exc)
                method = getattr(exc.response, "api_url", "").rsplit("/", 1)[-1] or "chat"
                self._log_error(exc, team=target.team, channel=target.channel, method=method)
                if failure.status != "failed" or failure.reason in AUTH_ERRORS:
                    return failure  # gone, rate-limited or unauthorized: the rest would fail too
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                log.warning("Slack: network error while sending to %s: %s", target.channel, exc)
                return classify_error(exc)
        if failure is not None:
            return failure  # one reply was refused (say invalid_blocks); the others went out
        return SendResult("sent", message_ids=tuple(delivery.message_ids))

    async def _post_public(self, delivery: _Delivery, message: dict[str, Any]) -> str | None:
        target = delivery.target
        try:
            response = await self._client(delivery.token).chat_postMessage(
                channel=target.channel, thread_ts=target.thread_ts, **message
            )
        except SlackApiError as exc:
            error = exc.response.get("error")
            # A slash command where the bot cannot post (a DM between two people, a channel it
            # is not in) still has its response URL: answer privately there instead.
            if error in {"channel_not_found", "not_in_channel"} and target.response_url:
                self._log_error(
                    exc, team=target.team, channel=target.channel, method="chat.postMessage"
                )
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
        if target.response_url and delivery.response_url_uses < RESPONSE_URL_USES - 1:
            delivery.response_url_uses += 1
            ok = await self._respond(target.response_url, message, replace_original=False)
            if ok:
                return
        await self._client(delivery.token).chat_postEphemeral(
            channel=target.channel, user=target.user, thread_ts=target.thread_ts, **message
        )

    async def _respond(self, url: str, message: dict[str, Any], *, replace_original: bool) -> bool:
        webhook = AsyncWebhookClient(
            url,
            session=self._session,
            logger=self._sdk_log,
            retry_handlers=self._retry_handlers(),
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

    async def _replace(self, delivery: _Delivery, reply: Reply) -> bool:
        """Show `reply` in place of the question it answers; False when it must be posted."""
        question = reply.replaces or ""
        target = delivery.target
        pressed = target.pressed
        known = self._questions.get(question)
        if pressed is not None and pressed.question_id == question:
            blocks = list(pressed.blocks) or (known.blocks if known else [])
            message = answered(blocks, reply)
            if pressed.ephemeral:
                if target.response_url and delivery.response_url_uses < RESPONSE_URL_USES - 1:
                    delivery.response_url_uses += 1
                    return await self._respond(target.response_url, message, replace_original=True)
                return False
            if pressed.shared or not pressed.ts:
                return False  # everyone sees that post: the presser's result goes to them alone
            return await self._update(delivery, pressed.channel, pressed.ts, message)
        if (
            known is not None
            and known.ts
            and not known.ephemeral
            and known.channel == target.channel
        ):
            return await self._update(
                delivery, known.channel, known.ts, answered(known.blocks, reply)
            )
        return False

    async def _update(
        self, delivery: _Delivery, channel: str, ts: str, message: dict[str, Any]
    ) -> bool:
        try:
            await self._client(delivery.token).chat_update(channel=channel, ts=ts, **message)
        except SlackApiError as exc:
            if exc.response.get("error") in AUTH_ERRORS | {"ratelimited"}:
                raise
            log.info(
                "Slack: could not update message %s in %s (%s); posting the result instead",
                ts,
                channel,
                exc.response.get("error"),
            )
            return False
        return True

    async def _upload(self, delivery: _Delivery, reply: Reply) -> None:
        image = reply.image
        assert image is not None
        target = delivery.target
        try:
            await self._client(delivery.token).files_upload_v2(
                channel=target.channel,
                thread_ts=target.thread_ts,
                file=image.png,
                filename=image.filename,
                title=image.caption or image.filename,
            )
        except SlackApiError as exc:
            # The text went out already; a missing picture is not worth failing the turn for.
            self._log_error(exc, team=target.team, channel=target.channel, method="files.upload")

    def _remember(self, question_id: str, loc: _QuestionLoc) -> None:
        self._questions[question_id] = loc
        self._questions.move_to_end(question_id)
        while len(self._questions) > QUESTION_MEMORY:
            self._questions.popitem(last=False)

    # ---- App Home -----------------------------------------------------------------------

    async def _publish_home(self, team: str, user: str, token: str) -> None:
        try:
            progress = await self.progress(team, user)
        except StorageError as exc:
            log.warning("Slack: no App Home for %s: the database failed (%s)", user, exc)
            return
        try:
            await self._client(token).views_publish(user_id=user, view=render_home(progress))
        except SlackApiError as exc:
            self._log_error(exc, team=team, channel=user, method="views.publish")

    async def progress(self, team: str, user: str) -> HomeProgress:
        """A learner's progress for the Home tab, from the same engine function as ``stats``."""
        done = await self.engine.progress((PLATFORM, team, user))
        scored = [r for r in done.results if r.score is not None][:3]
        return HomeProgress(
            streak_days=done.streak,
            due_cards=done.due_now,
            mastered_terms=done.mastered,
            seen_terms=done.seen_terms,
            total_terms=done.total_terms,
            answers=done.answers,
            accuracy_pct=done.accuracy_pct,
            roleplay_scores=tuple(
                (title_of(self.engine.pack, r.item_id), r.score or 0) for r in scored
            ),
        )

    # ---- clients, tokens, logging -------------------------------------------------------

    def _client(self, token: str) -> AsyncWebClient:
        client = self._clients.get(token)
        if client is None:
            client = AsyncWebClient(
                token=token,
                base_url=self.api_url,
                session=self._session,
                logger=self._sdk_log,
                retry_handlers=self._retry_handlers(),
            )
            self._clients[token] = client
            while len(self._clients) > 256:
                self._clients.popitem(last=False)
        return client

    async def _token_for(self, team: str) -> str | None:
        if not self.oauth:
            return self._bot_token
        assert self.installations is not None
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
        return bot.bot_token if bot is not None else None

    def _log_error(self, exc: SlackApiError, *, team: str, channel: str, method: str) -> None:
        error = str(exc.response.get("error") or "unknown_error")
        template = _EXPLAIN.get(error)
        retry_after = _retry_after(exc.response.headers)
        if template is None:
            log.warning("Slack: %s failed in workspace %s: %s", method, team, error)
            return
        message = template.format(
            team=team, channel=channel, method=method, retry_after=retry_after
        )
        level = logging.ERROR if error in AUTH_ERRORS else logging.WARNING
        log.log(level, "Slack: %s", message)


def _engine_commands(engine: DialogueEngine) -> set[str]:
    return {str(name) for name, _ in engine.commands}


def _drop_message(text: str) -> logging.Filter:
    """A filter that drops log records whose message is exactly `text`."""

    class Drop(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return record.getMessage() != text

    return Drop()


def _quiet_logger(name: str) -> logging.Logger:
    """A logger for the Slack SDKs whose records never carry a token (whatever handlers exist)."""
    return redacted_logger(name)


__all__ = [
    "BOT_SCOPES",
    "Pressed",
    "SlackAdapter",
    "SlackConfigError",
    "Target",
    "classify_error",
    "render",
    "target_for",
    "to_inbound",
]
