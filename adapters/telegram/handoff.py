"""Work that moves from a group to the learner's private chat, on Telegram: links and pop-ups.

A quiz round or a role-play asked for in a group runs in the learner's private chat (the engine's
`Handoff`). Telegram lets a bot write to a user only after the user started it, so the adapter
decides from stored chat status (`ChatStatuses.reachable`) before the turn whether the work can
begin there at once (`Inbound.dm`) or the learner must open the chat first. Then the link is a
deep link, ``t.me/<bot>?start=<payload>``: one tap opens the chat and sends ``/start <payload>``,
which `StartLinks.command` turns back into exactly that command.

A press in a group is answered with the button's pop-up (`answerCallbackQuery`, with the deep
link as its ``url`` when the chat must be opened first); a command typed in a group gets a short
reply there with a button that opens the private chat.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.telegram.render import is_notice
from adapters.telegram.state import Changes, ChatStatuses, TelegramState
from bot.messages import CommandIn, Handoff, Inbound, Reply

# Telegram's start parameter: at most 64 characters of A-Z, a-z, 0-9, _ and -.
START_LIMIT = 64
_INLINE, _STORED = "c", "k"
_STORED_KEY = "start:"
_COMMAND = re.compile(r"[a-z][a-z0-9_]{0,31}")


def chat_link(username: str, token: str | None = None) -> str:
    """The link that opens the private chat with the bot (and sends ``/start token``)."""
    return f"https://t.me/{username}" + (f"?start={token}" if token else "")


@dataclass(frozen=True, slots=True)
class PopUp:
    """How a button press is answered: the pop-up's text, or a link the client opens."""

    text: str | None = None
    url: str | None = None


class StartLinks:
    """Start payloads for deep links: the command itself, or a key to it when it is too long."""

    def __init__(self, state: TelegramState) -> None:
        """Keep long commands in `state` (`platform_state`, shared by every replica)."""
        self.state = state

    async def token(self, handoff: Handoff) -> str:
        """The start payload that runs `handoff`'s command in the private chat."""
        text = f"{handoff.command} {handoff.args}".strip()
        inline = _INLINE + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
        if len(inline) <= START_LIMIT:
            return inline
        digest = hashlib.sha256(text.encode()).digest()
        key = _STORED + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]
        changes = Changes()
        self.state.remember_payload(changes, _STORED_KEY + key, text)
        await self.state.save(changes)  # committed before the link can be tapped
        return key

    async def command(self, token: str) -> tuple[str, str] | None:
        """(command, args) a start payload stands for; None for any other ``/start`` argument."""
        text: str | None = None
        if token.startswith(_INLINE):
            body = token[len(_INLINE) :]
            try:
                text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
            except (binascii.Error, ValueError):
                return None
        elif token.startswith(_STORED):
            text = await self.state.long_payload(_STORED_KEY + token)
        if not text:
            return None
        name, _, args = text.partition(" ")
        return (name, args) if _COMMAND.fullmatch(name) else None


def waiting_handoff(replies: Sequence[Reply]) -> Handoff | None:
    """The handoff whose private chat the learner must open first, if the replies carry one."""
    return next((r.handoff for r in replies if r.handoff and r.handoff.dm is None), None)


def pop_up_only(replies: Sequence[Reply], context: Mapping[str, Any]) -> bool:
    """True for replies that are all notices to a press (its pop-up) or to a raced group vote."""
    notices = bool(replies) and all(is_notice(r) for r in replies)
    return notices and bool(context.get("press") or context.get("group_vote"))


def handoff_markup(username: str, handoff: Handoff, token: str | None) -> InlineKeyboardMarkup:
    """The button under a group's handoff line: it opens the private chat (starting the work)."""
    label = "Open the private chat" if handoff.dm is not None else "Start it in the private chat"
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=chat_link(username, token))]])


def shown_as_pop_up(replies: Sequence[Reply], context: Mapping[str, Any]) -> bool:
    """True when a stored batch was shown as a pop-up already: the outbox sends nothing."""
    waiting = waiting_handoff(replies) is not None and bool(context.get("press"))
    return waiting or pop_up_only(replies, context)


async def private_chat(inbound: Inbound, statuses: ChatStatuses, links: StartLinks) -> Inbound:
    """`inbound`, its private chat kept only when the bot may write there.

    A deep link's ``/start <payload>`` becomes the command it stands for.
    """
    if inbound.dm is not None and not await statuses.reachable(inbound.dm.chat):
        # Never started the bot (or blocked it): work cannot begin there, so the engine asks
        # them to open the chat, and nothing is sent there to be refused.
        inbound = dataclasses.replace(inbound, dm=None)
    if isinstance(inbound, CommandIn) and inbound.name == "start" and not inbound.is_group:
        started = await links.command(inbound.args) if inbound.args else None
        if started is not None:
            inbound = dataclasses.replace(inbound, name=started[0], args=started[1])
    return inbound


async def press_answer(
    links: StartLinks,
    username: str,
    inbound: Inbound,
    replies: Sequence[Reply],
    context: Mapping[str, Any],
) -> PopUp | None:
    """How a press is answered, seen by the presser alone; None for an empty pop-up."""
    handoff = waiting_handoff(replies)
    if handoff is not None:
        # One tap opens the private chat and starts exactly that work there.
        return PopUp(url=chat_link(username, await links.token(handoff)))
    if pop_up_only(replies, context):
        # "Already answered", "continues in our private chat".
        return PopUp(" ".join(r.plain_text for r in replies))
    private = [r for r in replies if r.private]
    if private and inbound.is_group and inbound.dm is None:
        # Private replies for someone the bot may not write to are not sent (the delivery
        # drops them): the pop-up says them instead.
        return PopUp(" ".join(r.plain_text for r in private))
    # Every press gets an answer at once: the first line the engine meant for a pop-up.
    flash = next((r.flash for r in replies if r.flash), None)
    return PopUp(flash) if flash else None
