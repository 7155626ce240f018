"""Pronunciation on request: stress and a plain respelling for any English word or term.

Terms use the pack's own `pronunciation` (written for this pack: acronyms as they are said,
names of tools). Other words come from the CMU Pronouncing Dictionary (the `pronouncing`
package, which ships it): its phones are split into syllables and respelt in the same plain
style as the pack ("LIN-ee-ij"), the stressed syllable in capitals. B1-B2 learners read a
respelling more easily than IPA, and a word they cannot say is a word they avoid in a meeting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pronouncing

from content.index import PackIndex
from content.models import Term

_VOWELS = frozenset(
    {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
)
# Short ("checked") vowels keep the next consonant in their own syllable when stressed: LIN-ee.
_SHORT = frozenset({"AE", "EH", "IH", "AA", "AH", "UH"})
_CONSONANTS = {
    "B": "b", "CH": "ch", "D": "d", "DH": "th", "F": "f", "G": "g", "HH": "h", "JH": "j",
    "K": "k", "L": "l", "M": "m", "N": "n", "NG": "ng", "P": "p", "R": "r", "S": "s",
    "SH": "sh", "T": "t", "TH": "th", "V": "v", "W": "w", "Y": "y", "Z": "z", "ZH": "zh",
}  # fmt: skip
# Two- and three-consonant onsets English allows at the start of a syllable.
_ONSETS = frozenset(
    {
        ("P", "R"), ("B", "R"), ("T", "R"), ("D", "R"), ("K", "R"), ("G", "R"), ("F", "R"),
        ("TH", "R"), ("SH", "R"), ("P", "L"), ("B", "L"), ("K", "L"), ("G", "L"), ("F", "L"),
        ("S", "L"), ("S", "P"), ("S", "T"), ("S", "K"), ("S", "M"), ("S", "N"), ("S", "W"),
        ("T", "W"), ("D", "W"), ("K", "W"), ("S", "P", "R"), ("S", "T", "R"), ("S", "K", "R"),
        ("S", "P", "L"), ("K", "Y"), ("P", "Y"), ("B", "Y"), ("F", "Y"), ("M", "Y"), ("V", "Y"),
    }
)  # fmt: skip
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


@dataclass(frozen=True)
class Syllable:
    """One syllable: its phones, and its stress (1 primary, 2 secondary, 0 none)."""

    onset: tuple[str, ...]
    vowel: str
    coda: tuple[str, ...]
    stress: int


def syllables(phones: str) -> list[Syllable]:
    """Split CMU phones ("L IH1 N IY0 AH0 JH") into syllables, maximal onsets first."""
    parts = phones.split()
    nuclei = [i for i, p in enumerate(parts) if p[:2] in _VOWELS]
    if not nuclei:
        return []
    out: list[Syllable] = []
    start_onset: tuple[str, ...] = tuple(parts[: nuclei[0]])
    next_onset: tuple[str, ...]
    for n, at in enumerate(nuclei):
        vowel, stress = parts[at][:2], int(parts[at][2:] or 0)
        following = parts[at + 1 : nuclei[n + 1]] if n + 1 < len(nuclei) else parts[at + 1 :]
        if n + 1 == len(nuclei):
            coda, next_onset = tuple(following), ()
        else:
            split = _split(following, vowel, stress)
            coda, next_onset = tuple(following[:split]), tuple(following[split:])
        out.append(Syllable(start_onset, vowel, coda, stress))
        start_onset = next_onset
    return out


def _split(cluster: list[str], vowel: str, stress: int) -> int:
    """Where a consonant cluster between two vowels splits: the index the next onset starts."""
    if not cluster:
        return 0
    keep = 1 if stress and vowel in _SHORT else 0
    for size in (3, 2):
        if len(cluster) - keep >= size and tuple(cluster[-size:]) in _ONSETS:
            return len(cluster) - size
    return max(keep, len(cluster) - 1) if len(cluster) > 1 else keep


def _vowel(syllable: Syllable) -> str:
    v, closed, onset = syllable.vowel, bool(syllable.coda), bool(syllable.onset)
    table = {
        "AA": "o" if closed else "ah",
        "AE": "a",
        "AH": ("u" if closed else "uh") if not syllable.stress or closed else "uh",
        "AO": "aw",
        "AW": "ow",
        "AY": ("igh" if closed else "y") if onset else "eye",
        "EH": "e" if closed else "eh",
        "ER": "er",
        "EY": "ay",
        "IH": "i" if closed else "ih",
        "IY": "ee",
        "OW": "oh",
        "OY": "oy",
        "UH": "oo",
        "UW": "oo",
    }
    return table[v]


def respell(phones: str) -> tuple[str, int, int]:
    """(plain respelling, number of syllables, stressed syllable from 1) of CMU phones."""
    sylls = syllables(phones)
    pieces = []
    for s in sylls:
        text = "".join(_CONSONANTS.get(p, p.lower()) for p in s.onset)
        text += _vowel(s)
        text += "".join(_CONSONANTS.get(p, p.lower()) for p in s.coda)
        pieces.append(text.upper() if s.stress == 1 else text)
    stressed = next((i + 1 for i, s in enumerate(sylls) if s.stress == 1), 1)
    return "-".join(pieces), len(sylls), stressed


@lru_cache(maxsize=2048)
def word_pronunciation(word: str) -> str | None:
    """The word respelt with its stress ("lineage: LIN-ee-uj (…)"), or None when unknown."""
    key = word.lower().strip(".,;:!?\"'“”‘’()")
    phones = pronouncing.phones_for_word(key)
    if not phones:
        return None
    text, count, stressed = respell(phones[0])
    if count == 1:
        return f"{word}: {text} (one syllable)"
    ordinal = _ORDINALS[stressed - 1] if stressed <= len(_ORDINALS) else f"{stressed}th"
    return f"{word}: {text} ({count} syllables, stress on the {ordinal})"


def _letters(word: str) -> str:
    return "-".join(word.upper())


def term_pronunciation(term: Term) -> str:
    """The pack's pronunciation of a term, named once: "PSI: said letter by letter, …"."""
    name = re.sub(r"\s*\(.*\)\s*$", "", term.term).strip() or term.term
    said = term.pronunciation
    return said if said.lower().startswith(name.lower() + ":") else f"{name}: {said}"


