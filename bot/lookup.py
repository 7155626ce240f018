"""Read a learner's plain question about a term ("what is PSI?", "define concept drift")."""

from __future__ import annotations

import re

from bot.context import CommandSpec, TurnContext
from bot.messages import Reply, TextIn, escape
from content.index import PackIndex

# Learners writing in a second language ask in many shapes; these cover the common ones.
_ASK = re.compile(
    r"^(?:(?:can you |could you |please )*"
    r"(?:what(?:'s| is| are| does| do| means| mean)|whats|define|definition of|"
    r"explain(?: me| to me)?|meaning of|tell me about|what is meant by)\s+)"
    r"(?:(?:the|a|an|term)\s+)?"
    r"(?P<term>.+?)"
    r"(?:\s+(?:mean|means|stand for|stands for))?(?:,?\s+please)?\s*[?.!]*$",
    re.IGNORECASE,
)
# "difference between data drift and concept drift", "data drift vs concept drift",
# "whats the diference betwen PSI and KS test": both terms, side by side.
_ASK_DIFFERENCE = re.compile(
    r"^(?:(?:can you |could you |please )*(?:explain |tell me )?"
    r"(?:what(?:'s|s| is| are) )?(?:the )?(?:main )?dif+erences? (?:between|betwen|of|in) "
    r"(?P<term>.+?) (?:and|&|vs\.?|versus) (?P<other>.+?)"
    r"|(?:compare )?(?P<first>.+?) (?:vs\.?|versus|or|and) (?P<second>.+?)"
    r"(?: difference| differences| compared| comparison)?)\s*[?.!]*$",
    re.IGNORECASE,
)
# "PSI meaning?", "shadow mode definition": the term first.
_ASK_AFTER = re.compile(
    r"^(?:the\s+)?(?P<term>.+?)\s+(?:meaning|definition)\s*[?.!]*$", re.IGNORECASE
)
# "what is the weather like", "what is your name": questions, but not about a term.
_NOT_A_TERM = re.compile(
    r"\blike\b|^(?:i|me|my|you|your|yours|it|this|that|these|those|we|our|they|there|here)$"
    r"|\b(?:i|me|my|you|your|we|our)\b",
    re.IGNORECASE,
)


def asked_pair(text: str) -> tuple[str, str] | None:
    """The two terms a question compares ("data drift vs concept drift"), or None."""
    diff = _ASK_DIFFERENCE.match(text.strip())
    if diff is None:
        return None
    first = (diff.group("term") or diff.group("first") or "").strip(" \"'“”‘’?.!")
    second = (diff.group("other") or diff.group("second") or "").strip(" \"'“”‘’?.!")
    if not any(ch.isalnum() for ch in first) or not any(ch.isalnum() for ch in second):
        return None
    return first, second


# The same questions, read for their first term (its card names what it is not confused with).
_ASK_FIRST_OF_TWO = re.compile(
    r"^(?:(?:what(?:'s| is) )?(?:the )?differences? (?:between|of) (?P<term>.+?) and .+?"
    r"|(?P<first>.+?) (?:vs\.?|versus) .+?)\s*[?.!]*$",
    re.IGNORECASE,
)


def asked_term(text: str) -> str | None:
    """The term a question asks about, or None when the text is not such a question."""
    diff = _ASK_FIRST_OF_TWO.match(text.strip())
    if diff is not None:
        term = (diff.group("term") or diff.group("first")).strip(" \"'“”‘’?.!")
        return term if any(ch.isalnum() for ch in term) else None
    match = _ASK.match(text.strip()) or _ASK_AFTER.match(text.strip())
    if match is None:
        return None
    term = match.group("term").strip(" \"'“”‘’?.!")
    if not any(ch.isalnum() for ch in term) or _NOT_A_TERM.search(term):
        return None
    return term


_GREETING = re.compile(
    r"^(?:hi|hello|hey|hallo|hola|good (?:morning|afternoon|evening))(?: there| termcoach)?$",
    re.IGNORECASE,
)
_THANKS = re.compile(r"^(?:thanks?(?: you)?(?: a lot| very much)?|thx|ty|cheers)$", re.IGNORECASE)


def small_talk(text: str) -> str | None:
    """Say "greeting" or "thanks" for a short social message, else None."""
    core = text.strip().strip("!.?,:) ").strip()
    if _GREETING.match(core):
        return "greeting"
    if _THANKS.match(core):
        return "thanks"
    return None


async def look_up(
    ctx: TurnContext,
    term_spec: CommandSpec | None,
    compare_spec: CommandSpec | None,
    pack: PackIndex,
    message: TextIn,
    text: str,
) -> list[Reply] | None:
    """A term card for "what is PSI?" or a bare term name; None when no term is meant.

    "data drift vs concept drift" shows both terms side by side (`compare_spec`).
    """
    if term_spec is None or not text or len(text) > 120:
        return None
    match = pack.exact(text) if len(text) <= 80 else None
    if match is not None:
        return await term_spec.handler(ctx, match.id)
    pair = asked_pair(text)
    if pair is not None and compare_spec is not None:
        both = [pack.find_term(p) or pack.terms_named_with(p) for p in pair]
        if all(both):
            return await compare_spec.handler(ctx, f"{pair[0]} vs {pair[1]}")
    # "what is PSI?": look the term up (typos allowed). A question about anything else
    # gets a plain answer, not far-fetched suggestions; in a group, nothing at all.
    asked = asked_term(text)
    bare = asked is None and not message.seen_by_others and len(text.split()) <= 4
    if bare:
        # A bare "drift" or "feture store" in a DM is a look-up too, if it names a term.
        asked = text.strip(" ?.!")
    if not asked:
        return None
    # One term: its card. Several with the words typed: a choice between them.
    if pack.find_term(asked) or pack.terms_named_with(asked):
        return await term_spec.handler(ctx, asked)
    if message.seen_by_others or bare:
        return None
    return [
        Reply(
            f"I don't have a term called “{escape(asked[:80])}”. I teach the "
            "vocabulary of ML platform engineering: type /topics to browse it, "
            "or /help for everything I can do."
        )
    ]
