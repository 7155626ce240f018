"""Tense and word-form rules: `will` in time clauses, over-regular pasts, perfects after modals.

`if it will break` -> `if it breaks`, `until a named person will approve it` -> `approves`,
`a customer actually leaved` -> `left`, `I reruned` -> `reran`, `would have keep` -> `would
have kept`, `takes few seconds` -> `takes a few seconds`, `nobody can't edit` -> `nobody can
edit`. Each guard comes from a false alarm on clean text (`we don't know if it will work` is
right: there `if` means whether).
"""

from __future__ import annotations

from bot.coach.english.lexicon import (
    DETS,
    SUBJ_PRON,
    Tok,
    base_verb,
    inflect,
    is_nounish,
    lemmas,
    match_case,
    plural_noun,
)
from bot.coach.english.sentence import Sentence

_TIME_JOINERS = frozenset({"if", "when", "until", "once", "before", "after", "unless"})
# After these, `if`/`when` opens an indirect question, where `will` is right.
_ASKING = frozenset({
    "know", "knows", "sure", "ask", "asks", "asked", "wonder", "check", "see", "tell", "decide",
    "unclear", "clear", "idea", "whether", "say", "about", "question", "predict", "guess",
})  # fmt: skip
_PRONOUN_VERB_TAG = {"i": "VBP", "you": "VBP", "we": "VBP", "they": "VBP"}


def will_in_time_clause(s: Sentence, k: int) -> None:
    """`if it will break` -> `if it breaks`: a time or condition clause takes the present."""
    t = s.toks[k]
    if t.lo not in _TIME_JOINERS or (k and s.toks[k - 1].lo in _ASKING):
        return
    if s.toks[-1].lo == "?":
        return
    subject_end = _subject_end(s, k + 1)
    if subject_end is None or s.lo(subject_end) != "will":
        return
    verb_at = subject_end + 1
    if s.lo(verb_at) == "be" and verb_at + 1 < len(s.toks):
        verb = "is"  # `will be fixed` -> `is fixed`
        if _plural_subject(s, k + 1, subject_end):
            verb = "are"
        elif s.lo(k + 1) == "i":
            verb = "am"
    else:
        lemma = base_verb(s.toks[verb_at]) if verb_at < len(s.toks) else None
        if not lemma:
            return
        plural = _plural_subject(s, k + 1, subject_end)
        verb = inflect(lemma, "VBP" if plural else "VBZ")
    subject = s.text[s.toks[k + 1].s : s.toks[subject_end - 1].e]
    message = f"after `{t.lo}` use the present tense for the future"
    s.add(k, verb_at, f"{t.t} {subject} {verb}", "present tense in a time clause", message)


def _subject_end(s: Sentence, k: int) -> int | None:
    """The token after the subject that starts at k (a pronoun or a determiner's phrase)."""
    if k >= len(s.toks):
        return None
    if s.toks[k].lo in SUBJ_PRON:
        return k + 1
    if s.toks[k].lo not in DETS | {"these", "those", "its"}:
        return None
    end = k + 1
    while end < len(s.toks) and end - k <= 4 and _noun_word(s.toks[end]):
        end += 1
    return end if end > k + 1 else None


def _noun_word(tok: Tok) -> bool:
    if not tok.t[0].isalnum() or tok.lo == "will":
        return False
    # `a named person`, `the retraining`
    return is_nounish(tok) or (tok.t.islower() and tok.lo.endswith(("ed", "ing")))


def _plural_subject(s: Sentence, start: int, end: int) -> bool:
    first = s.toks[start].lo
    if first in _PRONOUN_VERB_TAG or first in {"these", "those"}:
        return True
    return plural_noun(s.toks[end - 1])


def overregular_past(s: Sentence, k: int) -> None:
    """`leaved` -> `left`, `reruned` -> `reran`: an irregular verb given a regular past."""
    t = s.toks[k]
    if not t.t.islower() or not t.lo.endswith("ed") or "VERB" in lemmas(t.t):
        return
    for stem in (t.lo[:-1], t.lo[:-2], t.lo[:-3]):
        verbs = lemmas(stem).get("VERB", ())
        if stem in verbs:
            past = inflect(stem, "VBD")
            if past != t.lo and not past.endswith("ed"):
                message = f"`{stem}` is irregular: its past is `{past}`"
                s.add(k, k, past, "irregular past tense", message)
            return


_MODALS = frozenset({"would", "could", "should", "must", "might", "may", "will"})


def modal_have_participle(s: Sentence, k: int) -> None:
    """`would have keep it` -> `would have kept it`: the perfect takes the past participle."""
    if s.toks[k].lo not in _MODALS or s.lo(k + 1) != "have" or k + 2 >= len(s.toks):
        return
    verb = s.toks[k + 2]
    lemma = base_verb(verb)
    if not lemma or inflect(lemma, "VBN") == lemma or not s.verb_context_ok(k + 2):
        return
    message = "after `have` use the past participle"
    s.add(k + 1, k + 2, f"have {inflect(lemma, 'VBN')}", "past participle after have", message)


_FEW_UNITS = frozenset({
    "milliseconds", "ms", "seconds", "minutes", "hours", "days", "weeks", "months", "years",
    "tens", "hundreds",
    "times", "requests", "rows", "users", "customers", "people",
})  # fmt: skip
_NOT_BEFORE_FEW = frozenset({
    "a", "very", "too", "so", "the", "only", "quite", "these", "those", "how", "with", "as",
    "its", "our", "their", "his", "her", "my", "your", "relatively",
})  # fmt: skip


def a_few(s: Sentence, k: int) -> None:
    """`takes few seconds` -> `takes a few seconds`: `few` alone means "not many"."""
    t = s.toks[k]
    if t.lo != "few" or not k or s.toks[k - 1].lo in _NOT_BEFORE_FEW:
        return
    if s.lo(k + 1) not in _FEW_UNITS or not s.toks[k - 1].t[0].isalpha():
        return
    s.add(k, k, match_case(t.t, "a few"), "a few vs few", "`a few` = some; `few` = not many")


_NOBODY = frozenset({"nobody", "nothing", "none"})
_POSITIVE = {
    "can't": "can", "cannot": "can", "couldn't": "could", "won't": "will", "wouldn't": "would",
    "shouldn't": "should", "mustn't": "must",
}  # fmt: skip
_DO_TAG = {"didn't": "VBD", "doesn't": "VBZ"}


def double_negative_subject(s: Sentence, k: int) -> None:
    """`nobody can't edit` -> `nobody can edit`; `nobody didn't watch` -> `nobody watched`."""
    t = s.toks[k]
    if t.lo not in _NOBODY or k + 1 >= len(s.toks):
        return
    neg = s.toks[k + 1]
    message = "one negative is enough: `nobody` already says no"
    if neg.lo in _POSITIVE:
        s.add(k, k + 1, f"{t.t} {_POSITIVE[neg.lo]}", "double negative", message)
        return
    tag = _DO_TAG.get(neg.lo)
    lemma = base_verb(s.toks[k + 2]) if tag and k + 2 < len(s.toks) else None
    if tag and lemma:
        s.add(k, k + 2, f"{t.t} {inflect(lemma, tag)}", "double negative", message)
