"""Console adapter: chat with termcoach in a terminal (rich) or through a pipe (plain text)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import os
import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.text import Text
from starlette.routing import BaseRoute

from bot.engine import DialogueEngine
from bot.messages import (
    ChoiceIn,
    CommandIn,
    ConversationRef,
    Inbound,
    Reply,
    SendResult,
    TextIn,
    parse_markup,
    strip_markup,
    unfolded,
)
from bot.pacing import NO_LIMITS
from storage import platform_state

EXIT_WORDS = {"/exit", "/quit"}
RICH_STYLES = {"b": "bold", "i": "italic", "code": "cyan", "": ""}
PROMPT = "you> "
GOODBYE = "Goodbye! Your progress is saved."
# The last message's numbered choices are kept in the database, so "2" typed after a restart
# still answers the question on screen.
CHOICES_KIND = "console-choices"
CHOICES_KEPT = timedelta(days=30)


def console_ref(user: str) -> ConversationRef:
    """The conversation of a console user (one per user name)."""
    return ConversationRef("console", "local", f"console-{user}", user)


def to_inbound(
    line: str,
    ref: ConversationRef,
    choices: Sequence[tuple[str, str]],
    message_id: str,
    labels: Sequence[tuple[str, str]] = (),
) -> Inbound | None:
    """Translate one typed line: ``/cmd args``, a choice number or label, or free text.

    Numbers pick from `choices` (the last message's buttons); labels match any button shown.
    """
    text = line.rstrip("\r\n")
    stripped = text.strip()
    if not stripped:
        return None
    if stripped.startswith("/") and len(stripped) > 1:
        name, _, args = stripped[1:].partition(" ")
        return CommandIn(ref=ref, message_id=message_id, name=name, args=args.strip(), raw=line)
    if stripped.isdigit() and 1 <= int(stripped) <= len(choices):
        return ChoiceIn(
            ref=ref, message_id=message_id, payload=choices[int(stripped) - 1][1], raw=line
        )
    for label, payload in [*choices, *labels]:
        if stripped.casefold() == label.strip().casefold():
            return ChoiceIn(ref=ref, message_id=message_id, payload=payload, raw=line)
    return TextIn(ref=ref, message_id=message_id, text=text, raw=line)


def render_plain(reply: Reply, numbers: Sequence[int] = ()) -> str:
    """A reply as plain text: title, text without markup, choices as ``1. label`` lines."""
    lines: list[str] = []
    if reply.title:
        lines.append(f"== {reply.title} ==")
    lines.append(strip_markup(reply.text))
    for number, choice in zip(numbers, reply.choices, strict=False):
        lines.append(f"{number}. {choice.label}")
    return "\n".join(lines)


def render_rich(reply: Reply, numbers: Sequence[int] = ()) -> Text:
    """A reply as rich text with bold, italic and code styles."""
    out = Text()
    if reply.title:
        out.append(reply.title + "\n", style="bold magenta")
    for style, chunk in parse_markup(reply.text):
        out.append(chunk, style=RICH_STYLES.get(style, ""))
    for number, choice in zip(numbers, reply.choices, strict=False):
        out.append(f"\n  {number}. ", style="bold yellow")
        out.append(choice.label)
    return out


class ConsoleAdapter:
    """Reads lines, hands them to the engine, prints the replies. Holds no tutoring logic."""

    platform = "console"
    pacing = NO_LIMITS

    def __init__(
        self,
        engine: DialogueEngine,
        user: str = "me",
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool | None = None,
        chart_dir: Path | None = None,
    ) -> None:
        self.engine = engine
        self.user = user
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.console = Console(file=self.stdout, highlight=False, soft_wrap=not self.interactive)
        self.chart_dir = chart_dir or Path("charts")
        self.ref = console_ref(user)
        self._choices: list[tuple[str, str]] = []
        self._labels: list[tuple[str, str]] = []
        self._ids = itertools.count(1)
        self._session = uuid.uuid4().hex[:8]
        self._ready = False
        self._reader_gone = False
        # True while the prompt waits for a line: a daily term printed then starts a new line
        # and shows the prompt again, instead of being written after "you> ".
        self._prompting = False

    @property
    def ready(self) -> bool:
        """True while the chat loop runs."""
        return self._ready

    def routes(self) -> list[BaseRoute]:
        """The console serves no HTTP routes."""
        return []

    async def start(self) -> None:
        """Load the numbered choices left on screen by the last run."""
        self._ready = True
        async with self.engine.db.session() as session:
            kept = await platform_state.get(
                session, "console", "local", CHOICES_KIND, self.ref.key, self.engine.now()
            )
        if kept:
            self._choices = [(str(label), str(payload)) for label, payload in kept["choices"]]

    async def _keep_choices(self) -> None:
        expires = datetime.now(UTC) + CHOICES_KEPT
        async with self.engine.db.session() as session:
            await platform_state.put(
                session,
                "console",
                "local",
                CHOICES_KIND,
                self.ref.key,
                {"choices": [list(c) for c in self._choices]},
                expires,
            )

    async def stop(self) -> None:
        """Nothing to disconnect."""
        self._ready = False

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        """Print proactive replies (the daily term when the console is subscribed).

        At the prompt, the message starts on a line of its own and the prompt comes back after
        it, so the term is never printed as if the learner had typed it.
        """
        prompting = self._prompting and self.interactive
        if prompting:
            self.stdout.write("\r\x1b[K\n")
        self.show(replies)
        if prompting and not self._reader_gone:
            self.stdout.write(PROMPT)
            self.stdout.flush()
        await self._keep_choices()
        return SendResult("sent")

    def show(self, replies: Sequence[Reply]) -> None:
        """Print replies; each message numbers its own choices from 1.

        A typed number answers the last message that has choices (the open question), so a
        button on an earlier message never shifts the numbers of the answers. When the reader
        of our output has gone (`termcoach run | head`), the chat ends quietly.
        """
        if self._reader_gone:
            return
        try:
            self._show(replies)
        except BrokenPipeError:
            self._reader_gone = True
            _silence(self.stdout)

    def _show(self, replies: Sequence[Reply]) -> None:
        self._labels = []
        for shown in replies:
            reply = unfolded(shown)  # a terminal folds nothing: the folded text is a choice
            numbers = list(range(1, len(reply.choices) + 1))
            if reply.choices:
                self._choices = [(c.label, c.payload) for c in reply.choices]
            self._labels.extend((c.label, c.payload) for c in reply.choices)
            if self.interactive:
                self.console.print(render_rich(reply, numbers))
                self.console.print()
            else:
                self.stdout.write(render_plain(reply, numbers) + "\n\n")
            if reply.image is not None:
                self._save_image(reply)
        self.stdout.flush()

    def _save_image(self, reply: Reply) -> None:
        assert reply.image is not None
        self.chart_dir.mkdir(parents=True, exist_ok=True)
        path = (self.chart_dir / reply.image.filename).resolve()
        path.write_bytes(reply.image.png)
        self.stdout.write(f"(chart saved to {path})\n\n")

    async def handle_line(self, line: str) -> list[Reply]:
        """Send one typed line through the engine and print what comes back."""
        message_id = f"console:{self._session}:{next(self._ids)}"
        inbound = to_inbound(line, self.ref, self._choices, message_id, self._labels)
        if inbound is None:
            return []
        replies = await self.engine.handle(inbound)
        self.show(replies)
        if any(r.choices or r.folded for r in replies):
            await self._keep_choices()
        return replies

    async def run(self) -> int:
        """The chat loop; returns the exit code (0 at end of input, /exit, Ctrl-D or Ctrl-C)."""
        await self.start()
        if self.interactive:
            self.console.print(
                "[bold]termcoach[/bold]: type /start to begin, /help for every command, "
                "/exit to leave.",
                highlight=False,
            )
        try:
            while not self._reader_gone:
                line = await self._read_line()
                if line is None:
                    break
                if line.strip().lower() in EXIT_WORDS:
                    break
                await self.handle_line(line)
        except asyncio.CancelledError:
            # Ctrl-C: asyncio cancels us at once (the reader thread is a daemon, nobody waits
            # for its Enter); say goodbye on a line of its own, then let the cancel go on.
            self._goodbye()
            await self.stop()
            raise
        self._goodbye()
        await self.stop()
        return 0

    def _goodbye(self) -> None:
        if self.interactive and not self._reader_gone:
            self.stdout.write(f"\n{GOODBYE}\n")
            self.stdout.flush()

    async def _read_line(self) -> str | None:
        if self.interactive:
            self._prompting = True
            try:
                return await _in_daemon(lambda: self.console.input(PROMPT))
            except (EOFError, KeyboardInterrupt):
                return None
            finally:
                self._prompting = False
        line = await asyncio.to_thread(self.stdin.readline)
        return line if line else None


async def _in_daemon(read: Callable[[], str]) -> str:
    """Run a blocking read in a daemon thread: a Ctrl-C need not wait for it to return.

    `asyncio.to_thread` uses the loop's executor, which `asyncio.run` waits for at exit: the
    console then hung after Ctrl-C until Enter was pressed.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()

    def settle(outcome: str | BaseException) -> None:
        if done.done():
            return
        if isinstance(outcome, BaseException):
            done.set_exception(outcome)
        else:
            done.set_result(outcome)

    def work() -> None:
        try:
            outcome: str | BaseException = read()
        except BaseException as exc:  # EOFError, KeyboardInterrupt: handed to the loop
            outcome = exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: the chat is over
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=work, name="console-input", daemon=True).start()
    return await done


def _silence(stream: TextIO) -> None:
    # Python flushes stdout once more at exit; pointing it at /dev/null keeps that flush from
    # printing "Exception ignored ... BrokenPipeError" (the recipe in Python's signal docs).
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
