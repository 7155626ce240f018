"""Telegram updates to engine messages: pure translation, no I/O.

`to_inbound` turns a text message, a button press or a quiz-poll vote into an `Inbound`, or None
when the bot should stay silent. A vote carries no chat, so the caller looks up where the poll was
sent (`PollInfo`, kept by `adapters.telegram.state`) and passes it in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Message, PollAnswer, Update

from adapters.telegram.render import unshared
from bot.messages import ChoiceIn, CommandIn, ConversationRef, Inbound, TextIn

PLATFORM = "telegram"
_COMMAND_RE = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)")


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
    answered: bool = False
    """A group's poll took its first vote (the group's quiz scores only that one)."""


def message_key(workspace: str, update_id: int) -> str:
    """The deduplication id handed to the engine for one update."""
    return f"tg-update:{workspace}:{update_id}"


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
        return _vote_inbound(answer, (polls or {}).get(answer.poll_id), workspace, mid, update)
    message = update.message
    if message is None or message.text is None:
        return None
    return _message_inbound(message, message.text, bot_username, bot_id, workspace, mid, update)


def _vote_inbound(
    answer: PollAnswer, info: PollInfo | None, workspace: str, mid: str, update: Update
) -> Inbound | None:
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
    return ChoiceIn(
        ref=_ref(workspace, info.chat, str(user.id), info.thread),
        message_id=mid,
        payload=info.payloads[index],
        display_name=user.full_name,
        is_group=info.is_group,
        dm=_dm(workspace, str(user.id)) if info.is_group else None,
        raw=update,
    )


def _message_inbound(
    message: Message,
    text: str,
    bot_username: str | None,
    bot_id: int | None,
    workspace: str,
    mid: str,
    update: Update,
) -> Inbound | None:
    user = message.from_user
    chat = message.chat
    if user is None or user.is_bot or chat.type == chat.CHANNEL:
        return None
    is_group = chat.type in (chat.GROUP, chat.SUPERGROUP)
    thread = str(message.message_thread_id) if message.is_topic_message else None
    common: dict[str, Any] = {
        "ref": _ref(workspace, str(chat.id), str(user.id), thread),
        "message_id": mid,
        "display_name": user.full_name,
        "is_group": is_group,
        "dm": _dm(workspace, str(user.id)) if is_group else None,
        "raw": update,
    }
    command = parse_command(text, bot_username)
    if command is False:
        return None
    if isinstance(command, tuple):
        return CommandIn(name=command[0], args=command[1], **common)
    if not is_group or _replies_to_us(message, bot_username, bot_id):
        return TextIn(text=text, **common)
    if bot_username and _mentions(message, bot_username):
        return TextIn(text=_strip_mention(text, bot_username), **common)
    return None


def _replies_to_us(message: Message, bot_username: str | None, bot_id: int | None) -> bool:
    replied = message.reply_to_message
    if replied is None or replied.from_user is None:
        return False
    if replied.from_user.id == bot_id:
        return True
    username = (replied.from_user.username or "").lower()
    return bot_username is not None and username == bot_username.lower()


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
        # A shared post's buttons carry a marker the engine never sees.
        payload=unshared(query.data)[0],
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
