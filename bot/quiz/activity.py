"""Question rounds: the quiz (a topic, a category or a term) and, in `review.py`, due reviews.

A round asks one question at a time, scores every answer once (the unique question id in
`quiz_attempts` makes a second answer a no-op), turns it into an FSRS rating, updates the card
and its review log in the same transaction, explains the answer, and ends with a summary.
Its state is JSON on the conversation, so a round survives a restart.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import ClassVar

from pydantic import ValidationError

from bot import progress
from bot.cards import CARDED_KEY
from bot.context import Activity, TurnContext
from bot.messages import Choice, ChoiceIn, CommandIn, QuizLimits, Reply, TextIn, escape
from bot.quiz import produce
from bot.quiz.answers import is_dont_know
from bot.quiz.checking import Check, check_typed, pick_option
from bot.quiz.phrases import KIND as PHRASE_KIND
from bot.quiz.phrases import check_phrase, phrase_question
from bot.quiz.plan import (
    MAX_RETRIES,
    ROUND_SIZE,
    TERM_ROUND_SIZE,
    Outcome,
    Planned,
    RoundState,
    neighbourhood,
    parse_mode,
    plan_quiz,
    planned,
    resolve_focus,
    space_pairs,
)
from bot.quiz.questions import USE_IN_SENTENCE, Question, choose_question, native_quiz, short_name
from bot.quiz.results import already_answered, result_reply
from bot.quiz.sentence import judge_sentence
from bot.quiz.srs import new_card, question_level, rate, review
from bot.quiz.summary import round_summary
from bot.wording import count
from storage import attempts, phrases, terms_seen
from storage import cards as stored_cards

log = logging.getLogger(__name__)

PAYLOAD_PREFIX = "q"
#: What every round's intro promises about missed terms (and the round keeps to it).
RETRY_NOTE = f"Up to {MAX_RETRIES} terms you miss come back once at the end."


class QuestionRound(Activity):
    """Shared machinery of the quiz and the review: ask, hint, score, explain, summarise."""

    own_commands: ClassVar[frozenset[str]] = frozenset({"hint"})
    noun: ClassVar[str] = "quiz"

    # ----------------------------------------------------------------- asking

    def _load(self, ctx: TurnContext) -> RoundState | None:
        try:
            return RoundState.model_validate(ctx.activity_data)
        except ValidationError:
            # A round saved by an older version of the bot: start over rather than crash.
            log.info("dropping an unreadable %s state", self.name)
            return None

    def _save(self, ctx: TurnContext, state: RoundState) -> None:
        ctx.set_activity(self.name, state.model_dump(mode="json"))

    async def begin(self, ctx: TurnContext, state: RoundState, intro: str) -> list[Reply]:
        """Start a planned round: an intro line and the first question."""
        return [Reply(intro), await self._ask(ctx, state)]

    async def _ask(self, ctx: TurnContext, state: RoundState) -> Reply:
        item = state.items[state.index]
        if phrases.phrase_id(item.term_id) is not None:
            return await self._ask_phrase(ctx, state)
        term = ctx.pack.terms[item.term_id]
        if item.level is not None:
            level, is_new = item.level, item.new
        else:
            card = await progress.load_card(ctx.session, ctx.learner.id, term.id)
            level, is_new = question_level(card), card is None or card.is_new
            if is_new:
                is_new = term.id not in await terms_seen.seen_terms(ctx.session, ctx.learner.id)
        if item.retry:
            # A second chance right after a miss: recognise it among options, not recall it.
            level = "new" if level == "new" else "learning"
        elif term.id in produce.to_produce(ctx):
            # Missed in a role-play: the learner types the term (production), not picks it.
            level = "recall"
        if state.known is None:
            cards = await progress.load_cards(ctx.session, ctx.learner.id)
            state.known = sorted(t for t, c in cards.items() if c.known)
        carded = list(ctx.state.get(CARDED_KEY, []))
        after_card = term.id in carded
        if after_card:
            ctx.state[CARDED_KEY] = [t for t in carded if t != term.id]
        # Vary the kind: not the previous question's, and not the one this term just had.
        avoid = {state.last_kind} | {r.kind for r in state.results if r.term_id == term.id}
        question = choose_question(
            ctx.pack,
            term,
            level,
            ctx.rng,
            poll=state.poll,
            limits=self._limits(ctx),
            avoid={k for k in avoid if k},
            known=state.known,
            after_card=after_card,
            # A sentence is judged in a private chat; a group's reply thread is no place for it.
            sentences=not ctx.inbound.is_group,
        )
        question.asked_at = ctx.now
        question.new = is_new and not item.retry
        state.current = question
        state.last_kind = question.kind
        self._save(ctx, state)
        return self.question_reply(
            state, question, item.retry, ctx.inbound.is_group, self._limits(ctx)
        )

    async def _ask_phrase(self, ctx: TurnContext, state: RoundState) -> Reply:
        item = state.items[state.index]
        pid = phrases.phrase_id(item.term_id)
        text = (await phrases.texts(ctx.session, ctx.learner.id)).get(pid or 0, "")
        question = phrase_question(item.term_id, text, ctx.rng)
        question.asked_at = ctx.now
        state.current = question
        state.last_kind = question.kind
        self._save(ctx, state)
        return self.question_reply(
            state, question, item.retry, ctx.inbound.is_group, self._limits(ctx)
        )

    @staticmethod
    def _limits(ctx: TurnContext) -> QuizLimits | None:
        return ctx.services.quiz_limits.get(ctx.ref.platform)

    def question_reply(
        self,
        state: RoundState,
        question: Question,
        retry: bool,
        group: bool = False,
        limits: QuizLimits | None = None,
    ) -> Reply:
        """Render a question: its number, a "new term" or "once more" note, options or a prompt."""
        planned = sum(not i.retry for i in state.items)
        if retry:
            head = "*Once more:* you missed this one earlier"
        else:
            head = f"*Question {min(state.index + 1, planned)} of {planned}*"
            if question.new:
                head += " · 🆕 new term"
        text = f"{head}\n{question.prompt}"
        prefix = self.payload_prefix
        helpers = (
            Choice("💡 Hint", f"{prefix}:{question.id}:hint"),
            Choice("I don't know", f"{prefix}:{question.id}:skip"),
        )
        options: tuple[Choice, ...] = ()
        if question.typed:
            how = "Type your answer. Stuck? Type *hint*, or *I don't know*."
            if group:
                how = "Reply to this message with your answer. Stuck? Type /hint."
        else:
            options = tuple(
                Choice(label=option, payload=f"{prefix}:{question.id}:{i}")
                for i, option in enumerate(question.options)
            )
            # Neutral wording: buttons on chat platforms, numbered lines in a terminal.
            how = "Choose an answer (its number is enough). Stuck? Type *hint*, or *I don't know*."
            if group:
                how = "Press a button to answer. Stuck? Type /hint."
        # In a group a choice question keeps only its options, as one member's hint or
        # "I don't know" would end everyone's question.
        choices = options if group and not question.typed else (*options, *helpers)
        # In a group the bot sees only commands and replies to it, not plain typed words.
        text += f"\n\n{how}"
        payloads = tuple(c.payload for c in options)
        quiz = native_quiz(question, limits, payloads) if state.poll else None
        return Reply(
            text,
            choices=choices,
            kind="question",
            question_id=question.id,
            native_quiz=quiz,
            instructions=how,
        )

    # ----------------------------------------------------------------- answering

    async def on_input(self, ctx: TurnContext, inbound: TextIn | ChoiceIn) -> list[Reply]:
        """Score an answer given by button, poll or typed text; handle the hint buttons."""
        state = self._load(ctx)
        if state is None or state.current is None:
            ctx.clear_activity()
            return [Reply(f"This {self.noun} has no open question. Type /{self.name} to start.")]
        question = state.current
        if isinstance(inbound, ChoiceIn):
            _, qid, action = [*inbound.payload.split(":", 2), "", ""][:3]
            if qid != question.id:
                return await self.on_stale_choice(ctx, inbound.payload)
            if action == "hint":
                return self._hint(ctx, state)
            if action == "skip":
                return await self._score(ctx, state, Check("wrong"), chosen=None, gave_up=True)
            if not _is_number(action) or not 0 <= int(action) < len(question.options):
                return [Reply("That answer is not one of the options. Please pick again.")]
            chosen = int(action)
            verdict = Check("correct" if chosen == question.answer_index else "wrong")
            return await self._score(ctx, state, verdict, chosen=chosen)
        if is_dont_know(inbound.text):
            return await self._score(ctx, state, Check("wrong"), chosen=None, gave_up=True)
        if question.typed:
            return await self._typed(ctx, state, question, inbound.text)
        picked = pick_option(ctx.pack, question.options, question.option_terms, inbound.text)
        if picked is None:
            return [Reply(_choose_again(question, len(question.options)))]
        verdict = Check("correct" if picked == question.answer_index else "wrong")
        return await self._score(ctx, state, verdict, chosen=picked)

    async def _typed(
        self, ctx: TurnContext, state: RoundState, question: Question, text: str
    ) -> list[Reply]:
        """A typed answer: a term, a kept phrase's word, or a sentence the coach judges."""
        notes: tuple[str, ...] = ()
        if question.kind == PHRASE_KIND:
            verdict = check_phrase(question, text)
        elif question.kind == USE_IN_SENTENCE:
            judged = await judge_sentence(ctx, ctx.pack.terms[question.term_id], text)
            if judged.check is None:
                return [Reply("\n".join(judged.lines))]
            verdict, notes = judged.check, judged.lines
        else:
            verdict = check_typed(ctx.pack, ctx.pack.terms[question.term_id], text)
        if verdict.verdict == "empty":
            return [Reply("Please type the term, or press “I don't know”.")]
        return await self._score(ctx, state, verdict, chosen=None, typed=text, notes=notes)

    async def on_command(self, ctx: TurnContext, command: CommandIn) -> list[Reply]:
        """``hint``: reveal a little about the open question (a right answer then rates Hard)."""
        state = self._load(ctx)
        if state is None or state.current is None:
            return [Reply("There is no open question to give a hint for.")]
        return self._hint(ctx, state)

    def _hint(self, ctx: TurnContext, state: RoundState) -> list[Reply]:
        """The next step of the hint: first letters and word count, then the contrast."""
        question = state.current
        assert question is not None
        steps = question.hint_steps
        if not steps:
            return [Reply("No hint for this one, sorry. Give it your best guess.")]
        if question.hints_used >= len(steps):
            shown = "\n".join(f"💡 {h}" for h in steps)
            return [Reply(f"{shown}\n_That is all the help for this question._")]
        step = steps[question.hints_used]
        question.hints_used += 1
        question.hinted = True
        self._save(ctx, state)
        lines = [f"💡 {step}"]
        if question.hints_used == 1:
            lines.append("_A right answer after a hint counts as “hard”, so it comes back sooner._")
        if question.hints_used < len(steps):
            lines.append("_Still stuck? Type *hint* again for more._")
        else:
            lines.append("_That is the last hint for this question._")
        return [Reply("\n".join(lines))]

    async def _score(
        self,
        ctx: TurnContext,
        state: RoundState,
        verdict: Check,
        *,
        chosen: int | None,
        typed: str | None = None,
        gave_up: bool = False,
        notes: tuple[str, ...] = (),
    ) -> list[Reply]:
        question = state.current
        assert question is not None
        item = state.items[state.index]
        card_id = question.term_id
        term = ctx.pack.terms.get(card_id)
        card = await progress.load_card(ctx.session, ctx.learner.id, card_id)
        asked = question.asked_at or ctx.now
        elapsed = max(timedelta(0), ctx.now - asked)
        rating = rate(
            correct=verdict.correct,
            hinted=question.hinted,
            typo=verdict.typo,
            fast=elapsed.total_seconds() <= question.fast_seconds,
            known=card is not None and card.known,
        )
        if chosen is not None:
            answer = question.options[chosen]
        else:
            answer = "(gave up)" if gave_up else (typed or "")
        stored = await attempts.record_attempt(
            ctx.session,
            question_id=question.id,
            learner_id=ctx.learner.id,
            conversation_key=ctx.ref.key,
            term_id=card_id,
            kind=question.kind,
            topics=",".join(term.topics) if term else "",
            answer=answer[:500],
            correct=verdict.correct,
            rating=int(rating),
            answered_at=ctx.now,
            # "I don't know" is rated Again but is no wrong guess: accuracy leaves it out.
            skipped=gave_up,
        )
        if not stored:
            return [already_answered(ctx)]
        duration_ms = min(int(elapsed.total_seconds() * 1000), 3_600_000)
        updated, _log = review(card or new_card(card_id, ctx.now), rating, ctx.now, duration_ms)
        before_reps = card.reps if card is not None else None
        await stored_cards.save_card(
            ctx.session, ctx.learner.id, before_reps, updated.row(), ctx.now
        )
        await stored_cards.add_review_log(
            ctx.session, ctx.learner.id, card_id, int(rating), ctx.now, duration_ms
        )
        if question.typed and not gave_up:
            await produce.produced(ctx, card_id)
        # No terms_seen row here: a review card now exists, and seen_terms() counts cards.
        state.results.append(
            Outcome(
                term_id=card_id,
                kind=question.kind,
                correct=verdict.correct,
                rating=int(rating),
                retry=item.retry,
                hinted=question.hinted,
                skipped=gave_up,
            )
        )
        replies = [result_reply(ctx, question, verdict, chosen, gave_up, notes)]
        if not verdict.correct and not item.retry and state.retries < MAX_RETRIES:
            # The first missed terms come back once at the end of the round, while the answer
            # is fresh: a second retrieval soon after feedback (Butler & Roediger 2008).
            state.items.append(Planned(term_id=card_id, retry=True, level=item.level, new=item.new))
            state.retries += 1
        state.index += 1
        state.current = None
        if state.index >= len(state.items):
            ctx.clear_activity()
            replies.append(await self.summary(ctx, state))
        else:
            replies.append(await self._ask(ctx, state))
        return replies

    # ----------------------------------------------------------------- endings

    async def on_stale_choice(self, ctx: TurnContext, payload: str) -> list[Reply]:
        """An old question's button: tell the learner whether it was already answered."""
        parts = payload.split(":")
        qid = parts[1] if len(parts) > 1 else ""
        if qid and await attempts.is_answered(ctx.session, qid):
            return [already_answered(ctx)]
        return [
            Reply(
                f"That question has expired. Type /{self.name} to start a new {self.noun}.",
                kind="notice",
                private=True,
            )
        ]

    async def end(self, ctx: TurnContext, reason: str) -> list[Reply]:
        """Stop early with a one-line score (every answer so far is already saved)."""
        state = self._load(ctx)
        ctx.clear_activity()
        if state is None or not state.results:
            return [Reply(f"{self.noun.capitalize()} stopped.")]
        right = sum(r.correct for r in state.results)
        return [
            Reply(
                f"{self.noun.capitalize()} stopped after {count(len(state.results), 'answer')} "
                f"({right} right). Your progress is saved."
            )
        ]

    async def summary(self, ctx: TurnContext, state: RoundState) -> Reply:
        """End of a round: score, terms to look at again, streak, and what is due next."""
        return await round_summary(ctx, state, self.noun)


