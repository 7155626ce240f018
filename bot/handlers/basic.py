"""Basic commands: help, term cards, topics with progress, stats, cancel."""

from __future__ import annotations

from sqlalchemy import case, func, select

from bot.cards import term_card
from bot.commands import CommandRegistry, CommandSpec
from bot.context import TurnContext
from bot.messages import Choice, Reply, escape
from storage import repos
from storage.models import QuizAttempt


async def help_command(ctx: TurnContext, args: str) -> list[Reply]:
    """List every command with a one-line summary, grouped."""
    groups: dict[str, list[str]] = {}
    for spec in ctx.engine.registry.visible():
        usage = f"/{spec.name}" + (f" {spec.usage}" if spec.usage else "")
        groups.setdefault(spec.group, []).append(f"- `{escape(usage)}`: {escape(spec.summary)}")
    lines = [
        "I help you learn and practise the English of ML platform engineering: "
        "feature stores, model registries, drift, experiment tracking, inference and governance.",
    ]
    for group, items in groups.items():
        lines += ["", f"*{escape(group)}*", *items]
    lines += [
        "",
        "During a quiz, /hint gives a clue; during a role-play or an exercise, /done finishes "
        "it. Outside them you can also just type a term, like “PSI”, or ask “what is PSI?”.",
    ]
    choices = (
        Choice("Start a quiz", "cmd:quiz"),
        Choice("Next new term", "cmd:term"),
        Choice("Topics", "cmd:topics"),
    )
    return [Reply("\n".join(lines), choices=choices, title="termcoach")]


async def start_command(ctx: TurnContext, args: str) -> list[Reply]:
    """Welcome a learner (back, with what is due), then show help."""
    from bot.quiz.activity import next_review_line  # the quiz feature builds on these handlers

    name = ctx.learner.display_name or ""
    to = f", {escape(name)}" if name else ""
    if await repos.seen_terms(ctx.session, ctx.learner.id):
        hello = f"Welcome back{to}! {await next_review_line(ctx)}"
    else:
        hello = f"Hello{to}! Welcome to termcoach."
    return [Reply(hello), *await help_command(ctx, args)]


async def term_command(ctx: TurnContext, args: str) -> list[Reply]:
    """Show a term card by (fuzzy) name, or the next term the learner has not seen."""
    pack = ctx.pack
    if args:
        match = pack.find_term(args)
        named = pack.terms_named_with(args) if match is None else []
        if len(named) > 1:
            shown = named[:6]
            text = f"Several terms match “{escape(args[:80])}”. Which one do you mean?"
            if len(named) > len(shown):
                text += f" (The first {len(shown)} of {len(named)}; type more of the name.)"
            return [Reply(text, choices=tuple(Choice(t.term, f"cmd:term {t.id}") for t in shown))]
        if match is None:
            suggestions = pack.suggest(args)
            text = f"I could not find a term called “{escape(args[:80])}”."
            if suggestions:
                text += " Did you mean: " + escape(", ".join(t.term for t in suggestions)) + "?"
            text += " Type /topics to browse."
            choices = tuple(Choice(t.term, f"cmd:term {t.id}") for t in suggestions)
            return [Reply(text, choices=choices)]
        term = match.term
    else:
        seen = await repos.seen_terms(ctx.session, ctx.learner.id)
        unseen = [t for t in pack.term_order if t not in seen]
        if not unseen:
            return [
                Reply(
                    "You have seen every term in the pack. Type /quiz to practise, "
                    "or /term NAME to look one up again."
                )
            ]
        term = pack.terms[unseen[0]]
    await repos.mark_seen(ctx.session, ctx.learner.id, term.id, ctx.now)
    return [term_card(pack, term)]


