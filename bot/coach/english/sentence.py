"""One sentence as the inflection rules see it: tokens, a finished time or not, findings so far."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.coach.english.finding import Finding
from bot.coach.english.lexicon import OBJ_START, PAST_MARKERS, TOKEN, Tok, lemmas

# One sentence: up to a run of . ! ? followed by a space or the end ("0.12" stays whole).
_SENTENCE = re.compile(r".+?(?:[.!?]+(?=\s|$)|$)", re.DOTALL)


class Sentence:
    """One sentence's tokens, whether it names a finished time, and the findings so far.

    Args:
        text: The whole text.
        start: The sentence's start in `text`.
        end: The sentence's end.
        found: Findings of the whole text; new ones are appended.
    """

    def __init__(self, text: str, start: int, end: int, found: list[Finding]) -> None:
        self.text = text
        self.toks = [Tok.of(m) for m in TOKEN.finditer(text, start, end)]
        # "Yesterday", "last week", "ago": the past simple is due in this sentence.
        self.past = bool(PAST_MARKERS.search(text, start, end))
        self.found = found

    def lo(self, k: int, default: str = ".") -> str:
        """The lower-case token at `k`, or `default` past either end."""
        return self.toks[k].lo if 0 <= k < len(self.toks) else default

    def add(self, a: int, b: int, replacement: str, rule: str, message: str) -> None:
        """Propose `replacement` for tokens a..b (inclusive).

        Nothing is added when the replacement changes nothing or overlaps an earlier finding:
        the first rule to claim a phrase keeps it.
        """
        start, end = self.toks[a].s, self.toks[b].e
        if self.text[start:end] == replacement:
            return
        if any(f.overlaps(start, end) for f in self.found):
            return
        self.found.append(Finding(start, end, replacement, rule, message, f"layer:{rule}"))

    def verb_context_ok(self, k: int) -> bool:
        """Whether token k reads as a verb from what follows it.

        Noun/verb-ambiguous words (store, crash, change) count as verbs only before an object
        word (`registry store all`, not `rate of`); others before an object, a complement or
        an adjunct (`model predict the`, not `deploy process`).
        """
        nxt = self.lo(k + 1)
        found = lemmas(self.toks[k].t)
        if "NOUN" in found or "ADJ" in found:
            return nxt in OBJ_START
        # A word that can only be a verb is one whatever follows ("the model predict churn").
        return bool(nxt) and nxt[0].isalpha()


def sentences(text: str, found: list[Finding]) -> Iterator[Sentence]:
    """The sentences of `text`, each adding its findings to `found`."""
    for m in _SENTENCE.finditer(text):
        yield Sentence(text, m.start(), m.end(), found)
