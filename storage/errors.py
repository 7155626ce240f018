"""Storage's own errors, so that callers never match driver exception types or messages.

`storage.session.guard` translates SQLAlchemy and driver errors into these three, in one place.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base of every error storage raises on purpose."""


class Conflict(StorageError):
    """Another writer changed the same rows first (a version check or a unique key): run again."""


class Busy(StorageError):
    """The database is busy with another writer (SQLite's lock): yield, then try again."""


class Unavailable(StorageError):
    """The database cannot be reached or used now (down, read-only, full, timed out).

    `reconnect` is True when only a pooled connection died (say the server restarted): a fresh
    connection may work at once, so one more attempt is worth it. `cause` says what is wrong,
    so a reply can name it: ``unreachable``, ``read_only``, ``full``, ``timeout`` or ``other``.
    """

    def __init__(
        self, message: str = "", *, reconnect: bool = False, cause: str = "unreachable"
    ) -> None:
        super().__init__(message)
        self.reconnect = reconnect
        self.cause = cause
