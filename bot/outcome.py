"""What a turn ends with: its outcome (`Committed`) and the notices when it could not run.

Also `scrub`, which makes a message's text valid Unicode before any of it is written.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.messages import CommandIn, Inbound, Reply
from bot.outgoing import Outgoing

DB_DOWN = (
    "I can't reach my database right now, so I could not record that. "
    "Nothing was lost: please send it again in a minute."
)
# What a learner is told when the turn could not be saved, by the cause storage reports.
DB_CAUSES = {
    "unreachable": DB_DOWN,
    "read_only": (
        "I can't save right now: my storage is not accepting changes, so I did not record that. "
        "Please send it again in a few minutes."
    ),
    "full": (
        "I can't save right now: my storage is full, so I did not record that. "
        "Please send it again in a few minutes."
    ),
    "timeout": (
        "I can't save right now: my database is not answering in time, so I did not record "
        "that. Please send it again in a minute."
    ),
    "other": (
        "I can't save right now, so I did not record that. Please send it again in a minute."
    ),
}
INTERNAL_ERROR = "Sorry, something went wrong on my side. Please try again, or type /help."
BUSY = "You sent several messages at once and I lost track. Please send your last one again."


def _valid_text(text: str) -> str:
    # A lone surrogate (JSON allows "\\ud800") cannot be encoded as UTF-8: every database write
    # of it would fail, turn after turn. It becomes U+FFFD.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


_TEXT_FIELDS = ("display_name", "text", "name", "args", "payload")


def scrub(inbound: Inbound) -> Inbound:
    """The message with every text field valid Unicode (lone surrogates replaced)."""
    changes: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = getattr(inbound, name, None)
        if isinstance(value, str) and not value.isascii():
            valid = _valid_text(value)
            if valid != value:
                changes[name] = valid
    return dataclasses.replace(inbound, **changes) if changes else inbound


@dataclasses.dataclass(frozen=True, slots=True)
class Committed:
    """What a platform turn did: its replies, and how it went.

    The replies are stored in the outbox, or sent directly when they say nothing could be stored.
    Those of work handed over to another conversation (a private chat) are not among them.
    """

    replies: list[Reply]
    outcome: str


@dataclasses.dataclass
class TurnResult:
    """What one transaction of a turn produced (inside the engine)."""

    replies: list[Reply]
    handovers: list[CommandIn] = dataclasses.field(default_factory=list)
    stored: Outgoing | None = None
    resend: list[int] = dataclasses.field(default_factory=list)
    failed: bool = False  # nothing was committed: the replies say why
    outcome: str = "ok"
