"""The part every fake server shares: an aiohttp app on 127.0.0.1 on an ephemeral port.

Subclasses add their routes in `routes()` and may extend `stop()`; `start()`, `stop()`, the
async context manager and `url` are here once. Never a fixed port: two test runs (or two
benchmarks) on one machine must not collide.
"""

from __future__ import annotations

from typing import Self

from aiohttp import web


class FakeServer:
    """An aiohttp server for tests and benchmarks on 127.0.0.1, ephemeral port."""

    host = "127.0.0.1"
    client_max_size = 20 * 1024 * 1024
    shutdown_timeout = 0.5

    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None

    def routes(self, app: web.Application) -> None:
        """Add the fake's routes to `app`."""
        raise NotImplementedError

    async def start(self) -> Self:
        """Listen on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=self.client_max_size)
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=self.shutdown_timeout)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Stop listening (safe to call twice)."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"
