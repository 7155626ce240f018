"""The Telegram adapter (python-telegram-bot): translate updates, render replies, deliver them.

- `inbound`: updates to engine messages (pure);
- `render`: replies to Bot API call arguments (pure);
- `deliver`: sending, edits in place, retries and failure classification;
- `state`: what a restart or another replica needs (polls, long payloads, sent questions, chat
  status), kept in the database;
- `limits`: Telegram's limits and broadcast pacing;
- `client`: the PTB application as termcoach builds it;
- `app`: `TelegramAdapter`, the PTB application, webhook and lifecycle.
"""

from adapters.telegram.app import (
    ALLOWED_UPDATES,
    SECRET_HEADER,
    WEBHOOK_PATH,
    TelegramAdapter,
    webhook_secret_for,
)
from adapters.telegram.client import (
    CONCURRENT_UPDATES,
    SQLITE_CONCURRENT_UPDATES,
    build_application,
    normalize_base_url,
)
from adapters.telegram.inbound import PLATFORM, PollInfo, message_key, parse_command, to_inbound
from adapters.telegram.limits import PACING
from adapters.telegram.render import keyboard, render, split_html

__all__ = [
    "ALLOWED_UPDATES",
    "CONCURRENT_UPDATES",
    "PACING",
    "PLATFORM",
    "SECRET_HEADER",
    "SQLITE_CONCURRENT_UPDATES",
    "WEBHOOK_PATH",
    "PollInfo",
    "TelegramAdapter",
    "build_application",
    "keyboard",
    "message_key",
    "normalize_base_url",
    "parse_command",
    "render",
    "split_html",
    "to_inbound",
    "webhook_secret_for",
]
