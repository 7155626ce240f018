"""The quiz activity: a short round of questions with feedback after each answer and a summary."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel
from rapidfuzz import fuzz

from bot.activities.base import Activity
from bot.context import TurnContext
from bot.messages import Choice, ChoiceIn, CommandIn, Reply, TextIn, escape
from bot.quiz.questions import Question, make_question
from content.index import normalize
from content.models import Term
from storage import repos
from storage.models import QuizAttempt

ROUND_SIZE = 5
PAYLOAD_PREFIX = "q"


class QuizState(BaseModel):
    """A quiz round in progress, stored as JSON on the conversation."""

    label: str = ""
    term_ids: list[str]
    kinds: list[str]
    index: int = 0
    current: Question | None = None
    correct: int = 0
    results: list[tuple[str, bool]] = []


def question_reply(state: QuizState, question: Question) -> Reply:
    """Render a question with its options as choices."""
    total = len(state.term_ids)
    text = f"*Question {state.index + 1} of {total}*\n{question.prompt}"
    choices = tuple(
        Choice(label=option, payload=f"{PAYLOAD_PREFIX}:{question.id}:{i}")
        for i, option in enumerate(question.options)
    )
    if not choices:
        text += "\n\nType your answer."
    return Reply(text, choices=choices, kind="question", question_id=question.id)


def pick_option(question: Question, text: str) -> int | None:
    """Which option a typed answer means: its number, or text close to one option's label."""
    stripped = text.strip().rstrip(".)")
    if stripped.isdigit():
        number = int(stripped)
        return number - 1 if 1 <= number <= len(question.options) else None
    norm = normalize(text)
    if not norm:
        return None
    scores = [fuzz.ratio(norm, normalize(option)) for option in question.options]
    best = max(range(len(scores)), key=scores.__getitem__)
    return best if scores[best] >= 85 else None


