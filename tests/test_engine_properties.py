"""Property test: any input, in or out of an activity, gets a reply and never raises."""

from __future__ import annotations

import asyncio
import itertools
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import EngineConfig
from bot.engine import INTERNAL_ERROR
from bot.features import build_engine
from bot.messages import ChoiceIn, CommandIn, ConversationRef, Inbound, TextIn
from storage.db import Database

COMMANDS = [
    "help",
    "start",
    "term",
    "topics",
    "quiz",
    "review",
    "stats",
    "cancel",
    "hint",
    "done",
    "roleplay",
    "exercises",
    "prep",
    "settings",
    "daily",
    "exercise",
    "nope",
    "",
]
STARTERS = ["/quiz", "/quiz drift", "/roleplay", "/review", "/term", "/prep product manager"]

junk = st.text(alphabet=st.characters(codec=None, exclude_categories=("Cs",)), max_size=60)
texts = st.one_of(
    junk,
    st.text(alphabet=st.characters(max_codepoint=0x20), max_size=20),  # control characters
    st.just(""),
    st.text(min_size=3000, max_size=9000, alphabet="ab \n*_`<>&"),  # very long lines
    st.builds(lambda c, a: f"/{c} {a}", st.sampled_from(COMMANDS), junk),
    st.builds(lambda c, a: f"/{c}@somebot {a}", st.sampled_from(COMMANDS), junk),
    st.sampled_from(["1", "2", "4", "99", "0", "-1", "hint", "done", "cancel", "psi", "PSI"]),
)
inputs = st.one_of(
    texts.map(lambda t: ("text", t, "")),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS), junk),
    st.tuples(st.just("choice"), junk, st.just("")),
    st.tuples(
        st.just("choice"),
        st.sampled_from(["q:", "cmd:", "cmd:quiz ", "rp:", "daily:", "ex:"]),
        junk,
    ).map(lambda t: ("choice", t[1] + t[2], "")),
)

_ids = itertools.count()


def _inbound(ref: ConversationRef, item: tuple[str, str, str]) -> Inbound:
    kind, a, b = item
    mid = f"p{next(_ids)}"
    if kind == "command":
        return CommandIn(ref=ref, message_id=mid, name=a, args=b)
    if kind == "choice":
        return ChoiceIn(ref=ref, message_id=mid, payload=a)
    return TextIn(ref=ref, message_id=mid, text=a)


def test_ten_thousand_generated_inputs_all_get_replies(db: Database, pack, clock) -> None:

    engine = build_engine(
        db=db,
        pack=pack,
        clock=clock,
        rng=random.Random(3),
        config=EngineConfig(),
    )
    loop = asyncio.new_event_loop()
    sent = 0

    @settings(
        max_examples=500,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        starter=st.sampled_from([None, *STARTERS]),
        batch=st.lists(inputs, min_size=20, max_size=20),
        user=st.sampled_from(["u1", "u2"]),
    )
    def run(starter: str | None, batch: list[tuple[str, str, str]], user: str) -> None:
        nonlocal sent
        ref = ConversationRef("test", "w", f"chat-{user}", user)
        items = ([("text", starter, "")] if starter else []) + batch
        for item in items:
            replies = loop.run_until_complete(engine.handle(_inbound(ref, item)))
            sent += 1
            assert replies, item
            assert all(r.text for r in replies)
            assert not any(r.text == INTERNAL_ERROR for r in replies), item

    try:
        run()
    finally:
        loop.run_until_complete(db.dispose())
        loop.close()
    assert sent >= 10_000
