"""Prometheus metrics at /metrics, fed by the neutral hooks in `bot.observe`."""

from __future__ import annotations

from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot import observe


class Metrics:
    """One registry per process with termcoach's counters, histogram and gauge."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._server: WSGIServer | None = None
        self.turns = Counter(
            "termcoach_turns",
            "Turns handled, by platform and outcome.",
            ["platform", "outcome"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "termcoach_turn_seconds",
            "Time to handle one turn.",
            ["platform"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.deliveries = Counter(
            "termcoach_deliveries",
            "Daily-term deliveries by platform and status.",
            ["platform", "status"],
            registry=self.registry,
        )
        self.platform_errors = Counter(
            "termcoach_platform_errors",
            "Platform API errors by platform and kind.",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.daily_passes = Counter(
            "termcoach_daily_passes",
            "Daily-term passes, by whether this process led them or another one was broadcasting.",
            ["role"],
            registry=self.registry,
        )
        self.replies = Counter(
            "termcoach_replies",
            "Stored batches of replies that left the outbox, by platform and outcome "
            "(sent, failed: refused for good, expired).",
            ["platform", "outcome"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "termcoach_outbox_pending",
            "Batches of replies this process has queued or is sending.",
            registry=self.registry,
        )
        self.scheduler_lag = Gauge(
            "termcoach_scheduler_lag_seconds",
            "How late the last scheduler pass ran.",
            registry=self.registry,
        )

    def install(self) -> None:
        """Listen to `bot.observe` events."""
        observe.OBSERVERS.turn.append(self._turn)
        observe.OBSERVERS.delivery.append(
            lambda platform, status: self.deliveries.labels(platform, status).inc()
        )
        observe.OBSERVERS.platform_error.append(
            lambda platform, kind: self.platform_errors.labels(platform, kind).inc()
        )
        observe.OBSERVERS.scheduler_lag.append(self.scheduler_lag.set)
        observe.OBSERVERS.outbox_pending.append(self.outbox_pending.set)
        observe.OBSERVERS.reply.append(
            lambda platform, outcome: self.replies.labels(platform, outcome).inc()
        )
        observe.OBSERVERS.daily_pass.append(
            lambda led: self.daily_passes.labels("leader" if led else "follower").inc()
        )

    def _turn(self, platform: str, outcome: str, seconds: float) -> None:
        self.turns.labels(platform, outcome).inc()
        self.turn_seconds.labels(platform).observe(seconds)

    def route(self) -> Route:
        """The /metrics route."""

        async def metrics(request: Request) -> Response:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        return Route("/metrics", metrics, methods=["GET"])

    def serve(self, host: str, port: int) -> None:
        """Serve /metrics on a port of its own (never the public one), in a daemon thread."""
        self._server, _ = start_http_server(port, addr=host, registry=self.registry)

    def close(self) -> None:
        """Stop the metrics server, if one runs."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
