"""``stats``: the learner's progress as text (from `bot.progress`), or ``stats chart``, a picture."""

from __future__ import annotations

from datetime import timedelta

from bot.context import TurnContext
from bot.messages import Image, Reply, escape
from bot.progress import Progress, due_parts, load_cards, progress, scores_by_item
from bot.quiz.chart import ScoreBar, per_day, render_png
from bot.quiz.questions import short_name
from bot.quiz.srs import MASTERED_STABILITY_DAYS
from bot.quiz.streaks import local_date, zone
from bot.roleplay.history import title_of
from bot.wording import count
from content.index import PackIndex
from storage import attempts, results
from storage import cards as stored_cards

HISTORY_LINES = 5
CHART_WORDS = ("chart", "graph", "plot", "picture")


def quiz_lines(pack: PackIndex, done: Progress) -> list[str]:
    """Terms seen, due now and later today, mastered, streak, accuracy per topic, trouble terms."""
    parts = due_parts(done)
    if done.due_now:
        parts[0] += " (type /review)"
    due_line = "Due for review: " + ", ".join(parts)
    lines = [
        f"Terms seen: {done.seen_terms} of {done.total_terms}",
        due_line,
        f"Mastered: {done.mastered} (memory stable for {MASTERED_STABILITY_DAYS:.0f}+ days)",
        f"Streak: {count(done.streak, 'day')} (longest {done.longest_streak})",
    ]
    dont_know = f" (and {done.skipped} “I don't know”, not counted)" if done.skipped else ""
    if not done.answers:
        if done.skipped:
            lines.append(f"Quiz answers: none guessed yet{dont_know}.")
        else:
            lines.append("No quiz answers yet. Type /quiz or /review to start.")
        return lines
    lines.append(f"Quiz answers: {done.answers}, {done.accuracy_pct}% right{dont_know}")
    lines.append("Accuracy by topic:")
    for topic in done.topics:
        pct = round(100 * topic.right / topic.answers)
        lines.append(f"- {escape(topic.title)}: {topic.right} of {topic.answers} right ({pct}%)")
    if done.trouble:
        parts = [
            f"{escape(short_name(pack.terms[t]))} (wrong {w} of {n})" for t, w, n in done.trouble
        ]
        lines.append("Most trouble: " + ", ".join(parts))
    return lines


def practice_lines(pack: PackIndex, done: Progress) -> list[str]:
    """Role-play and written-exercise history."""
    lines: list[str] = []
    for kind, label, command in (
        ("roleplay", "Role-plays", "/roleplay"),
        ("exercise", "Written exercises", "/exercises"),
    ):
        mine = [r for r in done.results if r.kind == kind]
        scored = [r for r in mine if r.score is not None]
        if not mine:
            lines.append(f"{label}: none yet. Type {command} to start one.")
            continue
        stopped = len(mine) - len(scored)
        head = f"{label}: {len(scored)} finished"
        if scored:
            average = round(sum(r.score or 0 for r in scored) / len(scored))
            best = max(r.score or 0 for r in scored)
            head += f", average score {average}, best {best}"
        if stopped:
            head += f" ({stopped} stopped early)"
        lines.append(head)
        for item in scores_by_item(scored)[:HISTORY_LINES]:
            title = escape(title_of(pack, item.item_id))
            if item.tries == 1:
                lines.append(f"- {title}: {item.latest}/100")
            else:
                lines.append(
                    f"- {title}: {item.first} → {item.latest} "
                    f"(best {item.best}, {item.tries} tries)"
                )
    return lines


async def chart_reply(ctx: TurnContext) -> Reply:
    """A PNG of reviews and accuracy per day over the last 30 local days."""
    tz = zone(ctx.learner.timezone)
    today = local_date(ctx.now, tz)
    since = ctx.now - timedelta(days=31)
    reviews = await stored_cards.reviews_since(ctx.session, ctx.learner.id, since)
    answers = await attempts.attempts_since(ctx.session, ctx.learner.id, since)
    if not reviews and not answers:
        return Reply("Nothing to chart yet: answer a few questions with /quiz or /review first.")
    learned = list((await stored_cards.first_reviews(ctx.session, ctx.learner.id)).values())
    cards = (await load_cards(ctx.session, ctx.learner.id)).values()
    mastered = [c.last_review for c in cards if c.mastered and c.last_review is not None]
    days = per_day(reviews, answers, today, tz, learned=learned, mastered=mastered)
    done_items = scores_by_item(await results.results(ctx.session, ctx.learner.id))
    bars = [ScoreBar(title_of(ctx.pack, s.item_id), s.first, s.best, s.latest) for s in done_items]
    png = render_png(days, bars)
    total = sum(d.answers for d in days)
    right = sum(d.right for d in days)
    done = count(sum(d.reviews for d in days), "review")
    caption = f"Last 30 days: {done}, {round(100 * right / max(total, 1))}% right."
    return Reply(
        caption,
        image=Image(png=png, filename=f"termcoach-stats-{today:%Y%m%d}.png", caption=caption),
    )


async def stats_command(ctx: TurnContext, args: str) -> list[Reply]:
    """``stats``: progress as text; ``stats chart``: the picture."""
    if args.strip().lower() in CHART_WORDS:
        return [await chart_reply(ctx)]
    done = await progress(ctx.session, ctx.pack, ctx.learner, ctx.now)
    lines = [*quiz_lines(ctx.pack, done), "", *practice_lines(ctx.pack, done)]
    return [Reply("\n".join(lines), title="Your progress")]
