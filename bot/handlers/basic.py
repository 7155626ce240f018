"""Basic commands: help, start, term cards, topics with progress, stats, cancel, and `cmd:` buttons."""

from __future__ import annotations

from bot.cards import remember_shown, term_card
from bot.commands import Feature
from bot.context import CommandSpec, TurnContext
from bot.handlers.onboarding import ACTION_PREFIX as ONBOARDING_PREFIX
from bot.handlers.onboarding import onboarding_action, start_command
from bot.handlers.stats import stats_command
from bot.messages import Choice, CommandIn, Reply, escape
from content.index import Match
from storage import attempts, terms_seen


async def help_command(ctx: TurnContext, args: str) -> list[Reply]:
    """List every command with a one-line summary, grouped."""
    groups: dict[str, list[str]] = {}
    for spec in ctx.features.visible():
        how, summary = spec.described(ctx.native_quiz)
        # The command itself stays plain text: chat apps make `/quiz` a link that runs it
        # when tapped, but copy it when it sits in a code span. Its arguments are code.
        usage = f"/{spec.name}" + (f" `{escape(how)}`" if how else "")
        groups.setdefault(spec.group, []).append(f"- {usage}: {escape(summary)}")
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


async def term_command(ctx: TurnContext, args: str) -> list[Reply]:
    """Show a term card by (fuzzy) name, or the next term the learner has not seen."""
    pack = ctx.pack
    if args:
        match = pack.find_term(args)
        named = pack.terms_named_with(args) if match is None else []
        if len(named) == 1:
            # "KS" names one term alone (KS test): show it rather than "not found".
            match, named = Match(named[0], 100.0, False), []
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
        seen = await terms_seen.seen_terms(ctx.session, ctx.learner.id)
        unseen = [t for t in pack.term_order if t not in seen]
        if not unseen:
            return [
                Reply(
                    "You have seen every term in the pack. Type /quiz to practise, "
                    "or /term NAME to look one up again."
                )
            ]
        term = pack.terms[unseen[0]]
    await terms_seen.mark_seen(ctx.session, ctx.learner.id, term.id, ctx.now)
    remember_shown(ctx.state, term.id)
    return [term_card(pack, term)]


async def topics_command(ctx: TurnContext, args: str) -> list[Reply]:
    """The topic areas with the learner's progress (terms seen, quiz accuracy)."""
    pack = ctx.pack
    seen = await terms_seen.seen_terms(ctx.session, ctx.learner.id)
    accuracy = await attempts.counts_by_term(ctx.session, ctx.learner.id)
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


async def cancel_command(ctx: TurnContext, args: str) -> list[Reply]:
    """Nothing to cancel (a running activity is ended by the engine before this runs)."""
    return [Reply("Nothing is running. Type /quiz to start a quiz or /help for more.")]


async def run_button_command(ctx: TurnContext, rest: str) -> list[Reply]:
    """A button that runs a command (payload ``cmd:quiz drift``)."""
    name, _, args = rest.partition(" ")
    return await ctx.run_command(CommandIn(ref=ctx.ref, name=name, args=args))


def feature() -> Feature:
    """Help, start, term, topics, stats and cancel, and the `cmd:` button action."""
    return Feature(
        name="basics",
        commands=(
            CommandSpec(
                "help",
                "show this list of commands",
                help_command,
                group="Basics",
                keeps_activity=True,
            ),
            CommandSpec(
                "start",
                "welcome: your goal and today's plan",
                start_command,
                hidden=True,
                keeps_activity=True,
            ),
            CommandSpec(
                "term",
                "a term card; no name gives the next new term",
                term_command,
                usage="[name]",
                aliases=("define", "card"),
                keeps_activity=True,
            ),
            CommandSpec(
                "topics",
                "the topic areas and your progress",
                topics_command,
                keeps_activity=True,
            ),
            CommandSpec(
                "stats",
                "your progress; stats chart draws a picture",
                stats_command,
                usage="[chart]",
                aliases=("progress",),
                keeps_activity=True,
            ),
            CommandSpec(
                "cancel",
                "stop what is running",
                cancel_command,
                aliases=("stop",),
                group="Basics",
            ),
        ),
        actions=(("cmd", run_button_command), (ONBOARDING_PREFIX, onboarding_action)),
    )
