"""The role-play: the bot plays the audience, the learner explains over up to four messages.

`/roleplay` lists scenarios, `/roleplay ID` starts one (a number, a title, a topic or an
audience work too). The persona opens, follows up on what is missing or unclear, and after the
last message (or ``done``) the learner gets one feedback message ending with ``Score: N/100``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel

from bot.context import Activity, TurnContext
from bot.messages import Choice, ChoiceIn, CommandIn, Reply, TextIn, escape
from bot.roleplay import catalog, history
from bot.roleplay.feedback import feedback_text
from bot.roleplay.llm import PersonaModel
from bot.roleplay.persona import (
    MAX_TURNS,
    closing_line,
    next_follow_up,
    speaker,
)
from bot.roleplay.rubric import Rubric, assess, has_words, with_article
from bot.wording import inner_quotes
from content.index import normalize
from content.models import Scenario

PAYLOAD_PREFIX = "rp"


class Line(BaseModel):
    """One message of the conversation."""

    role: Literal["persona", "learner"]
    text: str


class RoleplayState(BaseModel):
    """A role-play in progress, stored as JSON on the conversation (so a restart resumes it)."""

    scenario: str
    token: str
    started: datetime
    max_turns: int = MAX_TURNS
    turns: int = 0
    lines: list[Line] = []
    asked: list[str] = []
    llm_off: bool = False
    via: str = "roleplay"

    def answer(self) -> str:
        """Everything the learner said, in order."""
        return "\n".join(line.text for line in self.lines if line.role == "learner")

    def dump_lines(self) -> list[dict[str, str]]:
        """The transcript as plain dicts."""
        return [line.model_dump() for line in self.lines]


def _persona_reply(scenario: Scenario, text: str, state: RoleplayState, note: str = "") -> Reply:
    body = f"*{escape(speaker(scenario))}:* “{escape(inner_quotes(text))}”"
    if note:
        body += f"\n\n_{note}_"
    done = Choice("Finish and get feedback", f"{PAYLOAD_PREFIX}:done:{state.token}")
    return Reply(body, choices=(done,))


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
        "ask follow-up questions. Type *done* for your feedback, *hint* for help, "
        "or /cancel to stop.",
    ]
    return Reply("\n".join(lines), title=f"Role-play: {scenario.title}")


def list_reply(ctx: TurnContext, scenarios: list[Scenario], heading: str = "") -> Reply:
    """Scenarios grouped by topic, each with its command and a button in the same order.

    The text list is not numbered: the console numbers the buttons, and two different numbers
    for one scenario would confuse.
    """
    pack = ctx.pack
    lines = [heading or "I play the other person, and you explain. Pick a scenario:"]
    shown: list[Scenario] = []
    for topic in pack.pack.topics:
        here = [s for s in scenarios if s.topic == topic.id]
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


class RoleplayActivity(Activity):
    """The role-play activity (state in `RoleplayState`)."""

    name: ClassVar[str] = "roleplay"
    title: ClassVar[str] = "role-play"
    own_commands: ClassVar[frozenset[str]] = frozenset({"done", "hint", "brief"})
    payload_prefix: ClassVar[str] = PAYLOAD_PREFIX

    async def start(self, ctx: TurnContext, args: str) -> list[Reply]:
        """`/roleplay [id | number | title | topic | audience | random]`."""
        pack = ctx.pack
        query = args.strip()
        everything = list(pack.pack.scenarios)
        if not query:
            return [list_reply(ctx, everything)]
        if query.isascii() and query.isdigit():
            n = int(query)
            if 1 <= n <= len(everything):
                return await self.begin(ctx, everything[n - 1])
            return [list_reply(ctx, everything, f"There is no scenario {n}. Pick one:")]
        if catalog.is_random(query):
            return await self.begin(ctx, ctx.rng.choice(everything))
        pool = [it for it in catalog.items(pack) if it.scenario is not None]
        exact = pack.scenarios.get(query) or next(
            (it.scenario for it in pool if normalize(it.title) == normalize(query)),
            None,
        )
        if exact is not None:
            return await self.begin(ctx, exact)
        by_audience = catalog.audience_scenarios(pack, query)
        if len(by_audience) == 1:
            return await self.begin(ctx, by_audience[0])
        if by_audience:
            who = with_article(by_audience[0].audience.role)
            return [list_reply(ctx, by_audience, f"Scenarios with {escape(who)}:")]
        # An exact topic name lists its scenarios; a near title starts one; a near topic lists.
        topic = catalog.exact_topic(pack, query)
        item = catalog.find_item(pack, query, pool) if topic is None else None
        if item is not None and item.scenario is not None:
            return await self.begin(ctx, item.scenario)
        topic = topic or catalog.find_topic(pack, query)
        if topic is not None:
            here = [s for s in everything if s.topic == topic.id]
            return [list_reply(ctx, here, f"Scenarios on *{escape(topic.title)}*:")]
        return [
            list_reply(
                ctx, everything, f"I don't know a scenario called “{escape(query[:60])}”. Pick one:"
            )
        ]

    async def begin(
        self,
        ctx: TurnContext,
        scenario: Scenario,
        max_turns: int = MAX_TURNS,
        via: str = "roleplay",
    ) -> list[Reply]:
        """Start `scenario`: the brief, then the persona's opening line."""
        state = RoleplayState(
            scenario=scenario.id,
            token=secrets.token_hex(4),
            started=ctx.now,
            max_turns=max_turns,
            via=via,
            lines=[Line(role="persona", text=scenario.opening)],
        )
        ctx.set_activity(self.name, state.model_dump(mode="json"))
        return [
            brief_reply(ctx, scenario, max_turns),
            _persona_reply(scenario, scenario.opening, state),
        ]

    def _load(self, ctx: TurnContext) -> tuple[RoleplayState, Scenario] | None:
        try:
            state = RoleplayState.model_validate(ctx.activity_data)
        except ValueError:
            return None
        scenario = ctx.pack.scenarios.get(state.scenario)
        return (state, scenario) if scenario else None

    async def on_input(self, ctx: TurnContext, inbound: TextIn | ChoiceIn) -> list[Reply]:
        """A learner message: the persona follows up, or the role-play ends with feedback."""
        loaded = self._load(ctx)
        if loaded is None:
            ctx.clear_activity()
            return [Reply("That role-play can't continue. Type /roleplay to start a new one.")]
        state, scenario = loaded
        if isinstance(inbound, ChoiceIn):
            if inbound.payload != f"{PAYLOAD_PREFIX}:done:{state.token}":
                return await self.on_stale_choice(ctx, inbound.payload)
            return await self._done(ctx, state, scenario)
        text = inbound.text
        if not has_words(text):
            # A slip of the keyboard or a sticker should not use up one of the learner's turns.
            return [
                Reply(
                    "That doesn't look like an answer yet. Reply in a sentence or two; "
                    "this did not use one of your messages. Type done to finish."
                )
            ]
        state.lines.append(Line(role="learner", text=text))
        state.turns += 1
        rubric = Rubric.for_scenario(scenario)
        assessment = assess(rubric, ctx.pack, state.answer())
        out_of_turns = state.turns >= state.max_turns
        follow = None
        if not out_of_turns:
            follow = next_follow_up(rubric, ctx.pack, text, assessment, state.asked)
        if follow is None:
            complete = not assessment.missed and not assessment.unexplained
            closing = closing_line(rubric.level, out_of_turns, complete)
            return await self._finish(ctx, state, scenario, closing)
        state.asked.append(follow.key)
        question = follow.text
        llm = self._llm(ctx, state)
        if llm is not None:
            # Nothing is written yet: free the connection while the model thinks.
            await ctx.release_db()
            worded = await llm.follow_up(scenario, state.dump_lines(), follow)
            if worded:
                question = worded
            else:
                # One failure is enough: don't make the learner wait for a dead endpoint again.
                state.llm_off = True
        state.lines.append(Line(role="persona", text=question))
        ctx.set_activity(self.name, state.model_dump(mode="json"))
        left = state.max_turns - state.turns
        note = f"{left} more message{'s' if left != 1 else ''} at most; type done to finish."
        return [_persona_reply(scenario, question, state, note)]

    def _llm(self, ctx: TurnContext, state: RoleplayState) -> PersonaModel | None:
        llm = ctx.services.llm
        if state.llm_off or not isinstance(llm, PersonaModel):
            return None
        return llm

    async def _done(
        self, ctx: TurnContext, state: RoleplayState, scenario: Scenario
    ) -> list[Reply]:
        if state.turns == 0:
            ctx.clear_activity()
            return [
                Reply(
                    "You ended the role-play before you answered, so there is nothing to score. "
                    f"Type /roleplay {scenario.id} to try again."
                )
            ]
        return await self._finish(ctx, state, scenario, None)

    async def _finish(
        self, ctx: TurnContext, state: RoleplayState, scenario: Scenario, closing: str | None
    ) -> list[Reply]:
        rubric = Rubric.for_scenario(scenario)
        assessment = assess(rubric, ctx.pack, state.answer())
        if closing:
            state.lines.append(Line(role="persona", text=closing))
        comment = None
        llm = self._llm(ctx, state)
        if llm is not None:
            await ctx.release_db()
            comment = await llm.comment(scenario, state.dump_lines(), assessment)
        text = feedback_text(
            title=scenario.title,
            rubric=rubric,
            assessment=assessment,
            pack=ctx.pack,
            model_answer=scenario.model_answer,
            comment=comment,
            commenter=scenario.audience.name,
        )
        await history.save_result(
            ctx,
            item_id=scenario.id,
            kind="roleplay",
            transcript=state.dump_lines(),
            feedback=text,
            score=assessment.score,
            started_at=state.started,
            extra={"via": state.via, "llm_comment": comment is not None},
        )
        ctx.clear_activity()
        replies = []
        if closing:
            replies.append(Reply(f"*{escape(speaker(scenario))}:* “{escape(closing)}”"))
        choices = (
            Choice("Try again", f"cmd:roleplay {scenario.id}"),
            Choice("Another scenario", "cmd:roleplay"),
        )
        replies.append(Reply(text, choices=choices, kind="feedback"))
        return replies

    async def on_command(self, ctx: TurnContext, command: CommandIn) -> list[Reply]:
        """``done`` ends with feedback; ``hint`` helps; ``brief`` shows the task again."""
        loaded = self._load(ctx)
        if loaded is None:
            ctx.clear_activity()
            return [Reply("That role-play can't continue. Type /roleplay to start a new one.")]
        state, scenario = loaded
        if command.name == "done":
            return await self._done(ctx, state, scenario)
        if command.name == "brief":
            return [brief_reply(ctx, scenario, state.max_turns)]
        return [self._hint(ctx, state, scenario)]

    def _hint(self, ctx: TurnContext, state: RoleplayState, scenario: Scenario) -> Reply:
        rubric = Rubric.for_scenario(scenario)
        assessment = assess(rubric, ctx.pack, state.answer())
        lines = ["*Hint*"]
        if assessment.missed:
            lines.append(f"Think about this: {escape(assessment.missed[0].point)}")
        unused = [ctx.pack.terms[t].term for t in assessment.terms_unused if t in ctx.pack.terms]
        if unused:
            lines.append(f"Terms you have not used yet: {escape(', '.join(unused))}")
        if rubric.level != "high":
            lines.append(
                f"{escape(scenario.audience.name)} is not an ML specialist: explain each term "
                "the first time you use it."
            )
        lines.append("Useful phrases: " + escape(" · ".join(scenario.useful_phrases)))
        return Reply("\n".join(lines))

    async def on_stale_choice(self, ctx: TurnContext, payload: str) -> list[Reply]:
        """A button from a role-play that has ended."""
        return [
            Reply("That button belongs to a role-play that has ended. Type /roleplay to start one.")
        ]

    async def end(self, ctx: TurnContext, reason: str) -> list[Reply]:
        """Stopped by /cancel or another command: keep the transcript, give no score."""
        loaded = self._load(ctx)
        ctx.clear_activity()
        if loaded is None:
            return [Reply("Stopped the role-play.")]
        state, scenario = loaded
        if state.turns:
            await history.save_result(
                ctx,
                item_id=scenario.id,
                kind="roleplay",
                transcript=state.dump_lines(),
                feedback="",
                score=None,
                started_at=state.started,
                extra={"via": state.via, "stopped": reason},
            )
        return [
            Reply(
                f"Stopped the role-play (no score). Type /roleplay {scenario.id} to try it again."
            )
        ]
