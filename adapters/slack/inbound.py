"""Pure translation: a Slack request body in, an engine message and a reply target out.

`to_inbound(body)` turns a slash command, a button press or an event into an engine `Inbound`;
`target_for(body)` says where that turn's replies go. Nothing here talks to Slack or the database.

Where replies go (the channel is never flooded):
- a DM (``message.im``, a slash command in a DM, an App Home button): posted in the DM;
- a slash command in a channel: ephemeral, through the command's ``response_url`` (which works
  even where the bot is not a member); the pressed question is replaced through the action's
  ``response_url``;
- an ``app_mention`` in a channel: in the mention's thread, which is that conversation's thread;
- a button on a public channel post (the daily term): ephemeral to whoever pressed it.

Who is an admin (may change a channel's daily term) is decided here, once, for every kind of
request: a user listed in TERMCOACH_SLACK_ADMINS by id (``U123``) or by workspace and id
(``T01:U123``); anyone when the setting is empty. The engine reads only ``Inbound.is_admin``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from adapters.slack.render import CHOICE_ACTION, HOME_ACTION, QUESTION_BLOCK, USER_ID
from bot.messages import ChoiceIn, CommandIn, ConversationRef, Inbound, TextIn

PLATFORM = "slack"

_LEADING_MENTIONS = re.compile(r"^(?:\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)+")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


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

    @property
    def in_channel_thread(self) -> bool:
        """True for a thread outside a DM, where commands must be mentions.

        termcoach sees only mentions of it there, not plain replies, and a slash command typed
        there runs in the channel, not in the thread.
        """
        return bool(self.thread_ts) and not self.is_dm


def target_to_json(target: Target) -> dict[str, Any]:
    """A target as JSON: the delivery context the outbox keeps with a turn's replies."""
    return asdict(target)


def target_from_json(data: Mapping[str, Any]) -> Target:
    """The target `target_to_json` made."""
    pressed = data.get("pressed")
    return Target(
        team=str(data["team"]),
        channel=str(data["channel"]),
        user=str(data["user"]),
        thread_ts=data.get("thread_ts"),
        ephemeral=bool(data.get("ephemeral")),
        is_dm=bool(data.get("is_dm")),
        response_url=data.get("response_url"),
        pressed=Pressed(
            channel=str(pressed["channel"]),
            ts=pressed.get("ts"),
            question_id=pressed.get("question_id"),
            ephemeral=bool(pressed.get("ephemeral")),
            shared=bool(pressed.get("shared")),
            blocks=tuple(pressed.get("blocks") or ()),
        )
        if pressed
        else None,
    )


def is_admin(team: str, user: str, admins: Collection[str]) -> bool:
    """True when `user` of workspace `team` may change channel settings.

    `admins` holds user ids (``U123``) and workspace-qualified ids (``T01:U123``); when it is
    empty, anyone may.
    """
    return not admins or user in admins or f"{team}:{user}" in admins


def is_dm(channel: str, channel_type: str | None = None) -> bool:
    """True for a direct message channel (``D…`` ids, or an event's ``channel_type`` "im")."""
    return channel_type == "im" or channel.startswith("D")


def user_of(body: Mapping[str, Any]) -> str:
    """Who sent a request: the slash command's, the press's or the event's user."""
    user = body.get("user")
    event = body.get("event")
    return str(
        body.get("user_id")
        or (user.get("id") if isinstance(user, dict) else None)
        or (event.get("user") if isinstance(event, dict) else None)
        or ""
    )


def mention(user: str) -> str | None:
    """How termcoach names a Slack user in a message: a mention, ``<@U123>``.

    Slack shows it as the person's current name; the display and user names in payloads are
    deprecated or stale, so they are never used.
    """
    return f"<@{user}>" if USER_ID.fullmatch(user) else None


def team_of(body: Mapping[str, Any]) -> str:
    """The workspace (team id) a request body comes from; learners are keyed by it."""
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


def is_home_action(body: Mapping[str, Any]) -> bool:
    """True for a press on an App Home button (it starts in the presser's DM)."""
    action = (body.get("actions") or [{}])[0]
    return str(action.get("action_id") or "").startswith(HOME_ACTION)


