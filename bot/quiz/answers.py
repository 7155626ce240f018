"""Reading what a learner typed during a question: "I don't know" in its many spellings.

A learner who does not know should say so instead of guessing: they see the answer with its
example at once, the card comes back soon (rated Again), and the guess-free answer does not
count as a wrong guess in their accuracy. Seeing the right answer right after a failed attempt
is what makes the next try work (Butler & Roediger 2008).
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

# Normalised forms (lowercase, apostrophes and punctuation dropped, single spaces).
_GAVE_UP = frozenset(
    {
        "i dont know",
        "i do not know",
        "dont know",
        "do not know",
        "i dont knw",
        "i dont no",
        "i dunno",
        "dunno",
        "idk",
        "idc",
        "no idea",
        "i have no idea",
        "no clue",
        "i have no clue",
        "not sure",
        "im not sure",
        "i am not sure",
        "i dont remember",
        "i do not remember",
        "dont remember",
        "i forgot",
        "forgot",
        "i give up",
        "give up",
        "skip",
        "pass",
        "help me",
        "i dont know it",
        "i dont know this",
        "i dont know this one",
        "i dont know the answer",
        "dont know sorry",
        "sorry i dont know",
        "no idea sorry",
        "sorry no idea",
    }
)
_TEMPLATES = ("i dont know", "no idea", "i dont remember")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "").replace("'", "").replace("`", "")
    text = re.sub(r"[^a-z?]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def is_dont_know(text: str) -> bool:
    """True when the learner says they don't know ("I dont know", "idk", "no idea", "?")."""
    norm = _norm(text)
    if not norm:
        return False
    if set(norm.replace(" ", "")) == {"?"}:
        return True
    words = norm.replace("?", " ").split()
    core = " ".join(w for w in words if w not in {"sorry", "please", "really", "honestly"})
    if core in _GAVE_UP or " ".join(words) in _GAVE_UP:
        return True
    # Small slips in the common phrases: "i don't knwo", "i dont knoe", "no ideia".
    return len(core) <= 16 and any(fuzz.ratio(core, t) >= 88 for t in _TEMPLATES)