async def topics_command(ctx: TurnContext, args: str) -> list[Reply]:
    """The topic areas with the learner's progress (terms seen, quiz accuracy)."""
    pack = ctx.pack
    seen = await repos.seen_terms(ctx.session, ctx.learner.id)
    accuracy = await _accuracy_by_term(ctx)
    lines = []
    for topic in pack.pack.topics:
        terms = pack.terms_in(topic)
        seen_here = sum(1 for t in terms if t.id in seen)
        right = sum(accuracy.get(t.id, (0, 0))[0] for t in terms)
        total = sum(accuracy.get(t.id, (0, 0))[1] for t in terms)
        score = f", {round(100 * right / total)}% right in quizzes" if total else ""
        lines.append(f"- *{escape(topic.title)}*: {seen_here} of {len(terms)} terms seen{score}")
    lines += ["", "Type /quiz TOPIC to practise one, for example /quiz drift."]
    choices = tuple(Choice(t.title, f"cmd:quiz {t.id}") for t in pack.pack.topics)
    return [Reply("\n".join(lines), choices=choices, title="Topics")]


async def _accuracy_by_term(ctx: TurnContext) -> dict[str, tuple[int, int]]:
    rows = await ctx.session.execute(
        select(
            QuizAttempt.term_id,
            func.sum(case((QuizAttempt.correct, 1), else_=0)),
            func.count(),
        )
        .where(QuizAttempt.learner_id == ctx.learner.id)
        .group_by(QuizAttempt.term_id)
    )
    return {term: (int(right or 0), int(total)) for term, right, total in rows}


async def quiz_stats_section(ctx: TurnContext) -> list[str]:
    """Terms seen, answers given and accuracy per topic."""
    pack = ctx.pack
    seen = await repos.seen_terms(ctx.session, ctx.learner.id)
    accuracy = await _accuracy_by_term(ctx)
    right = sum(r for r, _ in accuracy.values())
    total = sum(t for _, t in accuracy.values())
    lines = [f"Terms seen: {len(seen)} of {len(pack.terms)}"]
    if total:
        lines.append(f"Quiz answers: {total}, {round(100 * right / total)}% correct")
    else:
        lines.append("No quiz answers yet. Type /quiz to start.")
    for topic in pack.pack.topics:
        ids = {t.id for t in pack.terms_in(topic)}
        r = sum(v[0] for k, v in accuracy.items() if k in ids)
        t = sum(v[1] for k, v in accuracy.items() if k in ids)
        if t:
            lines.append(f"- {escape(topic.title)}: {round(100 * r / t)}% of {t}")
    return lines


async def stats_command(ctx: TurnContext, args: str) -> list[Reply]:
    """Every registered stats section, one after the other."""
    lines: list[str] = []
    for section in ctx.engine.registry.stats_sections:
        part = await section(ctx)
        if part:
            if lines:
                lines.append("")
            lines.extend(part)
    return [Reply("\n".join(lines) or "No progress yet.", title="Your progress")]


async def cancel_command(ctx: TurnContext, args: str) -> list[Reply]:
    """Nothing to cancel (a running activity is ended by the engine before this runs)."""
    return [Reply("Nothing is running. Type /quiz to start a quiz or /help for more.")]


async def run_button_command(ctx: TurnContext, rest: str) -> list[Reply]:
    """A button that runs a command (payload ``cmd:quiz drift``)."""
    from bot.messages import CommandIn

    name, _, args = rest.partition(" ")
    return await ctx.engine.run_command(ctx, CommandIn(ref=ctx.ref, name=name, args=args))


def register(registry: CommandRegistry) -> None:
    """Add the basic commands."""
    registry.add(CommandSpec("help", "show this list of commands", help_command, group="Basics"))
    registry.add(CommandSpec("start", "welcome and help", start_command, hidden=True))
    registry.add(
        CommandSpec(
            "term",
            "a term card; no name gives the next new term",
            term_command,
            usage="[name]",
            aliases=("define", "card"),
        )
    )
    registry.add(CommandSpec("topics", "the topic areas and your progress", topics_command))
    registry.add(CommandSpec("stats", "your progress", stats_command, aliases=("progress",)))
    registry.add(
        CommandSpec(
            "cancel", "stop what is running", cancel_command, aliases=("stop",), group="Basics"
        )
    )
    registry.add_action("cmd", run_button_command)
    registry.stats_sections.append(quiz_stats_section)
