"""Fault injection against the real process: `termcoach run` beside the fakes, on 127.0.0.1.

`start` runs one `termcoach run` (Telegram webhook and Slack HTTP against the fake servers),
`Proc` kills it (SIGKILL too) and reads its peak memory; `TcpProxy` sits between it and
PostgreSQL and can stop answering (a database that hangs); `tmpfs` gives SQLite a small disk of
its own to fill. bench/faults.py runs the same scenarios and prints one JSON line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
SECRET = "fault-webhook-secret-4711"
SLACK_SECRET = "fault-slack-signing-secret"
SLACK_TOKEN = "xoxb-T1-fault-token"


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Proc:
    """One `termcoach run` process: its ports, its log and its environment."""

    env: dict[str, str]
    cwd: Path
    log: Path
    port: int
    metrics_port: int
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    logs: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        """A URL on its HTTP server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def launch(self) -> None:
        """Start (or start again) the process."""
        self.starts += 1
        out = self.log.with_suffix(f".{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "termcoach.cli", "run"],
            env=self.env,
            cwd=self.cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def text(self) -> str:
        """Everything every start of it has logged so far."""
        return "".join(
            p.read_text(errors="replace") for p in sorted(self.cwd.glob(f"{self.log.stem}.*.log"))
        )

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory (VmHWM), in MB."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        assert match is not None
        return int(match.group(1)) / 1024

    def kill9(self) -> None:
        """SIGKILL: no shutdown, no flush, nothing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def environment(
    tmp: Path,
    database_url: str,
    *,
    telegram: FakeTelegram | None = None,
    slack: FakeSlackServer | None = None,
    port: int,
    metrics_port: int,
    **extra: str,
) -> dict[str, str]:
    """The environment of a fault-test process: quick leases, short timeouts, local fakes."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "TELEGRAM_", "TERMCOACH_"))
    }
    env.update(
        {
            "TERMCOACH_DATABASE_URL": database_url,
            "TERMCOACH_HTTP_HOST": "127.0.0.1",
            "TERMCOACH_HTTP_PORT": str(port),
            "TERMCOACH_METRICS_PORT": str(metrics_port),
            "TERMCOACH_LOG_LEVEL": "INFO",
            "TERMCOACH_OUTBOX_LEASE": "2",
            "TERMCOACH_OUTBOX_POLL": "0.2",
            "TERMCOACH_PLATFORM_TIMEOUT": "1",
            "TERMCOACH_READY_TIMEOUT": "1",
            "TERMCOACH_DB_CONNECT_TIMEOUT": "2",
            "TERMCOACH_DB_COMMAND_TIMEOUT": "2",
            "TERMCOACH_SCHEDULER_INTERVAL": "30",
            "PYTHONPATH": str(ROOT),
        }
    )
    if telegram is not None:
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": telegram.token,
                "TELEGRAM_API_BASE_URL": telegram.base_url,
                "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
            }
        )
    if slack is not None:
        env.update(
            {
                "SLACK_BOT_TOKEN": SLACK_TOKEN,
                "SLACK_SIGNING_SECRET": SLACK_SECRET,
                "SLACK_API_URL": slack.api_url,
            }
        )
    env.update(extra)
    return env


async def start(
    tmp: Path,
    database_url: str,
    *,
    name: str = "termcoach",
    telegram: FakeTelegram | None = None,
    slack: FakeSlackServer | None = None,
    ready: bool = True,
    **extra: str,
) -> Proc:
    """Start `termcoach run` and wait until it answers /readyz (200, or any answer)."""
    port, metrics_port = free_port(), free_port()
    env = environment(
        tmp,
        database_url,
        telegram=telegram,
        slack=slack,
        port=port,
        metrics_port=metrics_port,
        **extra,
    )
    proc = Proc(env, tmp, tmp / name, port, metrics_port)
    proc.launch()
    await wait_ready(proc, 200 if ready else None)
    return proc


