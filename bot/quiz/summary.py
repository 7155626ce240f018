"""The end of a question round: the score, terms to look at again, the streak, what is due."""

from __future__ import annotations

from bot import progress
from bot.context import TurnContext
from bot.messages import Choice, Reply, escape
from bot.quiz.plan import RoundState
from bot.quiz.question import short_name
from bot.quiz.streaks import streak_at, zone


async def round_summary(ctx: TurnContext, state: RoundState, noun: str) -> Reply:
    """End of a round: score, terms to look at again, streak, and what is due next."""
    first = [r for r in state.results if not r.retry]
    right = sum(r.correct for r in first)
    fixed = sum(r.correct for r in state.results if r.retry)
    lines = [f"*{noun.capitalize()} finished:* {right} of {len(first)} right."]
    skipped = sum(r.skipped for r in first)
    if skipped:
        # Not wrong guesses: the learner said so, and saw the answer.
        lines[0] = lines[0][:-1] + f" ({skipped} “I don't know”)."
    if fixed:
        lines[0] += f" {fixed} fixed on the second try."
    missed = list(dict.fromkeys(r.term_id for r in first if not r.correct))
    if missed:
        names = ", ".join(
            short_name(ctx.pack.terms[t]) if t in ctx.pack.terms else "a phrase you kept"
            for t in missed
        )
        lines.append(f"Look again at: {escape(names)}.")
    elif first:
        lines.append("No mistakes. Well done!")
    tz = zone(ctx.learner.timezone)
    since = ctx.now - progress.STREAK_WINDOW
    streak = streak_at(
        await progress.practice_times(ctx.session, ctx.learner.id, since), ctx.now, tz
    )
    if streak > 1:
        lines.append(f"🔥 Streak: {streak} days in a row.")
    else:
        lines.append("🔥 Day 1 of your streak. Come back tomorrow to keep it going.")
    mine = (await progress.review_cards(ctx.session, ctx.pack, ctx.learner.id)).values()
    lines.append(progress.next_review_line(mine, ctx.now, ctx.learner.timezone))
    choices = [Choice("Another round", f"cmd:quiz {state.again}".strip())]
    if any(c.is_due(ctx.now) for c in mine):
        choices.insert(0, Choice("Review due terms", "cmd:review"))
    if state.then_command:
        lines.append(f"*Next:* {escape(state.then_text)} Type /{state.then_command}.")
        choices.insert(0, Choice("Go on", f"cmd:{state.then_command}"))
    return Reply("\n".join(lines), choices=tuple(choices))
