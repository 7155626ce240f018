"""Agreement across a whole clause: find the subject's head and the clause's one finite verb.

`Our approval process ask for` -> `asks`, `the data scientists needs past values` -> `need`,
`Section 3 of the spec define` -> `defines`, `the offline tables actually has` -> `have`,
`New replicas starts cold` -> `start`.

The word-pair rules in `bot.coach.english.agreement` leave a noun/verb-ambiguous word alone
(`process ask`, `scientists needs`) unless an object word follows it. Here such a word counts as
the verb only when the clause has no other word that could be its finite verb: then the learner
cannot have meant it as a noun. The clause ends at punctuation or a joiner (`that`, `because`,
`to` + verb...), so a relative clause's verb never stands in for the main one.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.coach.english.agreement import AGREEMENT, TO_PLURAL, TO_SINGULAR
from bot.coach.english.lexicon import (
    AUX,
    DETS,
    MASS,
    MID_ADVERBS,
    NUMERAL,
    NUMS,
    PREPS,
    STOP_VERBS,
    Tok,
    base_verb,
    inflect,
    is_nounish,
    lemmas,
    plural_noun,
    singular_noun,
    vbz_verb,
)
from bot.coach.english.sentence import Sentence

# Where a clause starts: a subject may follow.
_OPENERS = frozenset({
    ",", ";", ":", "(", "-", "because", "when", "if", "so", "that", "whether", "while", "since",
    "although", "though", "until", "unless", "once", "but", "and", "where", "after", "before",
    "what", "how", "why", "who",
})  # fmt: skip
# Where the search for a clause's verb stops.
_ENDS = _OPENERS | frozenset({".", "!", "?", ")", "to", "which", "who", "or"})
# Subject determiners: `these`/`those`/`its` open a subject too.
_SUBJECT_DETS = (DETS | {"these", "those", "its", "both"}) - {"that", "one"}
_PLURAL_DETS = frozenset({"these", "those", "both"})
# Plural without -s; and mass nouns that take a singular verb (`the code uses`).
_PLURAL_WORDS = frozenset({"people", "police", "staff"})
_SINGULAR_MASS = MASS - _PLURAL_WORDS - {"data", "metadata", "analytics", "series", "news"}
# A noun/verb-ambiguous word is the verb before these: an object or a particle.
_OBJECT_START = frozenset({
    "the", "a", "an", "this", "these", "those", "all", "some", "any", "no", "every", "each", "our",
    "my", "your", "their", "its", "it", "them", "us", "me", "him", "you", "more", "less", "much",
    "many", "up", "out", "in", "at",
    "down", "off", "back", "for", "about", "on", "into", "from", "with",
})  # fmt: skip
_COUNT_WORDS = frozenset({"other", "first", "last", "next", "top", "remaining", "same"})
_PARTICLES = frozenset({"up", "out", "down", "off", "back", "over", "away"})
_REPORTING = frozenset({"show", "say", "mean", "prove", "suggest", "tell", "confirm"})
_FIX_PLURAL = {**TO_PLURAL, "isn't": "aren't", "wasn't": "weren't", "hasn't": "haven't"}
_FIX_SINGULAR = {**TO_SINGULAR, "aren't": "isn't", "weren't": "wasn't", "haven't": "hasn't"}
_FINITE_AUX = frozenset(_FIX_PLURAL) | frozenset(_FIX_SINGULAR) | {
    "am", "had", "did", "didn't", "can", "could", "will", "would", "shall", "should", "may",
    "might", "must", "won't", "can't", "cannot", "couldn't", "wouldn't", "shouldn't", "mustn't",
}  # fmt: skip


def clause_agreement(s: Sentence) -> None:
    """Check every clause that opens with a noun-phrase subject against its finite verb."""
    toks = s.toks
    for c in range(len(toks)):
        if c and toks[c - 1].lo not in _OPENERS:
            continue
        if c > 1 and toks[c - 1].lo == "and" and _noun_word(toks[c - 2]) and _verbless(s, c - 1):
            continue  # `the challenger and the champion are`: one coordinated subject
        subject = _subject(s, c)
        if subject is not None:
            _check(s, subject)


def _verbless(s: Sentence, k: int) -> bool:
    """Whether the clause before token k has no finite verb yet (so `and` joins subjects)."""
    for m in range(k - 1, -1, -1):
        tok = s.toks[m]
        if tok.lo in _OPENERS:
            return True
        if tok.lo in _FINITE_AUX or set(lemmas(tok.t)) == {"VERB"}:
            return False
    return True


@dataclass(frozen=True, slots=True)
class _Subject:
    """A clause's subject: its words `start`..`end` (exclusive), head noun, `of` and number."""

    start: int
    head: int
    end: int
    plural: bool
    of_at: int | None = None
    and_at: int | None = None


