"""What the role-play shows: the scenario card, the list of scenarios, the persona's lines."""

from __future__ import annotations

from bot.context import TurnContext
from bot.messages import Choice, Reply, escape
from bot.roleplay.persona import speaker
from bot.wording import inner_quotes
from content.models import Scenario

PAYLOAD_PREFIX = "rp"


def persona_reply(scenario: Scenario, text: str, token: str, note: str = "") -> Reply:
    """A line of the persona's, with the button that ends the conversation."""
    body = f"*{escape(speaker(scenario))}:* “{escape(inner_quotes(text))}”"
    if note:
        body += f"\n\n_{note}_"
    done = Choice("Finish and get feedback", f"{PAYLOAD_PREFIX}:done:{token}")
    return Reply(body, choices=(done,))


def coach_reply(text: str) -> Reply:
    """A word from the coach, out of character, during a role-play."""
    return Reply(f"_(Coach)_ {text}")


def brief_reply(ctx: TurnContext, scenario: Scenario, max_turns: int) -> Reply:
    """The scenario card: setting, task, terms to use, useful phrases, how it works."""
    pack = ctx.pack
    terms = ", ".join(pack.terms[t].term for t in scenario.target_terms if t in pack.terms)
    phrases = " · ".join(f"“{p}”" for p in scenario.useful_phrases[:4])
    audience = scenario.audience
    lines = [
        f"_{escape(scenario.setting)}_",
        "",
        f"*You are talking to:* {escape(audience.name)}, {escape(audience.role)}.",
        f"*Your task:* {escape(scenario.brief)}",
        f"*Try to use:* {escape(terms)}",
        f"*Useful phrases:* {escape(phrases)}",
        "",
        f"Answer in your own words, in up to {max_turns} messages. {escape(audience.name)} will "
        "ask follow-up questions; you may ask back what a word means. Type /done for your "
        "feedback, /hint for help, or /cancel to stop.",
    ]
    return Reply("\n".join(lines), title=f"Role-play: {scenario.title}")


def list_reply(
    ctx: TurnContext,
    scenarios: list[Scenario],
    heading: str = "",
    recommended: tuple[Scenario, str] | None = None,
) -> Reply:
    """Scenarios grouped by topic, each with its command and a button in the same order.

    A recommendation, when there is one, comes first with its reason. The text list is not
    numbered: the console numbers the buttons, and two numbers for one scenario would confuse.
    """
    pack = ctx.pack
    lines = [heading or "I play the other person, and you explain. Pick a scenario:"]
    shown: list[Scenario] = []
    if recommended is not None:
        best, why = recommended
        shown.append(best)
        lines += [
            "",
            f"*Recommended for you:* {escape(best.title)}: `/roleplay {best.id}`",
            f"_{escape(why)}_",
        ]
    for topic in pack.pack.topics:
        here = [s for s in scenarios if s.topic == topic.id and s not in shown[:1]]
        if not here:
            continue
        shown += here
        lines += ["", f"*{escape(topic.title)}*"]
        lines += [f"- {escape(s.title)}: `/roleplay {s.id}`" for s in here]
    lines += [
        "",
        "Press a button, or type /roleplay with an id, a topic or an audience (for example "
        "/roleplay pm). /roleplay random picks one for you.",
    ]
    choices = tuple(Choice(s.title, f"cmd:roleplay {s.id}") for s in shown)
    return Reply("\n".join(lines), choices=choices, title="Role-play")
