"""termcoach's one HTTP server: adapter webhooks plus /healthz and /readyz."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.base import Adapter
from storage.db import Database

ReadyCheck = Callable[[], Awaitable[dict[str, bool]]]


def build_app(
    adapters: Sequence[Adapter], db: Database, extra_routes: Sequence[BaseRoute] = ()
) -> Starlette:
    """A Starlette app with every adapter's routes, health and readiness checks."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        checks = {"database": await db.ping()}
        for adapter in adapters:
            checks[adapter.platform] = bool(adapter.ready)
        status = 200 if all(checks.values()) else 503
        return JSONResponse({"ready": status == 200, "checks": checks}, status_code=status)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *extra_routes,
    ]
    for adapter in adapters:
        routes.extend(adapter.routes())
    return Starlette(routes=routes)