def _subject(s: Sentence, c: int) -> _Subject | None:
    """The subject that starts at c, or None.

    The subject is a determiner and up to five noun-phrase words, or a bare plural noun phrase
    (`New replicas`), optionally `of` + a noun phrase (the head stays before `of`) or a
    coordinated noun phrase (`clicks and sales`: plural).
    """
    toks = s.toks
    det = toks[c].lo in _SUBJECT_DETS
    start = j = c + 1 if det else c
    while j < len(toks) and j - start < 5 and _noun_word(toks[j]):
        j += 1
    if not det:
        # A bare subject ends at its first plural noun: `New replicas`, `sample requests`.
        j = next((k + 1 for k in range(start, j) if plural_noun(toks[k])), j)
    head = _head(s, start, j)
    if head is None:
        return None
    plural = _plural(toks[head]) or toks[c].lo in _PLURAL_DETS
    named = j - 1 > start and singular_noun(toks[j - 2]) and toks[j - 2].lo not in _COUNT_WORDS
    if NUMERAL.fullmatch(toks[j - 1].t) and not named:
        if toks[j - 1].t == "1":
            return None
        plural = True  # `the other 45 were`: a count (`version 13` is a name)
    coordinated = s.lo(j) == "and" and _phrase_end(s, j + 1, 3) is not None
    bare_ok = plural or coordinated or _numbered_name(s, c, j) or _bare_opening(s, c, j)
    if not det and not bare_ok:
        # A bare singular is a mass noun or an imperative's verb; a numbered name opening
        # the sentence (`Section 3`) is a subject.
        return None
    if s.lo(j) == "of" and not plural:
        end = _phrase_end(s, j + 1 + (s.lo(j + 1) in _SUBJECT_DETS | {"a", "an"}), 5)
        if end:
            return _Subject(start, head, end, plural, of_at=j)
    if s.lo(j) == "and":
        end = _phrase_end(s, j + 1 + (s.lo(j + 1) in _SUBJECT_DETS), 3)
        if end:  # `clicks and sales`: two things, a plural subject
            return _Subject(start, head, end, True, and_at=j)
    return _Subject(start, head, j, plural)


def _plural(tok: Tok) -> bool:
    return plural_noun(tok) or tok.lo in _PLURAL_WORDS


def _bare_opening(s: Sentence, c: int, j: int) -> bool:
    """`Drift mean`, `Confirmed fraud only come`: a sentence that opens with a bare noun.

    Only before a word that can be nothing but a verb, so an imperative (`Check logs`) or a
    heading is never read as a subject.
    """
    if c or j - c > 3 or not s.lo(j + 1, "")[:1].isalnum():
        return False  # `Feast apply, get_historical_features`: a list, not a sentence
    found = lemmas(s.toks[c].t)
    return "NOUN" in found and set(found) != {"VERB"}


