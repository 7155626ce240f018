"""`prep <topic or audience>`: a five-minute routine before a meeting.

Step 1: the six most relevant terms as quick cards. Step 2: one quick quiz round on those six
terms (the quiz activity). Step 3: a short role-play with that audience,
started by `/prep` once the quiz is over. The engine has no way to run something when another
activity finishes, so the pending step 3 waits in the conversation state under `PREP_KEY`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.coach.brief import with_article
from bot.context import TurnContext
from bot.messages import Choice, Reply, escape
from bot.quiz.activity import QuizActivity
from bot.roleplay import catalog
from bot.roleplay.activity import RoleplayActivity
from bot.roleplay.persona import SHORT_TURNS
from content.models import Scenario, Term, Topic
from storage import results, terms_seen

PREP_KEY = "roleplay_prep"
PREP_TERMS = 6
PENDING_FOR = timedelta(hours=12)
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")


def first_sentence(text: str) -> str:
    """The first sentence of a definition."""
    m = _FIRST_SENTENCE.match(text.strip())
    return m.group(1) if m else text.strip()


def relevant_terms(ctx: TurnContext, scenario: Scenario, pool: list[Scenario]) -> list[Term]:
    """Six terms for the prep's cards, the most useful first.

    The scenario's targets, the glossary terms in its jargon list (the words this audience will
    ask about), other targets on the topic, then the topic's terms.
    """
    pack = ctx.pack
    ids: list[str] = list(scenario.target_terms)
    for item in scenario.jargon:
        for name in item.names:
            term = pack.exact(name)
            if term is not None:
                ids.append(term.id)
    for other in pool:
        ids += [t for t in other.target_terms if other.topic == scenario.topic]
    ids += [t.id for t in pack.terms_in(pack.topics[scenario.topic])]
    out: list[Term] = []
    for term_id in ids:
        term = pack.terms.get(term_id)
        if term is not None and term not in out:
            out.append(term)
    return out[:PREP_TERMS]


def cards_reply(terms: list[Term]) -> Reply:
    """Six quick cards in one message: the term, one sentence, an example."""
    lines = ["*Step 1 of 3: six quick cards.* Read them aloud once; it takes a minute."]
    for term in terms:
        lines += [
            "",
            f"*{escape(term.term)}*: {escape(first_sentence(term.definition))}",
            f"_“{escape(term.example)}”_",
        ]
    return Reply("\n".join(lines), kind="card")


def _usage(ctx: TurnContext, note: str = "") -> Reply:
    roles: list[str] = []
    for s in ctx.pack.pack.scenarios:
        if s.audience.role not in roles:
            roles.append(s.audience.role)
    lines = [
        note
        or "Five-minute prep before a meeting: six key terms, a quick quiz, and a short "
        "role-play with the person you are going to meet.",
        "",
        "Type /prep and a topic, an audience, or both, for example:",
        "- `/prep drift`",
        "- `/prep vp`",
        "- `/prep feature store for data scientists`",
        "",
        "Audiences: " + escape(", ".join(roles)) + ".",
        "Topics: " + escape(", ".join(t.title for t in ctx.pack.pack.topics)) + ".",
    ]
    choices = (
        Choice("Product manager", "cmd:prep product manager"),
        Choice("VP Engineering", "cmd:prep vp"),
        Choice("Compliance", "cmd:prep compliance"),
        Choice("Data scientists", "cmd:prep data scientists"),
    )
    return Reply("\n".join(lines), choices=choices, title="Prep")


def _pick(candidates: list[Scenario], practised: dict[str, int]) -> Scenario:
    # The least practised scenario first, so repeated preps vary.
    return min(candidates, key=lambda s: (practised.get(s.id, 0), candidates.index(s)))


async def prep_command(ctx: TurnContext, args: str) -> list[Reply]:
    """Start a prep, or (no argument) go on to the role-play of the prep in progress."""
    pack = ctx.pack
    roleplay = ctx.features.activity("roleplay")
    if not isinstance(roleplay, RoleplayActivity):
        return [Reply("Role-play is not available right now.")]
    if not args.strip():
        pending = ctx.state.pop(PREP_KEY, None)
        scenario = _pending_scenario(ctx, pending)
        if scenario is None:
            return [_usage(ctx)]
        intro = Reply(
            f"*Step 3 of 3: a short role-play* with {escape(scenario.audience.name)}: "
            f"{SHORT_TURNS} messages at most, as in a real meeting."
        )
        return [intro, *await roleplay.begin(ctx, scenario, SHORT_TURNS, via="prep")]

    audience, rest = catalog.split_audience(pack, args)
    topic: Topic | None = catalog.find_topic(pack, rest) if rest else None
    if audience:
        candidates = [s for s in audience if topic is None or s.topic == topic.id] or audience
    elif topic is not None:
        candidates = [s for s in pack.pack.scenarios if s.topic == topic.id]
    else:
        topic = catalog.find_topic(pack, args)
        candidates = [s for s in pack.pack.scenarios if topic and s.topic == topic.id]
    if not candidates:
        return [_usage(ctx, f"I don't know a topic or an audience called “{escape(args[:60])}”.")]

    practised: dict[str, int] = {}
    for result in await results.results(ctx.session, ctx.learner.id):
        practised[result.item_id] = practised.get(result.item_id, 0) + 1
    scenario = _pick(candidates, practised)
    topic = pack.topics[scenario.topic]
    terms = relevant_terms(ctx, scenario, candidates)
    for term in terms:
        await terms_seen.mark_seen(ctx.session, ctx.learner.id, term.id, ctx.now)
    ctx.state[PREP_KEY] = {"scenario": scenario.id, "at": ctx.now.isoformat()}

    who = f"{scenario.audience.name}, {scenario.audience.role}"
    header = Reply(
        f"Three steps, about five minutes: six key terms, a quick quiz, then a short role-play "
        f"with {escape(who)}.",
        title=f"Prep: {topic.title}, with {with_article(scenario.audience.role)}",
    )
    replies = [header, cards_reply(terms)]
    quiz = ctx.features.activity("quiz")
    if not isinstance(quiz, QuizActivity):
        ctx.state.pop(PREP_KEY, None)
        return [*replies, *await roleplay.begin(ctx, scenario, SHORT_TURNS, via="prep")]
    # No button here: on the console, buttons are numbered across messages, and a "1" meant
    # for the quiz's first option would press it.
    replies.append(
        Reply(
            "*Step 2 of 3: a quick quiz.* When it ends, type /prep to go on to step 3, the "
            f"role-play with {escape(scenario.audience.name)} (or type /prep now to skip the quiz)."
        )
    )
    # The quiz asks about the six cards just read, not the whole topic.
    label = f"your prep terms ({topic.title})"
    then = (f"step 3, the role-play with {scenario.audience.name}.", "prep")
    ids = [t.id for t in terms]
    return [*replies, *await quiz.start_on_terms(ctx, ids, label, topic.id, then)]


def _pending_scenario(ctx: TurnContext, pending: object) -> Scenario | None:
    if not isinstance(pending, dict):
        return None
    try:
        at = datetime.fromisoformat(str(pending.get("at")))
    except ValueError:
        return None
    if ctx.now - at > PENDING_FOR:
        return None  # yesterday's prep: the meeting is over
    return ctx.pack.scenarios.get(str(pending.get("scenario")))