def pronounce(pack: PackIndex, query: str) -> list[str]:
    """Lines saying how to pronounce `query`: a term from the pack, or any English words."""
    query = query.strip().strip("?.!\"'“”‘’")
    term: Term | None = pack.exact(query)
    if term is not None and (len(query.split()) > 1 or query.isupper() or query == term.term):
        return [term_pronunciation(term)]
    lines: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z'-]*|\d+", query)[:6]:
        said = word_pronunciation(word)
        if said is None and len(word) <= 5 and (word.isupper() or len(word) <= 3):
            said = f"{word}: said letter by letter, {_letters(word)}"
        lines.append(said or f"{word}: not in my pronouncing dictionary, sorry")
    if term is not None:
        # A word that is also a term's short name ("canary"): the term as the pack says it.
        lines.append(f"As a term: {term_pronunciation(term)}")
    return lines


_ASK_SAY = re.compile(
    r"^(?:(?:please |can you |could you )*"
    r"(?:how (?:do|should|can|would) (?:you|i|we|one|people) (?:pronounce|say)"
    r"|how (?:to|do you) (?:pronounce|say)|pronounce|say|pronunciation (?:of|for))"
    r"\s+(?P<word>.+?)"
    r"|how (?:is|are|do you pronounce) (?P<word2>.+?) (?:pronounced|said))"
    r"\s*[?.!]*$",
    re.IGNORECASE,
)


def asked_pronunciation(text: str) -> str | None:
    """The word or term a learner asks to pronounce ("how do you pronounce lineage"), or None."""
    match = _ASK_SAY.match(text.strip())
    if match is None:
        return None
    word = (match.group("word") or match.group("word2") or "").strip(" \"'“”‘’")
    word = re.sub(r"^(?:the (?:word|term) |the |a |an )", "", word, flags=re.IGNORECASE)
    word = re.sub(r"\s+(?:please|in english)$", "", word, flags=re.IGNORECASE)
    word = word.strip(" \"'“”‘’")
    return word if any(ch.isalnum() for ch in word) else None