def _numbered_name(s: Sentence, c: int, j: int) -> bool:
    """`Section 3`, `Step 2`: a capitalised noun and a number that open the sentence."""
    return c == 0 and j == c + 2 and s.toks[c].t[0].isupper() and s.toks[c + 1].t.isdigit()


def _phrase_end(s: Sentence, k: int, most: int) -> int | None:
    """The end of the noun phrase that starts at k (up to `most` words), or None if none does."""
    end = k
    while end < len(s.toks) and end - k < most and _noun_word(s.toks[end]):
        end += 1
    return end if end > k else None


def _noun_word(tok: Tok) -> bool:
    if not tok.t[0].isalnum() or "'" in tok.t or "’" in tok.t or tok.lo in MID_ADVERBS:
        return False  # `We'll`, `it's`, `only`
    if tok.lo in _OPENERS or tok.lo in _ENDS:
        return False  # `How`, `Since`
    return tok.lo not in AUX and tok.lo not in PREPS and is_nounish(tok)


def _agrees(head: Tok, verb: Tok) -> bool:
    """Whether `verb` is a finite verb form that already fits `head`."""
    if _singular(head) or head.lo in MASS:
        return vbz_verb(verb) is not None or verb.lo in _FIX_PLURAL
    return _plural(head) and (base_verb(verb) is not None or verb.lo in _FIX_SINGULAR)


def _head(s: Sentence, start: int, end: int) -> int | None:
    """The noun that the verb agrees with: the phrase's last word that is not a number."""
    for k in range(end - 1, start - 1, -1):
        if not NUMERAL.fullmatch(s.toks[k].t):
            return k
    return None


_JOINS = _SUBJECT_DETS | {"of", "and", "a", "an"}


def _check(s: Sentence, subject: _Subject) -> None:
    """Find the verb after the subject (maybe inside the greedy noun phrase) and make it agree."""
    toks = s.toks
    # The verb may hide inside the greedy phrase: `process ask`, `scientists needs`.
    for v in range(subject.start + 1, subject.end):
        if toks[v].lo in _JOINS or toks[v - 1].lo in _JOINS:
            continue
        second = subject.and_at is not None and v > subject.and_at + 1
        if second and not vbz_verb(toks[v]):
            continue  # in the second of two noun phrases only an -s word can be the verb
        if not second and _agrees(toks[v - 1], toks[v]) and not _noun_before_verb(s, v):
            return  # `the warehouse needs seconds`: the verb is there, and it agrees
        if _is_the_verb(s, v, toks[v - 1]):
            if second:  # `latency and cost goes`: two things, a plural verb
                _agree(s, v - 1, v, v - 1, True)
            elif subject.of_at is not None and v > subject.of_at:
                _agree(s, subject.head, v, v - 1, subject.plural)
            else:
                plural = _plural(toks[v - 1]) or s.lo(subject.start - 1) in _PLURAL_DETS
                _agree(s, v - 1, v, v - 1, plural)
            return
    v = subject.end
    while v < len(toks) and toks[v].lo in MID_ADVERBS and toks[v].lo != "not":
        v += 1
    last = toks[subject.end - 1]
    if v < len(toks) and (toks[v].lo in _FINITE_AUX or _is_the_verb(s, v, last)):
        _agree(s, subject.head, v, subject.end - 1, subject.plural)


def _noun_before_verb(s: Sentence, v: int) -> bool:
    """`engineers wants`: the -s word is a plural noun, the word after it the verb."""
    if not plural_noun(s.toks[v]) or v + 1 >= len(s.toks):
        return False
    nxt = s.toks[v + 1]
    return nxt.lo in _FINITE_AUX or set(lemmas(nxt.t)) == {"VERB"}