def to_inbound(
    body: Mapping[str, Any],
    *,
    commands: Collection[str],
    admins: Collection[str] = (),
    dm_channel: str | None = None,
    bot_user_id: str | None = None,
) -> Inbound | None:
    """Translate a Slack request body (slash command, block action or event) to an engine message.

    `commands` are the engine's command words (a mention or a slash command starting with one
    runs it; other words are text typed to termcoach). `dm_channel` is the sender's DM with the
    bot (`conversations.open`): an App Home button runs there, and from a channel it is
    `Inbound.dm`, where multi-step work goes on. Returns None for what termcoach ignores (bot
    messages, edits, other events, an App Home button without its `dm_channel`). Learners and
    conversations are keyed by team: the ref's workspace is the team id, so workspaces never
    share state.
    """
    team = team_of(body)
    inbound: Inbound | None = None
    if "command" in body:
        inbound = _command_inbound(body, team, commands, admins)
    elif body.get("type") == "block_actions":
        inbound = _action_inbound(body, team, admins, dm_channel)
    elif body.get("type") == "event_callback":
        inbound = _event_inbound(body, team, commands, admins, bot_user_id)
    if inbound is not None and dm_channel and inbound.is_group:
        user = inbound.ref.user
        inbound = replace(inbound, dm=ConversationRef(PLATFORM, team, dm_channel, user))
    return inbound


def wants_dm(body: Mapping[str, Any]) -> bool:
    """True when the request comes from a shared channel: its sender's DM may be needed.

    Multi-step work started there goes on in the DM, whose channel id only `conversations.open`
    knows (an App Home button, too, runs in the DM).
    """
    if "command" in body:
        return not _command_in_dm(body)
    if body.get("type") == "block_actions":
        return is_home_action(body) or not is_dm(_action_channel(body))
    event = body.get("event") or {}
    return event.get("type") == "app_mention" and not is_dm(str(event.get("channel") or ""))


def target_for(body: Mapping[str, Any], *, dm_channel: str | None = None) -> Target | None:
    """Where the replies to this request go (see the module docstring for the rules)."""
    team = team_of(body)
    if "command" in body:
        channel = str(body.get("channel_id") or "")
        dm = _command_in_dm(body)
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
            return Target(team, channel, user, thread_ts=thread, is_dm=is_dm(channel))
        return Target(team, channel, user, thread_ts=event.get("thread_ts"), is_dm=True)
    return None


# ---- slash commands ---------------------------------------------------------------------------


def _command_in_dm(body: Mapping[str, Any]) -> bool:
    channel = str(body.get("channel_id") or "")
    return is_dm(channel, "im" if body.get("channel_name") == "directmessage" else None)


def _command_inbound(
    body: Mapping[str, Any], team: str, commands: Collection[str], admins: Collection[str]
) -> Inbound:
    channel = str(body.get("channel_id") or "")
    user = str(body.get("user_id") or "")
    text = _unescape(str(body.get("text") or "").strip())
    name, _, args = text.partition(" ")
    name = name.lstrip("/").lower()
    dm = _command_in_dm(body)
    common: dict[str, Any] = {
        # In a channel the answers are private (ephemeral), so each person gets their own
        # conversation there; the channel itself (its daily term) is still `channel`.
        "ref": ConversationRef(PLATFORM, team, channel, user, scope=None if dm else user),
        "message_id": f"slack:{body.get('trigger_id') or _fallback_id(body)}",
        "display_name": mention(user),
        "is_group": not dm,
        "is_admin": is_admin(team, user, admins),
        "raw": body,
    }
    if name and commands and name not in commands:
        # Slack has one slash command per app: "/termcoach we should retrain" is text typed to
        # termcoach (an answer to a running role-play or quiz), not a command called "we".
        return TextIn(text=text, **common)
    return CommandIn(name=name or "help", args=args.strip(), **common)


# ---- button presses ---------------------------------------------------------------------------