async def wait_ready(proc: Proc, status: int | None = 200, seconds: float = 60) -> int:
    """Wait until /readyz answers (with `status`, when given); returns the status."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            assert proc.process is not None
            if proc.process.poll() is not None:
                raise AssertionError(f"termcoach exited:\n{proc.text()[-3000:]}")
            try:
                answer = (await client.get(proc.url("/readyz"))).status_code
                if status is None or answer == status:
                    return answer
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"termcoach not ready:\n{proc.text()[-3000:]}")
            await asyncio.sleep(0.1)


async def readyz(proc: Proc) -> tuple[int, dict[str, Any]]:
    """/readyz's status and body."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(proc.url("/readyz"))
        return response.status_code, response.json()


async def until(check: Any, seconds: float = 30.0, what: str = "a condition") -> float:
    """Wait until `check()` (sync or async) is true; returns the seconds it took."""
    started = time.monotonic()
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        await asyncio.sleep(0.05)


async def post_update(
    client: httpx.AsyncClient, proc: Proc, update: dict[str, Any], **kw: Any
) -> int:
    """POST one Telegram update to the process's webhook, as Telegram does."""
    response = await client.post(
        proc.url("/telegram/webhook"),
        content=kw.pop("content", None) or _json(update),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
        timeout=60,
    )
    return response.status_code


def _json(update: dict[str, Any]) -> bytes:
    return json.dumps(update).encode()


async def slack_dm(
    client: httpx.AsyncClient, proc: Proc, user: str, text: str, event_id: str
) -> int:
    """A signed message.im event, as Slack sends it."""
    event = payloads.dm_event(text, user=user, ts=f"{time.time():.6f}")
    body = payloads.event_body(event, team="T1", event_id=event_id)
    headers = payloads.signed_headers(body, SLACK_SECRET, content_type=payloads.JSON)
    response = await client.post(proc.url("/slack/events"), content=body, headers=headers)
    return response.status_code


async def metric(proc: Proc, name: str) -> float:
    """The sum of a metric's samples on the process's metrics port."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://127.0.0.1:{proc.metrics_port}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#")
    )


async def big_post(
    port: int, path: str, size: int, *, chunked: bool, headers: dict[str, str] | None = None
) -> int:
    """Send a body of `size` bytes (chunked or with a Content-Length); the answer's status.

    Stops writing as soon as the server answers or closes; 0 when no status came back.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    answer = asyncio.ensure_future(reader.readline())
    block = b"x" * (1024 * 1024)
    sent = 0
    try:
        while sent < size and not answer.done():
            piece = block[: min(len(block), size - sent)]
            if chunked:
                writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            else:
                writer.write(piece)
            await writer.drain()
            sent += len(piece)
        if chunked and not answer.done():
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    try:
        status_line = await asyncio.wait_for(answer, 10)
    except (TimeoutError, ConnectionError, OSError):
        status_line = b""
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    parts = status_line.split()
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0


class TcpProxy:
    """A TCP relay on 127.0.0.1 to a target port that can stop relaying (a hung server).

    While paused, connections are accepted and bytes read, but nothing is passed on in either
    direction: to the client the database accepts connections and never answers.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._running = asyncio.Event()
        self._running.set()
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> TcpProxy:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def pause(self) -> None:
        """Stop relaying (connections stay open, nothing answers)."""
        self._running.clear()

    def resume(self) -> None:
        """Relay again."""
        self._running.set()

    async def stop(self) -> None:
        """Close everything."""
        if self._server is not None:
            self._server.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.ensure_future(self._pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                await self._running.wait()
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            sink.close()


@contextlib.asynccontextmanager
async def proxy_to(port: int) -> AsyncIterator[TcpProxy]:
    """A running `TcpProxy` to `port`."""
    proxy = await TcpProxy(port).start()
    try:
        yield proxy
    finally:
        await proxy.stop()


def can_mount() -> str | None:
    """None when this process may mount a tmpfs (root in a privileged sandbox), else why not."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    return None


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` at `path` (a disk that can fill up), unmounted at the end."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise PermissionError(done.stderr.strip() or "mount failed")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def fill(path: Path) -> Path:
    """Fill the file system of `path` with one file until it is full; returns the file."""
    filler = path / "filler.bin"
    block = b"\0" * (1024 * 1024)
    with filler.open("wb") as out:
        try:
            while True:
                out.write(block)
                out.flush()
        except OSError:
            pass
    return filler