def _is_the_verb(s: Sentence, v: int, before: Tok) -> bool:
    """Whether the word at v is the clause's finite verb (the noun phrase ends before it)."""
    tok = s.toks[v]
    if not (base_verb(tok) or vbz_verb(tok)) or before.lo in DETS or before.lo in NUMS:
        return False
    if before.t[0].isupper() and "NOUN" in lemmas(tok.t):
        return False  # `the PSI alert`, `the Git commit`: a name and a noun
    if "ADJ" in lemmas(before.t) and not before.lo.endswith("s"):
        return False  # `the new store`: after an adjective it is a noun
    found = lemmas(tok.t)
    # After a plural noun a verb's -s form is the verb: a plural noun rarely modifies
    # another noun (`replicas starts cold`).
    plural_then_s = plural_noun(before) and vbz_verb(tok) is not None
    if ("NOUN" in found or "ADJ" in found) and not plural_then_s:
        nxt = s.lo(v + 1)
        object_next = (
            nxt in _OBJECT_START
            or _adjective_then_noun(s, v + 1)
            # `use years`; not `store keeps`, where the -s word is the verb
            or (v + 1 < len(s.toks) and _plain_plural(s.toks[v + 1]))
        )
        reporting = nxt == "that" and (base_verb(tok) or vbz_verb(tok)) in _REPORTING
        if not (object_next or reporting):
            return False
    return not _other_verb(s, v)


def _plain_plural(tok: Tok) -> bool:
    return plural_noun(tok) and vbz_verb(tok) is None


def _adjective_then_noun(s: Sentence, k: int) -> bool:
    """`bad prices`, `past values`: an object that starts with an adjective."""
    if k + 1 >= len(s.toks):
        return False
    adj, noun = s.toks[k], s.toks[k + 1]
    found = lemmas(adj.t)
    # Not `only checks`, `used years`: an adverb or a verb form before the noun.
    if "ADJ" not in found or "VERB" in found or adj.lo in MID_ADVERBS:
        return False
    return "NOUN" in lemmas(noun.t) and noun.t.islower()


def _other_verb(s: Sentence, v: int) -> bool:
    """Whether the clause has another word that can only be its finite verb (after v)."""
    for k in range(v + 1, len(s.toks)):
        tok = s.toks[k]
        if tok.lo in _ENDS:
            return False
        if tok.lo in _FINITE_AUX:
            return True
        found = lemmas(tok.t)
        verb_only = "VERB" in found and "NOUN" not in found and "ADJ" not in found
        if (
            verb_only
            and tok.lo not in PREPS
            and tok.lo not in _PARTICLES
            and (base_verb(tok) or vbz_verb(tok))
            # `to build`, `for build`: after `to` or a preposition, not a finite verb
            and s.toks[k - 1].lo not in PREPS | {"to"}
        ):
            return True
    return False


def _singular(tok: Tok) -> bool:
    """A singular noun, `process`, `access` and mass nouns such as `code` included."""
    if singular_noun(tok) or tok.lo in _SINGULAR_MASS:
        return True
    return tok.lo.endswith("ss") and lemmas(tok.t).get("NOUN", ("",))[0] == tok.lo


def _agree(s: Sentence, head: int, v: int, last: int, plural: bool) -> None:
    """Fix the verb at v for the subject whose head is at `head` (phrase end at `last`)."""
    verb = s.toks[v]
    words = " ".join(t.t for t in s.toks[last:v])
    if plural:
        fix = _FIX_PLURAL.get(verb.lo) or vbz_verb(verb)
        if fix:
            s.add(last, v, f"{words} {fix}", AGREEMENT, "a plural subject takes a plural verb")
        return
    if not _singular(s.toks[head]):
        return
    fix = _FIX_SINGULAR.get(verb.lo)
    lemma = base_verb(verb)
    if fix is None and lemma and lemma not in STOP_VERBS and not s.past:
        if inflect(lemma, "VBD") == lemma:
            return  # `the test cost`: maybe the past tense, which is right
        fix = inflect(lemma, "VBZ")
    if fix:
        s.add(last, v, f"{words} {fix}", AGREEMENT, "a singular subject takes verb+s")