def _action_inbound(
    body: Mapping[str, Any], team: str, admins: Collection[str], dm_channel: str | None
) -> Inbound | None:
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    action_id = str(action.get("action_id") or "")
    user = str((body.get("user") or {}).get("id") or "")
    display = mention(user)
    message_id = f"slack:{body.get('trigger_id') or _fallback_id(body)}"
    if action_id.startswith(HOME_ACTION):
        if not dm_channel:
            return None
        # A Home button's value is the command it runs, with its arguments ("term psi").
        name, _, args = str(action.get("value") or action_id[len(HOME_ACTION) :]).partition(" ")
        return CommandIn(
            ref=ConversationRef(PLATFORM, team, dm_channel, user),
            message_id=message_id,
            name=name,
            args=args.strip(),
            display_name=display,
            is_admin=is_admin(team, user, admins),
            raw=body,
        )
    if not action_id.startswith(CHOICE_ACTION):
        return None
    channel = _action_channel(body)
    thread = _action_thread(body)
    # A press outside a DM and outside a thread is answered privately (an ephemeral question,
    # or "Quiz me" on a channel post): it belongs to the presser's own conversation there.
    scope = user if not is_dm(channel) and thread is None else None
    return ChoiceIn(
        ref=ConversationRef(PLATFORM, team, channel, user, thread, scope),
        message_id=message_id,
        payload=chosen_value(action),
        display_name=display,
        is_group=not is_dm(channel),
        is_admin=is_admin(team, user, admins),
        raw=body,
    )


def chosen_value(action: Mapping[str, Any]) -> str:
    """The payload a press or a choice carries: a button's value, a select's chosen option's."""
    selected = action.get("selected_option")
    if isinstance(selected, Mapping):
        return str(selected.get("value") or "")
    return str(action.get("value") or "")


def _action_channel(body: Mapping[str, Any]) -> str:
    container = body.get("container") or {}
    return str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")


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


def _action_target(body: Mapping[str, Any], team: str, dm_channel: str | None) -> Target | None:
    user = str((body.get("user") or {}).get("id") or "")
    if is_home_action(body):
        return Target(team, dm_channel, user, is_dm=True) if dm_channel else None
    action = (body.get("actions") or [{}])[0]
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = _action_channel(body)
    ephemeral = bool(container.get("is_ephemeral"))
    thread = _action_thread(body)
    dm = is_dm(channel)
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


# ---- events -----------------------------------------------------------------------------------


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
    admin = is_admin(team, user, admins)
    if kind == "message" and is_dm(channel, event.get("channel_type")):
        return TextIn(
            ref=ConversationRef(PLATFORM, team, channel, user, event.get("thread_ts")),
            message_id=message_id,
            text=text,
            display_name=mention(user),
            is_admin=admin,
            raw=body,
        )
    if kind != "app_mention" or is_dm(channel):
        # In a DM a mention also arrives as message.im; answering both would reply twice.
        return None
    text = _without_mentions(text, bot_user_id)
    # The conversation lives in the mention's thread, where its replies go.
    thread = event.get("thread_ts") or event.get("ts")
    ref = ConversationRef(PLATFORM, team, channel, user, thread)
    first, _, rest = text.partition(" ")
    name = first.lstrip("/").lower()
    if not text or name in commands:
        return CommandIn(
            ref=ref,
            message_id=message_id,
            name=name or "help",
            args=rest.strip(),
            display_name=mention(user),
            is_group=True,
            is_admin=admin,
            raw=body,
        )
    return TextIn(
        ref=ref,
        message_id=message_id,
        text=text,
        display_name=mention(user),
        is_group=True,
        is_admin=admin,
        raw=body,
    )


def _without_mentions(text: str, bot_user_id: str | None) -> str:
    text = _LEADING_MENTIONS.sub("", text)
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", "", text)
    return text.strip()


def _unescape(text: str) -> str:
    # Slack sends message text with &, < and > as entities.
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _fallback_id(body: Mapping[str, Any]) -> str:
    # Every real payload has a trigger_id or event_id; this only keeps odd ones deterministic.
    return "h" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]
