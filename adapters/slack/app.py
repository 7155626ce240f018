"""The Slack adapter: slack-bolt's AsyncApp between Slack and the engine (listeners, lifecycle).

The listeners only acknowledge, then hand the turn to a background task (`adapters.turns`):
Slack's 3-second deadline is met by the ack alone, whatever the engine or an LLM role-play turn
costs. A turn's request is translated by `adapters.slack.inbound`, its replies are delivered by
`adapters.slack.deliver` under the engine's per-conversation lock, and the App Home tab is built
by `adapters.slack.home` from the engine's one `progress()`.

Why ``process_before_response=True``: bolt's default listener runner starts the listener in a task
and polls every 10 ms for ``ack()`` (``slack_bolt/listener/asyncio_runner.py``), so every response
waits at least one poll. With ``process_before_response`` the listener runs inline; ours calls
``ack()`` at once and spawns the turn itself, so the HTTP response leaves as soon as bolt's
middleware (signature check, authorization) is done.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Collection, Coroutine, Sequence
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.redact import redacted_logger
from adapters.slack.deliver import HTTP_TIMEOUT_SECONDS, RATE_LIMIT_RETRIES, SlackSender
from adapters.slack.dms import DirectMessages
from adapters.slack.errors import check_settings, log_error
from adapters.slack.home import render_home
from adapters.slack.inbound import (
    PLATFORM,
    Target,
    is_dm,
    target_for,
    target_from_json,
    target_to_json,
    team_of,
    to_inbound,
    user_of,
    wants_dm,
)
from adapters.slack.oauth import BOT_SCOPES, SqlInstallationStore, SqlOAuthStateStore, TokenCipher
from adapters.slack.questions import QuestionPlaces
from adapters.slack.render import ACTION_PREFIX
from adapters.slack.requests import refuse
from adapters.turns import TurnRunner
from bot.engine import DialogueEngine
from bot.messages import ConversationRef, Reply, SendResult
from bot.outgoing import Outgoing, Progress
from bot.pacing import PacingRules, Rate
from bot.roleplay.history import title_of
from storage.db import Database
from storage.errors import StorageError

log = logging.getLogger("termcoach.slack")

STOP_GRACE_SECONDS = 5.0
# How long a request waits for its turn to commit before Slack is answered anyway. Slack's
# deadline is three seconds, but a slash command shows nothing until the answer, so a slow turn
# (an LLM role-play) must not hold it: ordinary turns commit in milliseconds, well within this.
ACK_BUDGET_S = 0.9
SOCKET_CONNECT_SECONDS = 30.0
# Slack allows about one message a second per channel; a 429 pauses the workspace's token.
PACING = PacingRules(chat=Rate(1, 1.0), pause="workspace")

_TOKEN_WARNING = warning_client_prioritized_and_token_skipped()


def _without_token_warning(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN (our setting's name) from the environment and then warns on
    # every start that our client, which already carries that token, wins. Not a secret (the
    # redactor's job): a false alarm, dropped.
    return record.getMessage() != _TOKEN_WARNING


class SlackAdapter:
    """Slack for termcoach: HTTP mode at ``/slack/events`` or Socket Mode, one or many workspaces.

    `termcoach.runtime.slack_adapter` builds it from the settings. It holds the bolt app, the
    `SlackSender` that shows replies and the `TurnRunner` that runs turns, by composition; the
    engine's outbox sends stored replies through `deliver_stored`.
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
        http_timeout_s: float | None = None,
    ) -> None:
        """Check the settings and build the bolt app; `start()` connects."""
        self.engine = engine
        self.db = db
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.socket_mode = bool(app_token)
        self.oauth = bool(client_id and client_secret)
        self.admins = frozenset(admins)
        self._bot_token = bot_token
        self._app_token = app_token
        check_settings(
            oauth=self.oauth,
            bot_token=bot_token,
            socket_mode=self.socket_mode,
            signing_secret=signing_secret,
            secret_key=secret_key,
        )
        self._bolt_log = redacted_logger("termcoach.slack.bolt")
        self._bolt_log.addFilter(_without_token_warning)
        sdk_log = redacted_logger("termcoach.slack.sdk")
        self._commands = engine.command_names()
        self.turns = TurnRunner(engine, PLATFORM)
        self.sender = SlackSender(
            self.api_url,
            QuestionPlaces(db),
            self._commands,
            logger=sdk_log,
            rate_limit_retries=rate_limit_retries,
            timeout_s=http_timeout_s or HTTP_TIMEOUT_SECONDS,
        )
        self.dms = DirectMessages()
        self._ready = False
        self._stopped = False
        self._socket: AsyncSocketModeHandler | None = None
        self.installations: SqlInstallationStore | None = None
        if self.oauth:
            cipher = TokenCipher(secret_key or "")
            self.installations = SqlInstallationStore(db, cipher, client_id or "")
        client = AsyncWebClient(
            token=None if self.oauth else bot_token,
            base_url=self.api_url,
            logger=sdk_log,
            retry_handlers=self.sender.retry_handlers(),
        )
        self.app = AsyncApp(
            name="termcoach-slack",
            logger=self._bolt_log,
            signing_secret=signing_secret,
            client=client,
            process_before_response=True,
            **self._oauth_options(client, client_id, client_secret, redirect_uri),
        )
        self._revocation = (
            AsyncTokenRevocationListeners(self.installations) if self.installations else None
        )
        self._handler = AsyncSlackRequestHandler(self.app)
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._register()

    # ---- construction -------------------------------------------------------------------

    def _oauth_options(
        self,
        client: AsyncWebClient,
        client_id: str | None,
        client_secret: str | None,
        redirect_uri: str | None,
    ) -> dict[str, Any]:
        """The bolt options of the OAuth install flow (none for a single workspace)."""
        if self.installations is None:
            return {}
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
            state_store=SqlOAuthStateStore(self.db, key=self.installations.cipher.state_key),
            logger=self._bolt_log,
        )
        return {
            "oauth_settings": oauth_settings,
            "installation_store": self.installations,
            "installation_store_bot_only": True,
            # bolt's default authorize calls auth.test on every request; caching the result per
            # token keeps the Web API out of the ack path.
            "authorize": AsyncInstallationStoreAuthorize(
                logger=self._bolt_log,
                installation_store=self.installations,
                client_id=client_id,
                client_secret=client_secret,
                bot_only=True,
                cache_enabled=True,
                client=client,
            ),
        }

    def _register(self) -> None:
        app = self.app
        app.command(re.compile(r"^/"))(self._on_command)
        app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self._on_action)
        app.event("message")(self._on_message)
        app.event("app_mention")(self._on_message)
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
        """Check what bolt would trip over first: unsigned, stale or unreadable requests.

        Only a request signed with our secret reaches bolt (which would log an unsigned body at
        INFO and answer a non-numeric timestamp or broken JSON with a 500 and a traceback);
        the rest get 401 or 400 here, and nothing of their body is logged.
        """
        if request.method == "POST" and self._verifier is not None:
            refusal = await refuse(request, self._verifier)
            if refusal is not None:
                return refusal
        try:
            return await self._handler.handle(request)
        except Exception as exc:  # bolt's own failure on a request it accepted
            log.warning("Slack: could not handle a request to %s (%s)", request.url.path, exc)
            return PlainTextResponse("bad request", status_code=400)

    async def start(self) -> None:
        """Open the HTTP session; check the bot token (one workspace) or connect Socket Mode."""
        self._stopped = False
        self.app.client.session = self.sender.open()
        self.engine.outbox.register(self)
        if self._bot_token and not self.oauth and not await self._check_token(self._bot_token):
            return
        if self.installations is not None and not await self._keys_fit(self.installations):
            return
        if self.socket_mode and not await self._connect_socket():
            return
        self._ready = True

    async def _keys_fit(self, installations: SqlInstallationStore) -> bool:
        try:
            unreadable = await installations.check_keys()
        except StorageError as exc:
            log.error("Slack: could not check the stored bot tokens (%s)", exc)
            return False
        if unreadable:
            log.error(
                "Slack: TERMCOACH_SECRET_KEY does not decrypt the stored bot token of workspace(s) "
                "%s: the key changed. Put the old key after the new one "
                "(TERMCOACH_SECRET_KEY=new,old) or reinstall termcoach there; not ready until then",
                ", ".join(sorted(unreadable)),
            )
            return False
        return True

    async def _check_token(self, token: str) -> bool:
        try:
            info = await self.sender.client(token).auth_test()
        except SlackApiError as exc:
            log_error(exc, team="(SLACK_BOT_TOKEN)", channel="", method="auth.test")
            return False
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.error("Slack: cannot reach %s (%s)", self.api_url, type(exc).__name__)
            return False
        log.info(
            "Slack: serving workspace %s as bot user %s", info.get("team_id"), info.get("user_id")
        )
        return True

    async def _connect_socket(self) -> bool:
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
        # slack_bolt leaves the handler's connect and close methods unannotated.
        connect = self._socket.connect_async()  # type: ignore[no-untyped-call]
        try:
            await asyncio.wait_for(connect, SOCKET_CONNECT_SECONDS)
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
        await self.turns.stop(STOP_GRACE_SECONDS)
        await self.engine.outbox.release(self, STOP_GRACE_SECONDS)
        await self.sender.close()

    async def _close_socket(self) -> None:
        if self._socket is not None:
            socket, self._socket = self._socket, None
            try:
                await socket.close_async()  # type: ignore[no-untyped-call]
            except Exception:
                log.debug("closing the Socket Mode connection failed", exc_info=True)

    async def drain(self, seconds: float | None = None) -> None:
        """Wait until every turn started so far has finished and its replies were sent."""
        await self.turns.drain(seconds)
        await self.engine.outbox.idle(seconds, platform=PLATFORM)

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        """Send replies outside a turn (the daily term) and report what happened.

        Through the outbox's sender, so its failures are counted like a turn's.
        """
        return await self.engine.outbox.send_now(ref, replies)

    async def deliver_stored(self, item: Outgoing, progress: Progress) -> SendResult:
        """The outbox's courier: show a stored batch where its delivery context says."""
        ref = item.ref
        try:
            token = await self._token_for(ref.workspace)
        except StorageError as exc:
            return SendResult("retry", reason=f"database: {exc}")
        if token is None:
            log.warning("Slack: termcoach is not installed in workspace %s", ref.workspace)
            return SendResult("gone", reason="not installed")
        if item.delivery:
            target = target_from_json(item.delivery)
            if item.done:
                target = dataclasses.replace(target, pressed=None)  # it was answered already
        else:
            target = Target(
                team=ref.workspace,
                channel=ref.chat,
                user=ref.user,
                thread_ts=ref.thread,
                is_dm=is_dm(ref.chat),
            )
        return await self.sender.deliver(target, token, item.remaining, progress=progress)

    # ---- listeners (answered once the turn committed, within Slack's deadline) ----------

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        await self._start_turn(body, context)

    async def _on_action(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        await self._start_turn(body, context)

    async def _on_message(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        # A redelivered event (X-Slack-Retry-Num) runs too: the engine drops a message id it has
        # already handled, in the database, whichever replica got it first, and sends what its
        # turn stored and nobody delivered.
        await self._start_turn(body, context)

    async def _committed(self, work: Coroutine[Any, Any, None]) -> None:
        """Run a turn; return (so bolt answers Slack) once it committed, or after ACK_BUDGET_S.

        Answering after the commit makes a crash before it a missing answer, so Slack retries
        the event; a turn slower than the budget (an LLM role-play) goes on in the background,
        since Slack wants its answer within three seconds.
        """
        task = self.turns.spawn(work)
        await asyncio.wait({task}, timeout=ACK_BUDGET_S)

    async def _on_home_opened(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") == "home" and event.get("user"):
            token = context.bot_token or ""
            self.turns.spawn(self._publish_home(team_of(body), str(event["user"]), token))

    async def _on_uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        log.warning("Slack workspace %s uninstalled termcoach", team_of(body))
        if self._revocation is not None:
            await self._revocation.handle_app_uninstalled_events(context)

    async def _on_tokens_revoked(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        log.warning("Slack workspace %s revoked termcoach's tokens", team_of(body))
        if self._revocation is not None:
            await self._revocation.handle_tokens_revoked_events(event, context)

    async def _start_turn(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await self._committed(self._turn(body, context))

    # ---- turns --------------------------------------------------------------------------

    async def _turn(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        dm: str | None = None
        if wants_dm(body):
            # From a channel, multi-step work goes on in the sender's DM (`Inbound.dm`); an App
            # Home button runs there.
            client = self.sender.client(context.bot_token or "")
            dm = await self.dms.channel(client, team_of(body), user_of(body))
        try:
            inbound = to_inbound(
                body,
                commands=self._commands,
                admins=self.admins,
                dm_channel=dm,
                bot_user_id=context.bot_user_id,
            )
            target = target_for(body, dm_channel=dm)
        except Exception:
            # Still acknowledged: a payload we cannot read would fail the same way on every retry.
            log.exception("Slack: could not read a %s payload", body.get("type") or "command")
            return
        if inbound is not None and target is not None:
            await self.turns.commit(dataclasses.replace(inbound, delivery=target_to_json(target)))

    # ---- App Home -----------------------------------------------------------------------

    async def _publish_home(self, team: str, user: str, token: str) -> None:
        try:
            view = await self.home_view(team, user)
        except StorageError as exc:
            log.warning("Slack: no App Home for %s: the database failed (%s)", user, exc)
            return
        try:
            await self.sender.client(token).views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            log_error(exc, team=team, channel=user, method="views.publish")

    async def home_view(self, team: str, user: str) -> dict[str, Any]:
        """A learner's Home tab, from the engine's overview (the figures ``stats`` shows)."""
        found = await self.engine.overview((PLATFORM, team, user))
        return render_home(found, lambda item_id: title_of(self.engine.pack, item_id))

    # ---- tokens -------------------------------------------------------------------------

    async def _token_for(self, team: str) -> str | None:
        if self.installations is None:
            return self._bot_token
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
        return bot.bot_token if bot is not None else None
