"""Console adapter: piped chat prints plain text, choices by number or label, progress persists."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter, console_ref, render_plain, to_inbound
from bot.engine import DialogueEngine
from bot.messages import Choice, ChoiceIn, CommandIn, Reply, TextIn

ROOT = Path(__file__).resolve().parents[1]


def test_to_inbound_translates_commands_numbers_labels_and_text() -> None:
    ref = console_ref("ann")
    choices = [("Start a quiz", "cmd:quiz"), ("Topics", "cmd:topics")]
    assert isinstance(to_inbound("/term psi", ref, choices, "1"), CommandIn)
    cmd = to_inbound("/term  psi ", ref, choices, "1")
    assert isinstance(cmd, CommandIn)
    assert (cmd.name, cmd.args) == ("term", "psi")
    number = to_inbound("2", ref, choices, "2")
    assert isinstance(number, ChoiceIn)
    assert number.payload == "cmd:topics"
    label = to_inbound("start a QUIZ", ref, choices, "3")
    assert isinstance(label, ChoiceIn)
    assert label.payload == "cmd:quiz"
    assert isinstance(to_inbound("7", ref, choices, "4"), TextIn)
    assert to_inbound("   ", ref, choices, "5") is None


def test_render_plain_numbers_choices_and_strips_markup() -> None:
    reply = Reply(
        "*Bold* and _it_ and `code`", choices=(Choice("A", "a"), Choice("B", "b")), title="T"
    )
    assert render_plain(reply, [1, 2]) == "== T ==\nBold and it and code\n1. A\n2. B"


async def test_piped_chat_runs_help_card_and_a_question(engine: DialogueEngine) -> None:
    stdin = io.StringIO("/help\n/term concept drift\n/quiz\n1\n")
    stdout = io.StringIO()
    adapter = ConsoleAdapter(engine, user="ann", stdin=stdin, stdout=stdout, interactive=False)
    assert await adapter.run() == 0
    out = stdout.getvalue()
    assert "/quiz" in out
    assert "== concept drift ==" in out
    assert "Question 1 of" in out
    assert "1. " in out
    assert "Correct" in out or "Not quite" in out


def test_make_run_style_pipe_through_the_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env["TERMCOACH_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    script = "/help\n/term concept drift\n/quiz\n1\n"
    result = subprocess.run(
        [sys.executable, "-m", "termcoach.cli", "run"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "== concept drift ==" in result.stdout
    assert "Question 1 of" in result.stdout
    assert "Traceback" not in result.stderr
    # Progress persists between runs: the card seen above counts in /topics.
    again = subprocess.run(
        [sys.executable, "-m", "termcoach.cli", "chat", "--user", "me"],
        input="/stats\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "Terms seen: " in again.stdout
    assert "Terms seen: 0" not in again.stdout


def test_a_reader_that_goes_away_ends_the_chat_quietly(tmp_path: Path) -> None:
    # `termcoach run | head -2`: the pipe closes under us. The process used to hang at exit
    # (a daily pass cancelled inside a database call left a connection that never closed).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env["TERMCOACH_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/pipe.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "termcoach.cli", "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(b"/term psi\n/help\n/quiz\n1\n/stats\n")
    proc.stdin.close()
    assert proc.stdout.readline()  # the first line came, then the reader leaves
    proc.stdout.close()
    try:
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert code == 0, err
    assert "Traceback" not in err and "Exception ignored" not in err


async def test_a_daily_term_at_the_prompt_gets_a_line_of_its_own(engine: DialogueEngine) -> None:
    # Issue 16: the daily term was printed on the prompt line ("you> PSI …").
    stdout = io.StringIO()
    adapter = ConsoleAdapter(
        engine, user="ann", stdin=io.StringIO(), stdout=stdout, interactive=True
    )
    adapter._prompting = True  # the prompt is waiting for a line
    await adapter.send(console_ref("ann"), [Reply("*Term of the day* · PSI")])
    out = stdout.getvalue()
    assert out.startswith("\r\x1b[K\n") and "Term of the day" in out
    assert out.endswith("you> ")


async def test_ctrl_d_ends_on_a_new_line_with_a_goodbye(engine: DialogueEngine) -> None:
    stdout = io.StringIO()
    adapter = ConsoleAdapter(
        engine, user="ann", stdin=io.StringIO(), stdout=stdout, interactive=True
    )

    def eof(prompt: str) -> str:
        raise EOFError

    adapter.console.input = eof  # type: ignore[method-assign]
    assert await adapter.run() == 0
    assert stdout.getvalue().endswith("\nGoodbye! Your progress is saved.\n")


async def test_ctrl_c_at_the_prompt_ends_at_once(engine: DialogueEngine) -> None:
    # The reader used to be a thread asyncio.run waited for: Ctrl-C did nothing until Enter.
    stdout = io.StringIO()
    adapter = ConsoleAdapter(
        engine, user="ann", stdin=io.StringIO(), stdout=stdout, interactive=True
    )
    enter = threading.Event()

    def blocked(prompt: str) -> str:
        enter.wait(10)
        return "/help"

    adapter.console.input = blocked  # type: ignore[method-assign]
    task = asyncio.create_task(adapter.run())
    await asyncio.sleep(0.2)
    task.cancel()  # what asyncio.run does on Ctrl-C
    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2)
    assert time.monotonic() - started < 1
    assert "Goodbye! Your progress is saved." in stdout.getvalue()
    enter.set()


async def test_numbered_choices_survive_a_restart(engine: DialogueEngine) -> None:
    first = ConsoleAdapter(
        engine, user="ann", stdin=io.StringIO("/start\n"), stdout=io.StringIO(), interactive=False
    )
    await first.run()
    stdout = io.StringIO()
    again = ConsoleAdapter(
        engine, user="ann", stdin=io.StringIO("1\n"), stdout=stdout, interactive=False
    )
    await again.run()
    assert "2 of 3: When is your meeting with a product manager?" in stdout.getvalue()


async def test_new_learner_in_the_console_sees_numbered_goals(engine: DialogueEngine) -> None:
    stdout = io.StringIO()
    adapter = ConsoleAdapter(
        engine, user="bo", stdin=io.StringIO("/start\n1\n2\n"), stdout=stdout, interactive=False
    )
    await adapter.run()
    out = stdout.getvalue()
    assert "1. A meeting with a PM" in out and "6. Just learning" in out
    assert "2. Tomorrow" in out and "1. B1: finding the words is hard" in out
    assert "Pick an answer" not in out
