"""Telegram's limits, each defined once here: Bot API sizes and broadcast pacing.

The sizes come from python-telegram-bot's constants, which follow the Bot API.
"""

from __future__ import annotations

from telegram.constants import (
    BotDescriptionLimit,
    CallbackQueryLimit,
    InlineKeyboardButtonLimit,
    MessageLimit,
    PollLimit,
)

from bot.messages import QuizLimits
from bot.pacing import PacingRules, Rate

# Message text and photo captions, in UTF-16 code units after entity parsing.
TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)
CAPTION_LIMIT = int(MessageLimit.CAPTION_LENGTH)
# A button's callback data, in bytes.
CALLBACK_DATA_LIMIT = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
# The pop-up text of answerCallbackQuery.
CALLBACK_TEXT_LIMIT = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)
# Quiz polls: plain-text question, options and explanation.
POLL_QUESTION_LIMIT = int(PollLimit.MAX_QUESTION_LENGTH)
POLL_OPTION_LIMIT = int(PollLimit.MAX_OPTION_LENGTH)
POLL_EXPLANATION_LIMIT = int(PollLimit.MAX_EXPLANATION_LENGTH)
POLL_EXPLANATION_LINE_FEEDS = int(PollLimit.MAX_EXPLANATION_LINE_FEEDS)
POLL_MIN_OPTIONS = 2  # a poll needs two options; PTB has no constant for it
POLL_MAX_OPTIONS = int(PollLimit.MAX_OPTION_NUMBER)
# What the engine is told, so that it prefers quiz questions that fit a poll.
QUIZ_LIMITS = QuizLimits(POLL_QUESTION_LIMIT, POLL_OPTION_LIMIT, POLL_EXPLANATION_LIMIT)
# Bot commands in the menu (setMyCommands).
MAX_MENU_COMMANDS = 100
# The bot's description (shown before the first message) and short description (its profile).
DESCRIPTION_LIMIT = int(BotDescriptionLimit.MAX_DESCRIPTION_LENGTH)
SHORT_DESCRIPTION_LIMIT = int(BotDescriptionLimit.MAX_SHORT_DESCRIPTION_LENGTH)

# Telegram's broadcast limits: about 30 messages a second per bot (25 with a burst of 2 keeps
# any one-second window under it), one a second per chat, 20 a minute per group. A 429 pauses
# the whole bot token.
PACING = PacingRules(
    sender=Rate(25, 1.0, burst=2), chat=Rate(1, 1.0), group=Rate(20, 60.0), pause="sender"
)
