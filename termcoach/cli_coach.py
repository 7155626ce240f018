"""``termcoach coach judge``: the coach's feedback on an answer, for content authors and benches."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.coach.brief import brief_for, find_item
from bot.coach.feedback import score
from bot.coach.judge import RubricJudge
from bot.coach.render import feedback_text
from bot.messages import strip_markup
from content.index import PackIndex
from content.loader import DEFAULT_PACK, load_default_pack
from termcoach.settings import Settings

app = typer.Typer(help="Try the coach's judge on sample answers.", no_args_is_help=True)


@app.command("judge")
def judge_command(
    item_id: Annotated[str, typer.Argument(help="A scenario or written exercise id.")],
    file: Annotated[
        Path | None, typer.Option("--file", help="The answer (default: standard input).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Print the feedback the offline coach gives on an answer (one message per paragraph)."""
    if fmt not in ("text", "json"):
        typer.echo(f"termcoach: unknown format '{fmt}': use text or json", err=True)
        raise typer.Exit(2)
    settings = Settings()
    pack = PackIndex(load_default_pack(settings.content_path or DEFAULT_PACK))
    item = find_item(pack, item_id)
    if item is None:
        typer.echo(f"termcoach: no scenario or written exercise '{item_id}'", err=True)
        raise typer.Exit(2)
    try:
        answer = file.read_text(encoding="utf-8") if file else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"termcoach: cannot read the answer: {exc}", err=True)
        raise typer.Exit(2) from exc
    messages = [m for m in answer.split("\n\n") if m.strip()]
    brief = brief_for(pack, item)
    feedback = asyncio.run(RubricJudge(pack).assess(brief, messages))
    result = score(feedback, brief.level, brief.length)
    if fmt == "json":
        data = feedback.model_dump(mode="json")
        data["score"] = result.total
        data["parts"] = {
            name: {"points": got, "of": top} for name, (got, top) in result.parts.items()
        }
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    typer.echo(strip_markup(feedback_text(brief, feedback, result, pack)))
