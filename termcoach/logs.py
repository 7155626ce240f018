"""Logging setup: text or JSON lines, and a filter that keeps secrets out of every record."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from adapters.redact import RedactFilter, redact

__all__ = ["JsonFormatter", "NoQueryStrings", "RedactFilter", "redact", "setup_logging"]


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the extra fields adapters attach."""

    EXTRA = ("request_id", "platform", "conversation", "outcome", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        """Format a record as JSON."""
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in self.EXTRA:
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


class NoQueryStrings(logging.Filter):
    """Access-log lines without query strings (OAuth's ``code`` and ``state`` are in them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Cut the query off the path argument of uvicorn's access-log record."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Configure the root logger once."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryStrings) for f in access.filters):
        access.addFilter(NoQueryStrings())
