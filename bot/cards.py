"""Term cards: how a term is shown in chat (the same neutral markup on every platform)."""

from __future__ import annotations

from typing import Any

from bot.messages import Choice, Reply, escape
from bot.wording import after_colon
from content.index import PackIndex, normalize
from content.models import Term

#: Conversation state: the terms whose card was shown here and not asked about since. Their
#: next question does not restate the meaning the learner has just read (`bot.quiz.activity`).
CARDED_KEY = "carded"
MAX_CARDED = 20


def remember_shown(state: dict[str, Any], term_id: str) -> None:
    """Remember in the conversation state that this term's card was just shown."""
    carded = [t for t in state.get(CARDED_KEY, []) if t != term_id]
    state[CARDED_KEY] = [*carded, term_id][-MAX_CARDED:]


def term_card(pack: PackIndex, term: Term, *, with_buttons: bool = True) -> Reply:
    """A term card: part of speech, category, definition, example, related and confusables."""
    category = pack.categories[term.category].title
    lines = [f"_{escape(term.part_of_speech)} · {escape(category)}_"]
    # "PSI (Population Stability Index)" already shows "PSI" and its expansion.
    heading = f" {normalize(term.term)} "
    aliases = [a for a in term.aliases if f" {normalize(a)} " not in heading]
    if aliases:
        lines.append(f"Also: {escape(', '.join(aliases[:4]))}")
    if term.pronunciation:
        # The pronunciation names its word first ("PSI: said letter by letter …").
        lines.append(f"🔊 {escape(term.pronunciation)}")
    lines += ["", f"*Definition:* {escape(term.definition)}"]
    if term.tool_notes:
        # Contested words: say which tool means what, right under the general definition.
        lines += ["", f"*Tools differ:* {escape(term.tool_notes)}"]
    lines += ["", f"*Example:* “{escape(term.example)}”"]
    related = [pack.terms[r].term for r in term.related if r in pack.terms]
    if related:
        lines += ["", f"*Related:* {escape(', '.join(related))}"]
    other = pack.terms.get(term.confused_with.term)
    if other is not None:
        lines += [
            "",
            # Mid-sentence after the colon: no capital ("…with PSI: the KS test needs …").
            f"*Not to be confused with* {escape(other.term)}: "
            f"{escape(after_colon(term.confused_with.difference))}",
        ]
    choices: tuple[Choice, ...] = ()
    if with_buttons:
        choices = (
            Choice("Next term", "cmd:term"),
            Choice("Quiz me on this topic", f"cmd:quiz {term.category}"),
        )
    return Reply("\n".join(lines), choices=choices, title=term.term, kind="card")
