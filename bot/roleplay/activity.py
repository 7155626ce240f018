"""The role-play: the bot plays the audience, the learner explains over up to four messages.

`/roleplay` lists scenarios (a recommendation first), `/roleplay ID` starts one (a number, a
title, a topic or an audience work too). Each learner message is judged at once by the offline
coach, and the persona picks its next line from what is still missing (`bot.roleplay.persona`).
A question to the character, an off-topic remark or a message in another language is answered
without using a turn. At the end the coach's judge gives the debrief in three parts
(`bot.roleplay.debrief`), and missed or misused terms come back in the learner's reviews.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel

from bot.coach.brief import Brief, brief_for, with_article
from bot.coach.feedback import Feedback, score
from bot.coach.language import is_english
from bot.coach.questions import Asked, asked_character
from bot.coach.sentences import words
from bot.context import Activity, TurnContext
from bot.messages import ChoiceIn, CommandIn, Reply, TextIn, escape
from bot.roleplay import catalog, debrief, history, mistakes, persona
from bot.roleplay.recommend import recommended
from bot.roleplay.views import PAYLOAD_PREFIX, brief_reply, coach_reply, list_reply, persona_reply
from content.index import normalize
from content.models import Scenario

# A message longer than this is not what one says in a meeting, and judging it costs time.
MAX_MESSAGE_CHARS = 2000
NO_TURN = "This did not use one of your messages."


class Line(BaseModel):
    """One message of the conversation."""

    role: Literal["persona", "learner"]
    text: str


# Only the Finish button under the latest message works; an older one says so (a pop-up).
OLD_FINISH = "That Finish button is from an earlier message: press the one under my last message."


def finish_id(key: str) -> str:
    """The id of the message that carries the Finish button with this key."""
    return f"roleplay-finish:{key}"


def finish_key(state: RoleplayState) -> str:
    """The Finish button's key: the role-play's token and how many lines were said so far."""
    return f"{state.token}-{len(state.lines)}"


class RoleplayState(BaseModel):
    """A role-play in progress, stored as JSON on the conversation (so a restart resumes it)."""

    scenario: str
    token: str
    started: datetime
    max_turns: int = persona.MAX_TURNS
    turns: int = 0
    lines: list[Line] = []
    asked: list[str] = []
    llm_off: bool = False
    via: str = "roleplay"
    # After the debrief: the sentence the learner is asked to rewrite, and its feedback.
    practice: str | None = None
    practice_feedback: dict[str, object] | None = None
    # The key of the one live Finish button (under the persona's latest message).
    finish_shown: str = ""

    def learner_lines(self) -> list[str]:
        """Everything the learner said, in order."""
        return [line.text for line in self.lines if line.role == "learner"]

    def last_persona_line(self) -> str:
        """What the persona said last."""
        return next((line.text for line in reversed(self.lines) if line.role == "persona"), "")

    def dump_lines(self) -> list[dict[str, str]]:
        """The transcript as plain dicts."""
        return [line.model_dump() for line in self.lines]


def has_words(text: str) -> bool:
    """True when a message has at least one real word (not emoji, a held key or a bare number)."""
    return any(len(w) > 1 and any(ch.isalpha() for ch in w) for w in words(text))


class RoleplayActivity(Activity):
    """The role-play activity (state in `RoleplayState`)."""

    name: ClassVar[str] = "roleplay"
    title: ClassVar[str] = "role-play"
    own_commands: ClassVar[frozenset[str]] = frozenset({"done", "hint", "brief", "skip"})
    payload_prefix: ClassVar[str] = PAYLOAD_PREFIX

    async def start(self, ctx: TurnContext, args: str) -> list[Reply]:
        """`/roleplay [id | number | title | topic | audience | random]`."""
        pack = ctx.pack
        query = args.strip()
        everything = list(pack.pack.scenarios)
        if not query:
            return [list_reply(ctx, everything, recommended=await recommended(ctx, everything))]
        if query.isascii() and query.isdigit():
            n = int(query)
            if 1 <= n <= len(everything):
                return await self.begin(ctx, everything[n - 1])
            return [list_reply(ctx, everything, f"There is no scenario {n}. Pick one:")]
        if catalog.is_random(query):
            return await self.begin(ctx, ctx.rng.choice(everything))
        found = self._find(ctx, query, everything)
        if isinstance(found, Reply):
            return [found]
        return await self.begin(ctx, found)

    def _find(self, ctx: TurnContext, query: str, everything: list[Scenario]) -> Scenario | Reply:
        pack = ctx.pack
        pool = [it for it in catalog.items(pack) if it.scenario is not None]
        exact = pack.scenarios.get(query) or next(
            (it.scenario for it in pool if normalize(it.title) == normalize(query)), None
        )
        if exact is not None:
            return exact
        by_audience = catalog.audience_scenarios(pack, query)
        if len(by_audience) == 1:
            return by_audience[0]
        if by_audience:
            who = with_article(by_audience[0].audience.role)
            return list_reply(ctx, by_audience, f"Scenarios with {escape(who)}:")
        # An exact topic name lists its scenarios; a near title starts one; a near topic lists.
        topic = catalog.exact_topic(pack, query)
        item = catalog.find_item(pack, query, pool) if topic is None else None
        if item is not None and item.scenario is not None:
            return item.scenario
        topic = topic or catalog.find_topic(pack, query)
        if topic is not None:
            here = [s for s in everything if s.topic == topic.id]
            return list_reply(ctx, here, f"Scenarios on *{escape(topic.title)}*:")
        return list_reply(
            ctx, everything, f"I don't know a scenario called “{escape(query[:60])}”. Pick one:"
        )

    async def begin(
        self,
        ctx: TurnContext,
        scenario: Scenario,
        max_turns: int = persona.MAX_TURNS,
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
        return [
            brief_reply(ctx, scenario, max_turns),
            self._persona(ctx, state, scenario, scenario.opening),
        ]

    def _persona(
        self, ctx: TurnContext, state: RoleplayState, scenario: Scenario, text: str, note: str = ""
    ) -> Reply:
        """A persona line under which the only live Finish button sits; the one before goes."""
        key = finish_key(state)
        previous, state.finish_shown = state.finish_shown, key
        self._save(ctx, state)
        return dataclasses.replace(
            persona_reply(scenario, text, key, note),
            question_id=finish_id(key),
            retires=finish_id(previous) if previous and previous != key else None,
        )

    def _save(self, ctx: TurnContext, state: RoleplayState) -> None:
        ctx.set_activity(self.name, state.model_dump(mode="json"))

    def _load(self, ctx: TurnContext) -> tuple[RoleplayState, Scenario] | None:
        try:
            state = RoleplayState.model_validate(ctx.activity_data)
        except ValueError:
            return None
        scenario = ctx.pack.scenarios.get(state.scenario)
        return (state, scenario) if scenario else None

    # ----------------------------------------------------------------- a learner's message

    async def on_input(self, ctx: TurnContext, inbound: TextIn | ChoiceIn) -> list[Reply]:
        """A learner message: the persona answers, or the role-play ends with the debrief."""
        loaded = self._load(ctx)
        if loaded is None:
            ctx.clear_activity()
            return [Reply("That role-play can't continue. Type /roleplay to start a new one.")]
        state, scenario = loaded
        if isinstance(inbound, ChoiceIn):
            done = f"{PAYLOAD_PREFIX}:done:{state.token}"
            if not inbound.payload.startswith(done) or state.practice:
                return await self.on_stale_choice(ctx, inbound.payload)
            if inbound.payload not in (done, f"{PAYLOAD_PREFIX}:done:{finish_key(state)}"):
                return [Reply(OLD_FINISH, kind="notice", private=True)]
            return await self._done(ctx, state, scenario)
        if state.practice is not None:
            return await self._check_rewrite(ctx, state, scenario, inbound.text)
        side = self._side_reply(ctx, state, scenario, inbound.text)
        if side is not None:
            return side
        brief = brief_for(ctx.pack, scenario)
        latest = await ctx.services.quick_judge.assess(brief, [inbound.text])
        if persona.is_off_topic(inbound.text, brief, scenario, latest):
            return self._redirect(ctx, state, scenario, brief, inbound.text)
        state.lines.append(Line(role="learner", text=inbound.text))
        state.turns += 1
        so_far = await ctx.services.quick_judge.assess(brief, state.learner_lines())
        nxt = None
        if state.turns < state.max_turns:
            nxt = persona.next_line(scenario, brief, so_far, latest, inbound.text, state.asked)
        if nxt is None:
            complete = not so_far.missed
            closing = persona.closing_line(brief.level, state.turns >= state.max_turns, complete)
            return await self._finish(ctx, state, scenario, closing)
        state.asked.append(nxt.key)
        text = nxt.text
        # A reaction already repeats the learner's figure; a recast on top would say it twice.
        recast = persona.recast(inbound.text, latest) if nxt.kind != "reaction" else None
        if recast:
            text = f"{recast} {text}"
        elif persona.is_unsure(inbound.text):
            text = persona.after_unsure(text)
        text = await self._worded(ctx, state, scenario, nxt, text)
        state.lines.append(Line(role="persona", text=text))
        self._save(ctx, state)
        left = state.max_turns - state.turns
        note = f"{left} more message{'s' if left != 1 else ''} at most; type /done to finish."
        return [self._persona(ctx, state, scenario, text, note)]

    def _side_reply(
        self, ctx: TurnContext, state: RoleplayState, scenario: Scenario, text: str
    ) -> list[Reply] | None:
        """A reply to a message that is not an answer, or None for an answer.

        Not an answer: no words, too long, another language, or a question to the character.
        """
        if not has_words(text):
            # A slip of the keyboard or a sticker should not use up one of the learner's turns.
            return [
                Reply(
                    "That doesn't look like an answer yet. Reply in a sentence or two; "
                    f"{NO_TURN.lower()} Type /done to finish."
                )
            ]
        if len(text) > MAX_MESSAGE_CHARS:
            return [
                Reply(
                    f"That is a long message for a meeting ({len(text):,} characters). Please "
                    f"say it in under {MAX_MESSAGE_CHARS:,} characters, in two or three "
                    f"messages if you need. {NO_TURN}",
                    kind="error",
                )
            ]
        if not is_english(text):
            line = persona.english_prompt()
            return [self._persona(ctx, state, scenario, line, NO_TURN)]
        asked = asked_character(text, ctx.pack, scenario.jargon)
        if asked is not None:
            return [coach_reply(self._answer_question(ctx, state, scenario, asked))]
        return None

    def _answer_question(
        self, ctx: TurnContext, state: RoleplayState, scenario: Scenario, asked: Asked
    ) -> str:
        """The coach's out-of-character answer to a question the learner asked the character."""
        name = scenario.audience.name
        last = escape(state.last_persona_line())
        if asked.kind == "term" and asked.term_id in ctx.pack.terms:
            term = ctx.pack.terms[asked.term_id]
            gloss = f"*{escape(term.term)}*: {escape(term.quiz_gloss)} (the card: /term {escape(term.term)})"
        elif asked.kind == "jargon":
            item = next(j for j in scenario.jargon if j.word == asked.word)
            gloss = f"“{escape(item.word)}” in plain words: {escape(item.explained_by[0])}."
        elif asked.kind == "repeat":
            return f"{escape(name)} said: “{last}” {NO_TURN}"
        else:
            gloss = (
                f"{escape(name)} can't answer questions in this rehearsal; the situation is in "
                "the brief (type *brief*)."
            )
        return f"{gloss}\n\nNow answer {escape(name)}: “{last}” {NO_TURN}"

    def _redirect(
        self, ctx: TurnContext, state: RoleplayState, scenario: Scenario, brief: Brief, text: str
    ) -> list[Reply]:
        """An off-topic message: the persona steers back to the topic, no turn used."""
        question = state.last_persona_line()
        line = persona.redirect(text, scenario, question)
        return [self._persona(ctx, state, scenario, line, NO_TURN)]

    async def _worded(
        self,
        ctx: TurnContext,
        state: RoleplayState,
        scenario: Scenario,
        nxt: persona.PersonaLine,
        offline: str,
    ) -> str:
        """The persona's line in the LLM's words when one is configured and answers."""
        llm = ctx.services.llm
        if llm is None or state.llm_off:
            return offline
        if nxt.kind == "point" and nxt.point_id:
            point = scenario.key_points[[p.id for p in scenario.key_points].index(nxt.point_id)]
            goal = (
                f"The engineer has not yet covered this point: '{point.point}'. React to what "
                "they just said, then ask about that point without giving the answer away."
            )
        elif nxt.kind == "jargon":
            goal = "The engineer used a word you do not understand. React, then ask what it means."
        else:
            goal = "React to the figure the engineer just gave, as someone in your role would."
        # Nothing is written yet: free the database connection while the model thinks.
        await ctx.release_db()
        worded = await llm.line(scenario, state.dump_lines(), goal, offline)
        if worded is None:
            # One failure is enough: don't make the learner wait for a dead endpoint again.
            state.llm_off = True
            return offline
        return worded

    # ----------------------------------------------------------------- the end

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
        brief = brief_for(ctx.pack, scenario)
        if closing:
            state.lines.append(Line(role="persona", text=closing))
        if ctx.services.llm is not None:
            # The LLM judge may take seconds: hand the connection back meanwhile.
            await ctx.release_db()
        feedback = await ctx.services.judge.assess(brief, state.learner_lines())
        result = score(feedback, brief.level, brief.length)
        back = await mistakes.bring_back(ctx, feedback)
        await history.save_result(
            ctx,
            item_id=scenario.id,
            kind="roleplay",
            transcript=state.dump_lines(),
            feedback=debrief.one_thing(brief, feedback, ctx.pack),
            score=result.total,
            started_at=state.started,
            extra={
                "via": state.via,
                "token": state.token,
                "coach": feedback.model_dump(mode="json"),
                "parts": result.parts,
            },
        )
        replies: list[Reply] = []
        if closing:
            replies.append(Reply(f"*{escape(persona.speaker(scenario))}:* “{escape(closing)}”"))
        summary = debrief.summary_reply(brief, feedback, result, ctx.pack, state.token)
        # The role-play is over: the last Finish button goes.
        retires = finish_id(state.finish_shown) if state.finish_shown else None
        replies.append(dataclasses.replace(summary, retires=retires))
        details = debrief.details_reply(brief, feedback, ctx.pack, state.token)
        if back:
            names = ", ".join(ctx.pack.terms[t].term for t in back)
            details = dataclasses.replace(
                details, text=f"{details.text}\n\n📚 Back in your reviews soon: {escape(names)}."
            )
        replies.append(details)
        practice = debrief.practice_reply(feedback)
        if practice is None:
            ctx.clear_activity()
            replies.append(Reply(f"Type /roleplay {scenario.id} to try it again."))
            return replies
        state.practice = feedback.rewrite.sentence if feedback.rewrite else None
        state.practice_feedback = feedback.model_dump(mode="json")
        self._save(ctx, state)
        replies.append(practice)
        return replies

    async def _check_rewrite(
        self, ctx: TurnContext, state: RoleplayState, scenario: Scenario, text: str
    ) -> list[Reply]:
        """The learner's rewrite of their weakest sentence: what changed."""
        if text.strip().lower() in {"skip", "no", "later", "done"}:
            ctx.clear_activity()
            return [Reply(f"OK. Type /roleplay {scenario.id} to try the whole conversation again.")]
        brief = brief_for(ctx.pack, scenario)
        before = Feedback.model_validate(state.practice_feedback or {})
        after = await ctx.services.quick_judge.assess(brief, [text])
        ctx.clear_activity()
        reply = debrief.rewrite_reply(state.practice or "", before, after)
        return [
            reply,
            Reply(f"Type /roleplay {scenario.id} to try the whole conversation again."),
        ]

    # ----------------------------------------------------------------- commands

    async def on_command(self, ctx: TurnContext, command: CommandIn) -> list[Reply]:
        """``done`` ends with feedback; ``hint`` helps; ``brief`` shows the task again."""
        loaded = self._load(ctx)
        if loaded is None:
            ctx.clear_activity()
            return [Reply("That role-play can't continue. Type /roleplay to start a new one.")]
        state, scenario = loaded
        if state.practice is not None:
            ctx.clear_activity()
            return [Reply(f"OK. Type /roleplay {scenario.id} to try the whole conversation again.")]
        if command.name == "done":
            return await self._done(ctx, state, scenario)
        if command.name == "brief":
            return [brief_reply(ctx, scenario, state.max_turns)]
        if command.name == "skip":
            return [Reply("There is nothing to skip yet. Type /done to finish.")]
        return [await self._hint(ctx, state, scenario)]

    async def _hint(self, ctx: TurnContext, state: RoleplayState, scenario: Scenario) -> Reply:
        brief = brief_for(ctx.pack, scenario)
        feedback = await ctx.services.quick_judge.assess(brief, state.learner_lines())
        lines = ["*Hint*"]
        if feedback.missed:
            point = brief.point(feedback.missed[0].id)
            if point is not None:
                lines.append(f"Think about this: {escape(point.point)}")
        unused = [ctx.pack.terms[t.id].term for t in feedback.terms if t.status == "missing"]
        if unused:
            lines.append(f"Terms you have not used yet: {escape(', '.join(unused))}")
        if brief.level != "high":
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
        if state.practice is not None:
            return [Reply(f"OK. Type /roleplay {scenario.id} to try the whole conversation again.")]
        if state.turns:
            await history.save_result(
                ctx,
                item_id=scenario.id,
                kind="roleplay",
                transcript=state.dump_lines(),
                feedback="",
                score=None,
                started_at=state.started,
                extra={"via": state.via, "stopped": reason, "token": state.token},
            )
        return [
            Reply(
                f"Stopped the role-play (no score). Type /roleplay {scenario.id} to try it again."
            )
        ]