class QuizActivity(Activity):
    """Multiple-choice quiz: term to definition and definition to term."""

    name: ClassVar[str] = "quiz"
    title: ClassVar[str] = "quiz"
    payload_prefix: ClassVar[str] = PAYLOAD_PREFIX

    async def start(self, ctx: TurnContext, args: str) -> list[Reply]:
        """Pick the round's terms (a topic, a category or everything) and ask the first question."""
        pack = ctx.pack
        area = pack.find_area(args) if args else None
        if args and area is None:
            match = pack.find_term(args)
            if match is None:
                topics = ", ".join(t.title for t in pack.pack.topics)
                return [
                    Reply(
                        f"I don't know a topic or category called “{escape(args[:60])}”. "
                        f"Try one of: {escape(topics)}. Or type /quiz for a mixed round."
                    )
                ]
            terms = [match.term, *pack.confusables(match.term)][:ROUND_SIZE]
            label = match.term.term
        else:
            pool = pack.terms_in(area)
            seen = await repos.seen_terms(ctx.session, ctx.learner.id)
            unseen = [t for t in pool if t.id not in seen]
            known = [t for t in pool if t.id in seen]
            ctx.rng.shuffle(unseen)
            ctx.rng.shuffle(known)
            # Mix new terms with ones already met, so a round both teaches and checks.
            terms = (unseen[:3] + known)[:ROUND_SIZE]
            if len(terms) < ROUND_SIZE:
                terms += [t for t in unseen[3:] if t not in terms][: ROUND_SIZE - len(terms)]
            label = area.title if area else "all topics"
        kinds = [
            "definition-to-term" if i % 2 == 0 else "term-to-definition" for i in range(len(terms))
        ]
        ctx.rng.shuffle(kinds)
        state = QuizState(label=label, term_ids=[t.id for t in terms], kinds=kinds)
        intro = Reply(
            f"Quiz on *{escape(label)}*: {len(terms)} questions. "
            "Pick an answer or type its number; /cancel stops."
        )
        return [intro, self._ask(ctx, state)]

    def _ask(self, ctx: TurnContext, state: QuizState) -> Reply:
        term = ctx.pack.terms[state.term_ids[state.index]]
        question = make_question(ctx.pack, term, state.kinds[state.index], ctx.rng)
        state.current = question
        ctx.set_activity(self.name, state.model_dump(mode="json"))
        return question_reply(state, question)

    async def on_input(self, ctx: TurnContext, inbound: TextIn | ChoiceIn) -> list[Reply]:
        """Score an answer given by button or typed text."""
        state = QuizState.model_validate(ctx.activity_data)
        question = state.current
        if question is None:
            ctx.clear_activity()
            return [Reply("This quiz has no open question. Type /quiz to start a new one.")]
        if isinstance(inbound, ChoiceIn):
            _, qid, index = ([*inbound.payload.split(":"), "", ""])[:3]
            if qid != question.id:
                return await self.on_stale_choice(ctx, inbound.payload)
            chosen = int(index) if index.isdigit() else None
            if chosen is None or not 0 <= chosen < len(question.options):
                return [Reply("That answer is not one of the options. Please pick again.")]
        else:
            chosen = pick_option(question, inbound.text)
            if chosen is None:
                n = len(question.options)
                return [Reply(f"Please answer with a number from 1 to {n}, or press a button.")]
        return await self._score(ctx, state, question, chosen)

    async def _score(
        self, ctx: TurnContext, state: QuizState, question: Question, chosen: int
    ) -> list[Reply]:
        correct = chosen == question.answer_index
        term = ctx.pack.terms[question.term_id]
        stored = await repos.record_attempt(
            ctx.session,
            question_id=question.id,
            learner_id=ctx.learner.id,
            conversation_key=ctx.ref.key,
            term_id=term.id,
            kind=question.kind,
            topics=",".join(term.topics),
            answer=question.options[chosen][:500],
            correct=correct,
            rating=None,
            answered_at=ctx.now,
        )
        if not stored:
            return [Reply("You already answered that question.")]
        await repos.mark_seen(ctx.session, ctx.learner.id, term.id, ctx.now)
        state.results.append((term.id, correct))
        state.correct += int(correct)
        replies = [result_reply(question, chosen, correct)]
        state.index += 1
        if state.index >= len(state.term_ids):
            ctx.clear_activity()
            replies.append(summary_reply(ctx, state))
        else:
            replies.append(self._ask(ctx, state))
        return replies

    async def on_stale_choice(self, ctx: TurnContext, payload: str) -> list[Reply]:
        """An old question's button: tell the learner whether it was already answered."""
        qid = payload.split(":")[1] if payload.count(":") >= 1 else ""
        if qid and await _answered(ctx, qid):
            return [Reply("You already answered that question.")]
        return [Reply("That question has expired. Type /quiz to start a new round.")]

    async def on_command(self, ctx: TurnContext, command: CommandIn) -> list[Reply]:
        """No activity-specific commands yet."""
        return [Reply("Pick an answer, or type /cancel to stop the quiz.")]

    async def end(self, ctx: TurnContext, reason: str) -> list[Reply]:
        """Stop early with a one-line score."""
        state = QuizState.model_validate(ctx.activity_data)
        ctx.clear_activity()
        done = len(state.results)
        if done == 0:
            return [Reply("Quiz stopped.")]
        return [
            Reply(f"Quiz stopped after {done} of {len(state.term_ids)} ({state.correct} correct).")
        ]


async def _answered(ctx: TurnContext, question_id: str) -> bool:
    from sqlalchemy import select

    row = await ctx.session.execute(
        select(QuizAttempt.id).where(QuizAttempt.question_id == question_id)
    )
    return row.first() is not None


def result_reply(question: Question, chosen: int, correct: bool) -> Reply:
    """Feedback on one answer: right or wrong, the correct answer, and a one-line explanation."""
    if correct:
        head = "✅ *Correct!*"
    else:
        head = f"❌ *Not quite.* The answer is: *{escape(question.answer_text)}*"
    text = f"{head}\n{escape(question.explanation)}"
    return Reply(text, kind="result", replaces=question.id)


def summary_reply(ctx: TurnContext, state: QuizState) -> Reply:
    """End of a round: the score and the terms to look at again."""
    total = len(state.results)
    missed: list[Term] = [ctx.pack.terms[t] for t, ok in state.results if not ok]
    lines = [f"*Quiz finished:* {state.correct} of {total} correct."]
    if missed:
        lines.append("Look again at: " + escape(", ".join(t.term for t in missed)) + ".")
    else:
        lines.append("Well done, no mistakes.")
    lines.append("Type /quiz for another round or /term for the next new term.")
    return Reply("\n".join(lines), choices=(Choice("Another round", "cmd:quiz"),))
