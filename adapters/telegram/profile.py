"""What Telegram shows of termcoach before and around a chat: the command menus and the profile.

At start-up the adapter sets the private-chat menu in the order people use it, a shorter menu
for groups (``BotCommandScopeAllGroupChats``), the description ("What can this bot do?", shown
before the first message) and the short description (the bot's profile and shared links).
Each is a nicety the bot works without: a refusal is logged, and the start goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeDefault
from telegram.error import TelegramError

from adapters.telegram.limits import (
    DESCRIPTION_LIMIT,
    MAX_MENU_COMMANDS,
    SHORT_DESCRIPTION_LIMIT,
)
from adapters.turns import (
    DESCRIPTION,
    GROUP_MENU,
    MENU_ORDER,
    SHORT_DESCRIPTION,
    Engine,
    command_menu,
)

log = logging.getLogger(__name__)


async def register_profile(bot: Bot, engine: Engine) -> None:
    """Set both command menus, the description and the short description."""
    menus = (
        (MENU_ORDER, BotCommandScopeDefault()),
        (GROUP_MENU, BotCommandScopeAllGroupChats()),
    )
    for order, scope in menus:
        menu = command_menu(engine, MAX_MENU_COMMANDS, order)
        commands = [BotCommand(name, summary) for name, summary in menu]
        await _nicety("setMyCommands", bot.set_my_commands(commands, scope=scope))
    await _nicety("setMyDescription", bot.set_my_description(DESCRIPTION[:DESCRIPTION_LIMIT]))
    short = SHORT_DESCRIPTION[:SHORT_DESCRIPTION_LIMIT]
    await _nicety("setMyShortDescription", bot.set_my_short_description(short))


async def _nicety(method: str, call: Awaitable[object]) -> None:
    try:
        await call
    except TelegramError as exc:
        log.warning("%s failed: %s", method, exc)
