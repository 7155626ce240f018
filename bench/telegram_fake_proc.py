"""The fake Bot API server of `bench/telegram_throughput.py`, run in a child process of its own.

Real Telegram runs on someone else's machines, so the bench process should only spend CPU on the
bot under test. `FakeTelegramProcess` starts `tests.fakes.telegram_server.FakeTelegram` in a child
Python process (this file run as a script), on an ephemeral port of 127.0.0.1, and talks to it
over the child's stdin and stdout, one JSON object a line:

    child -> parent, once:   {"base_url": ..., "token": ...}
    {"op": "prepare", "messages": [[text, chat_id], ...]}  -> {"prepared": n}  (builds updates)
    {"op": "release"}                                      -> {"pushed": n}    (queues them)
    {"op": "api_calls"}                                    -> {"api_calls": n} (not getUpdates)
    {"op": "stop"}                                         -> {"stopped": true}, then it exits

Updates are built in the child (`prepare`) before a measurement starts and queued for getUpdates
in one go (`release`), so message ids come from the fake's own counters, as before. The child
also exits when its stdin closes, so a parent that dies leaves no server behind; the parent kills
it if it does not stop in time (or the measurement fails).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SCRIPT = Path(__file__).resolve()
# Run as a script (the child): the project root, not this folder, comes first on sys.path, so
# imports resolve as in the test suite (no bench module can shadow a package).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakes.telegram_server import FakeTelegram

START_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0


class FakeTelegramProcess:
    """Parent side: ``async with FakeTelegramProcess() as fake:`` gives ``base_url`` and ``token``."""

    def __init__(self) -> None:
        self.base_url = ""
        self.token = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> FakeTelegramProcess:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            hello = await self._read(START_TIMEOUT_S)
            self.base_url, self.token = hello["base_url"], hello["token"]
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _running(self) -> tuple[asyncio.StreamWriter, asyncio.StreamReader]:
        if self._proc is None or self._proc.stdin is None or self._proc.stdout is None:
            raise RuntimeError("the fake Bot API process is not running")
        return self._proc.stdin, self._proc.stdout

    async def _read(self, timeout_s: float) -> dict[str, Any]:
        _, stdout = self._running()
        line = await asyncio.wait_for(stdout.readline(), timeout_s)
        if not line:
            raise RuntimeError("the fake Bot API process exited")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"the fake Bot API process: {answer['error']}")
        return answer

    async def _request(self, op: str, **params: Any) -> dict[str, Any]:
        stdin, _ = self._running()
        async with self._lock:
            stdin.write(json.dumps({"op": op, **params}).encode() + b"\n")
            await stdin.drain()
            return await self._read(REQUEST_TIMEOUT_S)

    async def prepare(self, messages: list[tuple[str, int]]) -> None:
        """Build one text update per (text, chat_id) in the child; `release` queues them."""
        await self._request("prepare", messages=messages)

    async def release(self) -> None:
        """Queue the prepared updates for getUpdates, all at once."""
        await self._request("release")

    async def api_calls(self) -> int:
        """Bot API calls received so far, getUpdates not counted."""
        return int((await self._request("api_calls"))["api_calls"])

    async def close(self) -> None:
        """Ask the child to stop; kill it if it does not within STOP_TIMEOUT_S, or on any error."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.returncode is None and proc.stdin is not None:
                proc.stdin.write(b'{"op": "stop"}\n')
                await proc.stdin.drain()
                proc.stdin.close()
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
        except Exception:  # a broken pipe, a timeout: the kill below settles it
            pass
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()


# -- the child ------------------------------------------------------------------------------


async def serve() -> None:
    """Run FakeTelegram and answer the parent's requests until "stop" or the end of stdin."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def answer(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    async with FakeTelegram() as fake:
        answer({"base_url": fake.base_url, "token": fake.token})
        prepared: list[dict[str, Any]] = []
        while line := await reader.readline():
            request = json.loads(line)
            op = request.get("op")
            if op == "prepare":
                prepared = [
                    fake.text_update(text, chat_id=chat) for text, chat in request["messages"]
                ]
                answer({"prepared": len(prepared)})
            elif op == "release":
                fake.push_many(prepared)
                answer({"pushed": len(prepared)})
                prepared = []
            elif op == "api_calls":
                answer({"api_calls": sum(1 for c in fake.calls if c.method != "getUpdates")})
            elif op == "stop":
                answer({"stopped": True})
                break
            else:
                answer({"error": f"unknown op {op!r}"})


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group: the parent stops this process (or closes its
    # stdin), so the child ignores it rather than dying with a second traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(serve())
