"""Keeping secrets out of logs: one redactor for every adapter, SDK logger and log handler.

Bot tokens appear in Telegram request URLs and Slack headers. Anything shaped like one is
replaced, and so is any exact secret an adapter registers (a token of an unusual shape).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_SECRET_PATTERNS = (
    re.compile(r"bot\d+:[A-Za-z0-9_-]{20,}"),
    re.compile(r"xox[abposr]-[A-Za-z0-9-]+"),
    re.compile(r"xapp-[A-Za-z0-9-]+"),
)
REDACTED = "<redacted>"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every token-shaped string and every one of `secrets` replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class RedactFilter(logging.Filter):
    """A logging filter that rewrites each record's message without secrets."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with secrets removed; never drops a record."""
        message = record.getMessage()
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg = clean
            record.args = None
        return True


def redacted_logger(name: str) -> logging.Logger:
    """A logger whose records never carry a token, whatever handlers exist (for SDK clients)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactFilter) for f in logger.filters):
        logger.addFilter(RedactFilter())
    return logger