class QuizActivity(QuestionRound):
    """A quiz round on everything, one topic or category, or one term and its neighbours."""

    name: ClassVar[str] = "quiz"
    title: ClassVar[str] = "quiz"
    noun: ClassVar[str] = "quiz"
    payload_prefix: ClassVar[str] = PAYLOAD_PREFIX

    async def start(self, ctx: TurnContext, args: str) -> list[Reply]:
        """``quiz [poll|buttons] [topic|category|term]``: plan the round and ask the first question."""
        pack = ctx.pack
        poll_flag, what = parse_mode(args)
        poll = poll_flag if poll_flag is not None else ctx.learner.quiz_mode == "poll"
        area, exact_term = resolve_focus(pack, what)
        cards = await progress.load_cards(ctx.session, ctx.learner.id)
        if what and area is None:
            match = exact_term or pack.find_term(what)
            if match is None:
                unknown = f"I don't know a topic, category or term called “{escape(what[:60])}”."
                guess = pack.find_area(what, cutoff=70)
                if guess is not None:
                    return [
                        Reply(
                            f"{unknown} Did you mean *{escape(guess.title)}*?",
                            choices=(Choice(f"Quiz on {guess.title}", f"cmd:quiz {guess.id}"),),
                        )
                    ]
                topics = ", ".join(t.title for t in pack.pack.topics)
                return [
                    Reply(
                        f"{unknown} Try one of: {escape(topics)}. Or type /quiz for a mixed round."
                    )
                ]
            # "Quiz me" buttons (``term:<id>``) ask three questions: the term and two neighbours.
            size = TERM_ROUND_SIZE if what.startswith("term:") else ROUND_SIZE
            near = [t.id for t in neighbourhood(pack, match.term)]
            # Two confusable terms are never both new in one round (see `space_pairs`).
            new = [t for t in near[1:] if t not in cards or cards[t].is_new]
            allowed = set(space_pairs(pack, [match.term.id, *new], cards))
            term_ids = [t for t in near if t not in new or t in allowed][:size]
            label = short_name(match.term)
            if len(term_ids) > 1:
                label += " and related terms"
            again = match.term.id
        else:
            pool = pack.terms_in(area)
            order = list(range(len(pool)))
            ctx.rng.shuffle(order)
            term_ids = plan_quiz(pool, cards, ctx.now, order, pack=pack)
            label = area.title if area else "all topics"
            again = area.id if area else ""
        if poll_flag is not None:
            again = f"{'poll' if poll_flag else 'buttons'} {again}".strip()
        seen = await terms_seen.seen_terms(ctx.session, ctx.learner.id)
        state = RoundState(
            label=label, again=again, items=planned(term_ids, cards, seen), poll=poll
        )
        return await self._begin_round(ctx, state)

    async def start_on_terms(
        self,
        ctx: TurnContext,
        term_ids: list[str],
        label: str,
        again: str = "",
        then: tuple[str, str] | None = None,
    ) -> list[Reply]:
        """A round on exactly these terms, in random order (prep quizzes the cards it showed).

        `then` is (what comes next, the command that starts it), offered when the round ends.
        """
        ids = [t for t in term_ids if t in ctx.pack.terms]
        ctx.rng.shuffle(ids)
        cards = await progress.load_cards(ctx.session, ctx.learner.id)
        seen = await terms_seen.seen_terms(ctx.session, ctx.learner.id)
        state = RoundState(
            label=label,
            again=again,
            items=planned(ids, cards, seen),
            poll=ctx.learner.quiz_mode == "poll",
            then_text=then[0] if then else "",
            then_command=then[1] if then else "",
        )
        return await self._begin_round(ctx, state)

    async def _begin_round(self, ctx: TurnContext, state: RoundState) -> list[Reply]:
        intro = (
            f"Quiz on *{escape(state.label)}*: {count(len(state.items), 'question')}. "
            f"{RETRY_NOTE} /cancel stops."
        )
        return await self.begin(ctx, state, intro)


def _choose_again(question: Question, n: int) -> str:
    numbers = "1 or 2" if n == 2 else f"a number from 1 to {n}"
    return (
        f"Please answer with {numbers}, or type the option's name. "
        "Type *hint* for a clue, *I don't know* to see the answer, or /cancel to stop."
    )


def _is_number(text: str) -> bool:
    # ASCII digits only: "²".isdigit() is True but int("²") fails.
    return text.isascii() and text.isdigit()
