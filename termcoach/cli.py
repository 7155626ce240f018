"""The `termcoach` command line (typer)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from content.loader import DEFAULT_PACK, check_pack, check_pack_with_warnings
from storage.db import Database
from termcoach.cli_coach import app as coach_app
from termcoach.cli_daily import app as daily_app
from termcoach.logs import setup_logging
from termcoach.runtime import ConfigError, open_runtime, run_console, serve
from termcoach.settings import Settings

app = typer.Typer(
    help="termcoach: learn the English of ML platform engineering in chat.", no_args_is_help=True
)
content_app = typer.Typer(help="Validate and export content packs.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(content_app, name="content")
app.add_typer(db_app, name="db")
app.add_typer(daily_app, name="daily")
app.add_typer(coach_app, name="coach")


def _settings() -> Settings:
    settings = Settings()
    setup_logging(settings.log_level, settings.log_format)
    return settings


def _fail(message: str) -> None:
    typer.echo(f"termcoach: {message}", err=True)
    raise typer.Exit(1)


@app.command()
def run() -> None:
    """Run the bot: every configured platform, or the console chat when none is configured."""
    settings = _settings()
    try:
        code = asyncio.run(serve(settings))
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@app.command()
def chat(
    user: Annotated[
        str, typer.Option(help="Your learner name (progress is kept per name).")
    ] = "me",
) -> None:
    """Chat in the console (interactive in a terminal; one message per line from a pipe)."""
    settings = _settings()

    async def main() -> int:
        runtime = await open_runtime(settings)
        return await run_console(runtime, user)

    try:
        code = asyncio.run(main())
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@content_app.command("check")
def content_check(path: Annotated[Path | None, typer.Argument(help="Pack folder.")] = None) -> None:
    """Validate a pack; print each problem as file:line: message (exit 1 on problems).

    Warnings (such as definitions over 300 characters) are printed too but do not fail the check.
    """
    folder = path or DEFAULT_PACK
    pack, problems, warnings = check_pack_with_warnings(folder)
    for problem in problems:
        typer.echo(str(problem))
    for warning in warnings:
        typer.echo(str(warning))
    if problems or pack is None:
        typer.echo(f"{len(problems)} problem(s) in {folder}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"{pack.pack.id} {pack.pack.version}: {len(pack.terms)} terms, {len(pack.topics)} topics, "
        f"{len(pack.pairs)} pairs, {len(pack.scenarios)} scenarios, {len(pack.exercises)} exercises: OK"
        + (f" ({len(warnings)} warning(s))" if warnings else "")
    )


@content_app.command("export")
def content_export(
    fmt: Annotated[str, typer.Option("--format", help="Output format (json).")] = "json",
    path: Annotated[Path | None, typer.Option(help="Pack folder.")] = None,
) -> None:
    """Print the loaded pack."""
    if fmt != "json":
        _fail(f"unknown format '{fmt}': only json is supported")
    pack, problems = check_pack(path or DEFAULT_PACK)
    if pack is None:
        for problem in problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1)
    sys.stdout.write(json.dumps(pack.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply database migrations."""
    settings = _settings()

    async def main() -> None:
        db = Database(settings.database_url)
        try:
            await db.upgrade(revision)
        finally:
            await db.dispose()

    asyncio.run(main())
    typer.echo(f"database at {revision}")


if __name__ == "__main__":
    app()
