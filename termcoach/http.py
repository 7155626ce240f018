"""termcoach's one HTTP server: adapter webhooks plus /healthz and /readyz, behind body limits."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.base import Adapter
from storage.db import Database
from termcoach.guards import BodyLimit

log = logging.getLogger(__name__)

# /readyz is asked every few seconds by each probe; one real write a second is plenty.
READY_CACHE_S = 1.0


class Readiness:
    """Whether the database takes a real write now (cached for a second).

    One log line each time that changes, naming the cause.
    """

    def __init__(self, db: Database, worker: str, timeout_s: float = 3.0) -> None:
        self.db = db
        self.worker = worker
        self.timeout_s = timeout_s
        self._at = 0.0
        self._problem: str | None = None

    async def database(self) -> str | None:
        """None when the database is writable, else the cause (read_only, full, timeout...)."""
        now = time.monotonic()
        if now - self._at < READY_CACHE_S:
            return self._problem
        problem = await self.db.check_write(self.worker, self.timeout_s)
        self._at = time.monotonic()
        if problem != self._problem:
            if problem is None:
                log.warning("readiness: the database takes writes again")
            else:
                log.error("readiness: the database does not take a write (%s)", problem)
        self._problem = problem
        return problem


def build_app(
    adapters: Sequence[Adapter],
    db: Database,
    extra_routes: Sequence[BaseRoute] = (),
    *,
    worker: str = "termcoach",
    ready_timeout_s: float = 3.0,
) -> Starlette:
    """A Starlette app with every adapter's routes, health and readiness checks.

    Every request body is capped before anything reads it (`termcoach.guards.BodyLimit`).
    """
    readiness = Readiness(db, worker, ready_timeout_s)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        problem = await readiness.database()
        checks = {"database": problem is None}
        for adapter in adapters:
            checks[adapter.platform] = bool(adapter.ready)
        status = 200 if all(checks.values()) else 503
        body: dict[str, object] = {"ready": status == 200, "checks": checks}
        if problem is not None:
            body["database"] = problem
        return JSONResponse(body, status_code=status)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *extra_routes,
    ]
    for adapter in adapters:
        routes.extend(adapter.routes())
    return Starlette(routes=routes, middleware=[Middleware(BodyLimit)])
