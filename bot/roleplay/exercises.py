"""Written exercises: `exercises [topic]` lists them all, `exercise ID` starts one.

The list also shows role-plays and quiz drills. A written exercise is one answer, scored with
the role-play rubric.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel

from bot.coach.brief import brief_for
from bot.coach.feedback import score
from bot.coach.sentences import words
from bot.context import Activity, TurnContext
from bot.messages import Choice, ChoiceIn, CommandIn, Reply, TextIn, escape
from bot.roleplay import catalog, debrief, history, mistakes
from bot.roleplay.activity import MAX_MESSAGE_CHARS, has_words
from content.models import Exercise


class ExerciseState(BaseModel):
    """A written exercise waiting for its answer."""

    exercise: str
    token: str
    started: datetime


def _exercise(ctx: TurnContext, exercise_id: str) -> Exercise | None:
    return next((e for e in ctx.pack.pack.exercises if e.id == exercise_id), None)


async def exercises_command(ctx: TurnContext, args: str) -> list[Reply]:
    """List scenarios, written exercises and drills, all topics or one."""
    pack = ctx.pack
    everything = catalog.items(pack)
    topic = catalog.find_topic(pack, args) if args.strip() else None
    if args.strip() and topic is None:
        names = ", ".join(t.title for t in pack.pack.topics)
        return [
            Reply(
                f"I don't know a topic called “{escape(args[:60])}”. Try one of: {escape(names)}, "
                "or type /exercises for all of them."
            )
        ]
    shown = [it for it in everything if topic is None or it.topic == topic.id]
    lines = [
        f"{len(shown)} exercises"
        + (f" on *{escape(topic.title)}*" if topic else f" in {len(pack.pack.topics)} topic areas")
        + ". Start one with its command"
        + (" or a button." if topic else ", or pick a topic below to get buttons."),
    ]
    for t in pack.pack.topics:
        here = [it for it in shown if it.topic == t.id]
        if not here:
            continue
        lines += ["", f"*{escape(t.title)}*"]
        for it in here:
            lines.append(f"- {escape(it.label)}: `{it.command}`")
    if topic is not None:
        choices = tuple(Choice(it.label, it.payload) for it in shown)
    else:
        choices = tuple(Choice(t.title, f"cmd:exercises {t.id}") for t in pack.pack.topics)
    return [Reply("\n".join(lines), choices=choices, title="Exercises")]


# Fewer words than this cannot cover a key point ("ok", "no idea"): asked again, not scored.
MIN_ANSWER_WORDS = 4


class ExerciseActivity(Activity):
    """A written exercise: show the task, wait for one answer, give rubric feedback."""

    name: ClassVar[str] = "exercise"
    title: ClassVar[str] = "exercise"
    own_commands: ClassVar[frozenset[str]] = frozenset({"done", "hint"})

    async def start(self, ctx: TurnContext, args: str) -> list[Reply]:
        """`/exercise ID`: a role-play, a quiz drill or a written exercise."""
        pack = ctx.pack
        query = args.strip()
        if not query:
            return await exercises_command(ctx, "")
        item = catalog.find_item(pack, query)
        if item is None:
            return [
                Reply(
                    f"I don't know an exercise called “{escape(query[:60])}”. "
                    "Type /exercises to see them all."
                )
            ]
        if item.scenario is not None:
            roleplay = ctx.features.activity("roleplay")
            if roleplay is None:
                return [Reply("Role-play is not available right now.")]
            return await roleplay.start(ctx, item.scenario.id)
        exercise = item.exercise
        assert exercise is not None
        if exercise.kind == "drill":
            quiz = ctx.features.get("quiz")
            if quiz is None:
                return [Reply("Quizzes are not available right now.")]
            intro = Reply(f"*{escape(exercise.title)}*\n{escape(exercise.prompt)}")
            return [intro, *await quiz.handler(ctx, exercise.quiz_filter or exercise.topic)]
        state = ExerciseState(exercise=exercise.id, token=secrets.token_hex(4), started=ctx.now)
        ctx.set_activity(self.name, state.model_dump(mode="json"))
        return [self._task(ctx, exercise)]

    def _task(self, ctx: TurnContext, exercise: Exercise) -> Reply:
        lines = [escape(exercise.prompt)]
        if exercise.source:
            lines += ["", f"“{escape(exercise.source)}”"]
        lines.append("")
        if exercise.reader:
            lines.append(f"*Written for:* {escape(exercise.reader)}")
        terms = [ctx.pack.terms[t].term for t in exercise.target_terms if t in ctx.pack.terms]
        if terms and exercise.kind != "fix-term":
            lines.append(f"*Try to use:* {escape(', '.join(terms))}")
        if exercise.length:
            lines.append(f"*Length:* {exercise.length.min_words}–{exercise.length.max_words} words")
        lines += [
            "",
            "Send your answer in one message. Type *hint* for the questions it should answer, "
            "*done* to see the model answer without a score, or /cancel to stop.",
        ]
        return Reply("\n".join(lines), title=exercise.title)

    def _hint(self, exercise: Exercise) -> Reply:
        # The questions a reader would ask, not the answers: the learner still writes it.
        asks = [p.follow_up for p in exercise.key_points if p.follow_up]
        lines = ["💡 A good answer replies to these questions:"]
        lines += [f"- {escape(q)}" for q in asks] or ["- What happened, and why does it matter?"]
        if exercise.useful_phrases:
            phrases = " · ".join(f"“{escape(p)}”" for p in exercise.useful_phrases[:3])
            lines.append(f"Useful phrases: {phrases}")
        lines.append("Send your answer in one message when you are ready.")
        return Reply("\n".join(lines))

    def _load(self, ctx: TurnContext) -> tuple[ExerciseState, Exercise] | None:
        try:
            state = ExerciseState.model_validate(ctx.activity_data)
        except ValueError:
            return None
        exercise = _exercise(ctx, state.exercise)
        return (state, exercise) if exercise else None

    async def on_input(self, ctx: TurnContext, inbound: TextIn | ChoiceIn) -> list[Reply]:
        """Score the answer with the rubric and give one feedback message."""
        loaded = self._load(ctx)
        if isinstance(inbound, TextIn) and inbound.text.strip().lower() in {"help", "hint"}:
            return await self.on_command(ctx, CommandIn(ref=inbound.ref, name="hint"))
        if (
            loaded is not None
            and isinstance(inbound, TextIn)
            and (not has_words(inbound.text) or len(words(inbound.text)) < MIN_ANSWER_WORDS)
        ):
            # Keep the exercise open: nothing was written that could be scored.
            return [
                Reply(
                    "That is too short to score. Write your answer in a sentence or two "
                    "(type *hint* for the questions it should answer), or /cancel to stop."
                )
            ]
        if (
            loaded is not None
            and isinstance(inbound, TextIn)
            and len(inbound.text) > MAX_MESSAGE_CHARS
        ):
            return [
                Reply(
                    f"That is long for this exercise ({len(inbound.text):,} characters). Please "
                    f"keep your answer under {MAX_MESSAGE_CHARS:,} characters.",
                    kind="error",
                )
            ]
        ctx.clear_activity()
        if loaded is None:
            return [Reply("That exercise can't continue. Type /exercises to pick one.")]
        if isinstance(inbound, ChoiceIn):
            return await self.on_stale_choice(ctx, inbound.payload)
        state, exercise = loaded
        return await self._debrief(ctx, state, exercise, inbound.text)

    async def _debrief(
        self, ctx: TurnContext, state: ExerciseState, exercise: Exercise, answer: str
    ) -> list[Reply]:
        """Judge the answer and give the debrief (summary, what worked and what to fix)."""
        brief = brief_for(ctx.pack, exercise)
        feedback = await ctx.services.judge.assess(brief, [answer])
        result = score(feedback, brief.level, brief.length)
        await mistakes.bring_back(ctx, feedback)
        await history.save_result(
            ctx,
            item_id=exercise.id,
            kind="exercise",
            transcript=[{"role": "learner", "text": answer}],
            feedback=debrief.one_thing(brief, feedback, ctx.pack),
            score=result.total,
            started_at=state.started,
            extra={
                "token": state.token,
                "coach": feedback.model_dump(mode="json"),
                "parts": result.parts,
            },
        )
        choices = (
            Choice("Try again", f"cmd:exercise {exercise.id}"),
            Choice("More on this topic", f"cmd:exercises {exercise.topic}"),
        )
        details = debrief.details_reply(brief, feedback, ctx.pack, state.token)
        return [
            debrief.summary_reply(brief, feedback, result, ctx.pack, state.token),
            Reply(details.text, choices=(*details.choices, *choices), kind="feedback"),
        ]

    async def on_command(self, ctx: TurnContext, command: CommandIn) -> list[Reply]:
        """``hint``: the questions to answer; ``done`` before answering: the model answer."""
        loaded = self._load(ctx)
        if command.name == "hint" and loaded is not None:
            return [self._hint(loaded[1])]
        ctx.clear_activity()
        if loaded is None:
            return [Reply("Type /exercises to pick an exercise.")]
        _, exercise = loaded
        return [
            Reply(
                f"*Model answer*\n{escape(exercise.model_answer)}\n\n"
                f"No score this time. Type /exercise {exercise.id} to try it yourself.",
                title=exercise.title,
            )
        ]

    async def on_stale_choice(self, ctx: TurnContext, payload: str) -> list[Reply]:
        """No buttons belong to a running exercise; an old one does nothing."""
        return [Reply("That button belongs to an exercise that has ended. Type /exercises.")]

    async def end(self, ctx: TurnContext, reason: str) -> list[Reply]:
        """Stopped before an answer was sent."""
        loaded = self._load(ctx)
        ctx.clear_activity()
        which = f" Type /exercise {loaded[1].id} to try it again." if loaded else ""
        return [Reply(f"Stopped the exercise (no score).{which}")]
