"""Agreement and tense rules of the inflection layer: the verb must fit its subject and time.

`the model predict` -> `predicts`, `predictions is` -> `are`, `nobody know` -> `knows`,
`Yesterday we deploy` -> `deployed`, `there is many features` -> `there are`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.coach.english.lexicon import (
    AUX,
    CLAUSE_OPENERS,
    DETS,
    INDEF_PRON,
    MID_ADVERBS,
    NUMS,
    PREPS,
    STOP_VERBS,
    SUBJ_PRON,
    base_verb,
    inflect,
    is_nounish,
    lemmas,
    plural_noun,
    singular_noun,
    vbz_verb,
)
from bot.coach.english.sentence import Sentence

AGREEMENT = "subject–verb agreement"
PAST = "past tense"
PAST_MESSAGE = "past time: use the past tense"


def subject_phrases(s: Sentence) -> Iterator[tuple[int, int]]:
    """(determiner, end) of each determiner-led noun phrase that starts a clause.

    The phrase is greedy (up to five words that can belong to a noun phrase), so a
    noun/verb-ambiguous verb may sit inside it (`the registry store all`).
    """
    toks = s.toks
    for i, t in enumerate(toks):
        if t.lo not in DETS or (i and toks[i - 1].lo not in CLAUSE_OPENERS):
            continue
        j = i + 1
        while j < len(toks) and j - i <= 5 and _in_noun_phrase(s, j):
            j += 1
        yield i, j


def _in_noun_phrase(s: Sentence, j: int) -> bool:
    tok = s.toks[j]
    return tok.t[0].isalnum() and tok.lo not in AUX and is_nounish(tok)


def noun_subject_agreement(s: Sentence, i: int, j: int) -> None:
    """1. `the model predict` -> `predicts`, `predictions is` -> `are`, `budget are` -> `is`.

    Walks the verb candidates after the determiner at i; each is checked against the word
    before it, the head noun. Coordinated subjects (`A and the B are`) are left alone.
    """
    for k in range(i + 2, min(j + 1, len(s.toks))):
        head, verb = s.toks[k - 1], s.toks[k]
        if k - 2 > i and plural_noun(s.toks[k - 2]) and base_verb(head):
            return  # `our notes mention compare runs`: `mention` was the verb, and it agrees
        base = base_verb(verb)
        if base and "NOUN" in lemmas(verb.t) and not head.t.islower():
            continue  # "YAML value", "KS test": a compound noun, not a verb
        if _base_verb_after_noun(s, k, base):
            return
        if _verb_after_plural(s, i, k) or _verb_after_singular(s, i, k):
            return
        if verb.lo in AUX or (vbz_verb(verb) and "NOUN" not in lemmas(verb.t)):
            return  # the clause's verb, and it agrees


def _base_verb_after_noun(s: Sentence, k: int, base: str | None) -> bool:
    """`model predict` -> `predicts` (or `predicted` in a past sentence)."""
    if not base or not s.verb_context_ok(k):
        return False
    head = s.toks[k - 1]
    if singular_noun(head) and not s.past and inflect(base, "VBD") == base:
        return True  # `the model let`, `the test cost`: maybe the past tense, which is right
    if singular_noun(head):
        if s.past:
            s.add(k - 1, k, f"{head.t} {inflect(base, 'VBD')}", PAST, PAST_MESSAGE)
        else:
            message = "a singular subject takes verb+s"
            s.add(k - 1, k, f"{head.t} {inflect(base, 'VBZ')}", AGREEMENT, message)
        return True
    if plural_noun(head) and s.past:
        s.add(k - 1, k, f"{head.t} {inflect(base, 'VBD')}", PAST, PAST_MESSAGE)
        return True
    return False


# The auxiliary a plural / a singular subject takes instead (the clause rules add the negatives).
TO_PLURAL = {"is": "are", "was": "were", "has": "have", "doesn't": "don't", "does": "do"}
TO_SINGULAR = {"are": "is", "were": "was", "have": "has", "don't": "doesn't", "do": "does"}


def _verb_after_plural(s: Sentence, i: int, k: int) -> bool:
    """`predictions is` -> `are`, `metrics shows` -> `show`."""
    head, verb = s.toks[k - 1], s.toks[k]
    if not plural_noun(head) or _coordinated(s, i):
        return False
    fix = TO_PLURAL.get(verb.lo)
    z = vbz_verb(verb)
    # "store returns features": `returns` is the verb, so `store` was not the head noun.
    # Right after a determiner or a number it is the noun: "the two versions starts".
    after_det = k >= 2 and (s.toks[k - 2].lo in DETS or s.toks[k - 2].lo in NUMS)
    head_is_verb = vbz_verb(head) is not None and not after_det
    if fix or (z and not head_is_verb and (s.verb_context_ok(k) or s.lo(k + 1) in ("that", "to"))):
        message = "a plural subject takes a plural verb"
        s.add(k - 1, k, f"{head.t} {fix or z}", AGREEMENT, message)
        return True
    return False


def _coordinated(s: Sentence, i: int) -> bool:
    """Whether the phrase at i follows `and`: the verb agrees with a subject that started earlier.

    `A and the B are`; `a list of the features and their owners is`.
    """
    return bool(i) and s.toks[i - 1].lo == "and"


def _verb_after_singular(s: Sentence, i: int, k: int) -> bool:
    """`budget are` -> `is`, `model don't` -> `doesn't`."""
    head, verb = s.toks[k - 1], s.toks[k]
    if not singular_noun(head) or s.toks[i].lo == "that" or _coordinated(s, i):
        return False
    fix = TO_SINGULAR.get(verb.lo)
    if not fix:
        return False
    s.add(k - 1, k, f"{head.t} {fix}", AGREEMENT, "a singular subject takes a singular verb")
    return True


def _after_auxiliary(s: Sentence, k: int) -> bool:
    """Whether the subject at k follows an auxiliary, which carries tense and agreement.

    `did it happen`, `could someone rebuild`, `how do you know`: the verb stays bare.
    """
    return bool(k) and s.toks[k - 1].lo in AUX


def indefinite_pronoun(s: Sentence, k: int) -> None:
    """2. `nobody know` -> `nobody knows`."""
    t = s.toks[k]
    if t.lo not in INDEF_PRON or _after_auxiliary(s, k):
        return
    if k and s.toks[k - 1].lo in PREPS:
        return  # `details for everything are`: the subject came earlier
    nxt = s.toks[k + 1]
    fix = TO_SINGULAR.get(nxt.lo)  # "Nobody have to", "someone do it"
    lemma = base_verb(nxt)
    # Before a full stop too: "and nobody notice."
    if fix is None and lemma and (s.verb_context_ok(k + 1) or s.lo(k + 2) in ("", ".")):
        fix = inflect(lemma, "VBD" if s.past else "VBZ")
    if fix:
        s.add(k, k + 1, f"{t.t} {fix}", AGREEMENT, f"`{t.lo}` is singular")


# After these, `it change` is an object and a bare infinitive: `make it change`.
_CAUSATIVES = frozenset(
    {"make", "makes", "made", "let", "lets", "help", "see", "saw", "watch", "to"}
)


def third_person_pronoun(s: Sentence, k: int) -> None:
    """2b. `it change` -> `it changes` (Harper misses some of these)."""
    t = s.toks[k]
    if t.lo not in {"it", "he", "she"} or (k and s.toks[k - 1].lo in _CAUSATIVES):
        return
    if _after_auxiliary(s, k) or _object_pronoun(s, k):
        return
    lemma = base_verb(s.toks[k + 1])
    # Right after "it", "he" or "she" a verb's base form is the verb ("it keep only"), even
    # where the word could be a noun elsewhere. `it need not` is right.
    if lemma and (lemma not in STOP_VERBS or (lemma == "need" and s.lo(k + 2) != "not")):
        verb = inflect(lemma, "VBD" if s.past else "VBZ")
        s.add(k, k + 1, f"{t.t} {verb}", AGREEMENT, f"`{t.lo}` takes verb+s")


def _object_pronoun(s: Sentence, k: int) -> bool:
    """Whether `it` at k is an object: after a verb (`roll it back`, `keep it short`)."""
    if not k:
        return False
    before = s.toks[k - 1]
    return before.lo not in CLAUSE_OPENERS and bool(
        base_verb(before) or lemmas(before.t).get("VERB")
    )


def plural_pronoun(s: Sentence, k: int) -> None:
    """2c. `they makes` -> `they make`, `we has` -> `we have`: a plural pronoun takes no -s."""
    t = s.toks[k]
    if t.lo not in {"they", "we", "you", "i"} or (k and s.toks[k - 1].lo in _CAUSATIVES):
        return
    verb = s.toks[k + 1]
    fix = {"has": "have", "does": "do", "doesn't": "don't", "is": "are", "was": "were"}.get(verb.lo)
    if t.lo == "i" and verb.lo in ("is",):
        fix = "am"
    if t.lo == "i" and verb.lo == "was":
        fix = None
    lemma = vbz_verb(verb)
    # "we engineers know": a plural noun after the pronoun, with its verb next.
    noun_then_verb = k + 2 < len(s.toks) and (
        base_verb(s.toks[k + 2]) is not None or s.toks[k + 2].lo in AUX
    )
    if fix is None and lemma and not noun_then_verb:
        fix = lemma
    if fix:
        s.add(k, k + 1, f"{t.t} {fix}", AGREEMENT, f"`{t.lo}` takes the verb without -s")


_RELATIVE = frozenset({"that", "which", "who"})


def _agree(s: Sentence, head_i: int, verb_i: int, message: str, noun: bool = False) -> None:
    """Make the verb at verb_i agree with the noun at head_i (a finding on head..verb).

    `noun`: the head follows a determiner or a number, so it is a noun even if it could be a
    verb ("the two copies").
    """
    head, verb = s.toks[head_i], s.toks[verb_i]
    if singular_noun(head) and not s.past:
        base = base_verb(verb)
        # A verb whose past is its base ("put", "cost") may be the past tense, which is right.
        if base and base not in STOP_VERBS and inflect(base, "VBD") != base:
            words = " ".join(t.t for t in s.toks[head_i:verb_i])
            s.add(head_i, verb_i, f"{words} {inflect(base, 'VBZ')}", AGREEMENT, message)
    elif plural_noun(head):
        lemma = vbz_verb(verb)
        if lemma and (noun or vbz_verb(head) is None):
            words = " ".join(t.t for t in s.toks[head_i:verb_i])
            s.add(head_i, verb_i, f"{words} {lemma}", AGREEMENT, message)


def relative_or_adverb_subject(s: Sentence, k: int) -> None:
    """`a job that build` -> `builds`; `the copies slowly drifts` -> `drift`.

    The verb agrees with the noun before `that`/`which`/`who`, or across an adverb such as
    "now", "still" or "slowly" that stands between a noun subject and its verb.
    """
    if k + 2 >= len(s.toks) or not is_nounish(s.toks[k]) or k == 0:
        return
    mid = s.toks[k + 1].lo
    before = s.toks[k - 1].lo
    after_det = before in DETS or before in NUMS or is_nounish(s.toks[k - 1])
    if mid in _RELATIVE and after_det:
        _agree(s, k, k + 2, "the verb agrees with the noun the clause is about", before in DETS)
    elif mid in MID_ADVERBS and (before in DETS or before in NUMS):
        _agree(s, k, k + 2, "a verb agrees with its subject, also across an adverb", True)


def past_with_time_marker(s: Sentence, k: int) -> None:
    """5. `Yesterday we deploy` -> `we deployed`: a pronoun subject in a past-time sentence."""
    t = s.toks[k]
    if not s.past or t.lo not in SUBJ_PRON:
        return
    if k and s.toks[k - 1].lo in PREPS | {"to", "that"}:
        return  # "for we", "that it": not a clause's subject
    if _after_auxiliary(s, k):
        return
    nxt = s.toks[k + 1]
    lemma = base_verb(nxt) or vbz_verb(nxt)
    if lemma and lemma not in STOP_VERBS and s.verb_context_ok(k + 1):
        s.add(k, k + 1, f"{t.t} {inflect(lemma, 'VBD')}", PAST, PAST_MESSAGE)


def there_are(s: Sentence, k: int) -> None:
    """11. `there is many features` -> `there are many features`."""
    t, nxt = s.toks[k], s.toks[k + 1]
    if t.lo != "there" or nxt.lo not in {"is", "was"} or k + 3 >= len(s.toks):
        return
    quantity = s.toks[k + 2].lo
    if (quantity in NUMS or quantity in {"many", "several"}) and plural_noun(s.toks[k + 3]):
        verb = "are" if nxt.lo == "is" else "were"
        s.add(k, k + 1, f"{t.t} {verb}", "there is/there are", "use `there are` with a plural noun")
