"""Word-form rules: after modals and `didn't`, `every`, comparatives, possessives, questions.

`can't to repeat` -> `can't repeat`, `can analysing` -> `can analyse`, `didn't matched` ->
`didn't match`, `every training runs` -> `every training run`, `theirs first requests` ->
`their first requests`, `much more customers` -> `many more customers`, `more then` -> `more
than`, `more fast` -> `faster`, `find out why did the job fail` -> `why the job failed`.
Like the rest of the layer, each guard comes from a false alarm on clean text.
"""

from __future__ import annotations

import re

from bot.coach.english.lexicon import (
    AUX,
    DETS,
    INDEF_PRON,
    MID_ADVERBS,
    NUMS,
    base_verb,
    inflect,
    inflections,
    is_nounish,
    lemmas,
    match_case,
    plural_noun,
    vbz_verb,
)
from bot.coach.english.sentence import Sentence

_NEGATED_MODALS = frozenset(
    {"can't", "cannot", "couldn't", "won't", "wouldn't", "shouldn't", "mustn't", "mightn't"}
)
_MODALS = frozenset({"can", "could", "must", "should", "will", "would", "may", "might"})


def negated_modal_to(s: Sentence, k: int) -> None:
    """`can't to repeat` -> `can't repeat`: no `to` after a modal, negated or not."""
    if s.toks[k].lo not in _NEGATED_MODALS or s.lo(k + 1) != "to" or k + 2 >= len(s.toks):
        return
    verb = s.toks[k + 2]
    if base_verb(verb) or verb.lo in {"be", "have", "do"}:
        message = "after a modal verb, no `to`"
        s.add(k, k + 2, f"{s.toks[k].t} {verb.t}", "modal + base form", message)


def modal_ing(s: Sentence, k: int) -> None:
    """`can analysing` -> `can analyse`: a modal takes the base form, not the -ing form."""
    t = s.toks[k]
    if t.lo not in _MODALS | _NEGATED_MODALS or k + 1 >= len(s.toks):
        return
    if k and s.toks[k - 1].lo in DETS:
        return  # `the will`: a noun
    verb = s.toks[k + 1]
    if not verb.t.islower() or not verb.lo.endswith("ing"):
        return
    found = lemmas(verb.t)
    lemma = found.get("VERB", ("",))[0]
    # `can be`, `will testing teams` (a noun): only a word that is nothing but a verb form.
    if not lemma or "NOUN" in found or "ADJ" in found or inflect(lemma, "VBG") != verb.lo:
        return
    s.add(k + 1, k + 1, lemma, "modal + base form", "after a modal verb, use the base form")


_DO_NEGATIVES = frozenset({"didn't", "don't", "doesn't"})


def did_not_past(s: Sentence, k: int) -> None:
    """`didn't matched` -> `didn't match`, `did not changed` -> `did not change`."""
    t = s.toks[k]
    v = k + 1
    if t.lo in {"did", "does", "do"} and s.lo(k + 1) == "not":
        v = k + 2
    elif t.lo not in _DO_NEGATIVES:
        return
    if v >= len(s.toks):
        return
    verb = s.toks[v]
    if not verb.t.islower() or verb.lo in AUX:
        return
    for lemma in lemmas(verb.t).get("VERB", ()):
        if lemma != verb.lo and verb.lo in inflections(lemma, "VBD") + inflections(lemma, "VBN"):
            fixed = s.text[t.s : verb.s] + lemma
            s.add(k, v, fixed, "do-support + base form", f"after `{t.lo}` use the base form")
            return


def every_compound(s: Sentence, k: int) -> None:
    """`every training runs` -> `every training run`, `each new pods` -> `each new pod`."""
    t = s.toks[k]
    if t.lo not in {"every", "each"} or k + 2 >= len(s.toks):
        return
    mods = k + 1
    if s.lo(mods) in _TIME_NOUNS:
        return  # `every time someone trains`: the time word is the noun
    while mods < min(k + 3, len(s.toks)) and not plural_noun(s.toks[mods]):
        word = s.toks[mods]
        if not word.t.islower() or not is_nounish(word) or word.lo in _NOT_MODIFIERS:
            return
        mods += 1
    if mods == k + 1 or mods >= len(s.toks) or not plural_noun(s.toks[mods]):
        return  # right after `every` the word-pair rule decides
    if s.lo(mods + 1) == "of":
        return
    noun = s.toks[mods]
    singular = lemmas(noun.t)["NOUN"][0]
    words = " ".join(w.t for w in s.toks[k:mods])
    s.add(
        k, mods, f"{words} {singular}", f"{t.lo} + singular noun", f"`{t.lo}` takes a singular noun"
    )


_TIME_NOUNS = frozenset(
    {"time", "day", "week", "month", "year", "morning", "night", "hour", "minute", "release"}
)
_NOT_MODIFIERS = AUX | MID_ADVERBS | NUMS | INDEF_PRON | {"one", "other"}
_POSSESSIVES = {"theirs": "their", "ours": "our", "yours": "your", "hers": "her"}


def possessive_before_noun(s: Sentence, k: int) -> None:
    """`theirs first requests` -> `their first requests`: before a noun, the determiner."""
    t = s.toks[k]
    fix = _POSSESSIVES.get(t.lo)
    if fix is None or k + 1 >= len(s.toks):
        return
    nxt = s.toks[k + 1]
    if nxt.t.islower() and is_nounish(nxt) and not base_verb(nxt) and not vbz_verb(nxt):
        message = f"before a noun use `{fix}`; `{t.lo}` stands alone"
        s.add(k, k, match_case(t.t, fix), "possessive determiner", message)


def much_more_plural(s: Sentence, k: int) -> None:
    """`much more young customers` -> `many more young customers`."""
    if s.toks[k].lo != "much" or s.lo(k + 1) != "more":
        return
    for m in range(k + 2, min(k + 4, len(s.toks))):
        word = s.toks[m]
        if plural_noun(word):
            message = "countable plural nouns take many"
            s.add(k, k + 1, f"{match_case(s.toks[k].t, 'many')} more", "much/many", message)
            return
        if "ADJ" not in lemmas(word.t) and not word.lo.endswith("ed"):
            return  # `much more failed jobs`: a participle describes the noun too


_COMPARATIVE_WORDS = frozenset({"more", "less", "fewer", "better", "worse", "rather", "other"})
# After a comparison, `that` + one of these is a slip for `than`: `more students that before`.
_THAN_NEXT = frozenset({"before", "ever", "usual", "expected", "in", "on", "at", "during", "last"})


def than_after_comparative(s: Sentence, k: int) -> None:
    """`more then our target` -> `more than`, `more students that before` -> `than before`."""
    t = s.toks[k]
    if t.lo not in {"then", "that"} or not _after_comparative(s, k):
        return
    if t.lo == "that" and s.lo(k + 1) not in _THAN_NEXT:
        return
    if t.lo == "then" and (s.lo(k + 1) in {",", ".", ""} or s.lo(k - 1) == ","):
        return  # `..., then we retrain`: a sequence
    s.add(k, k, match_case(t.t, "than"), "than/then", "a comparison takes `than`")


def _after_comparative(s: Sentence, k: int) -> bool:
    """Whether a comparative stands up to four words before k, in the same clause."""
    for m in range(k - 1, max(-1, k - 5), -1):
        word = s.toks[m]
        if word.lo in {",", ";", ":", "and", "but", "because", "so"}:
            return False
        if word.lo in _COMPARATIVE_WORDS or (word.lo.endswith("er") and _is_jjr(word.lo)):
            return True
    return False


def _is_jjr(word: str) -> bool:
    return any(
        word in inflections(lemma, "JJR") or word in inflections(lemma, "RBR")
        for lemma in lemmas(word).get("ADJ", ()) + lemmas(word).get("ADV", ())
    )


_VOWELS = re.compile(r"[aeiouy]+")
_NOUN_FIRST = frozenset({"light", "fun", "kind", "key", "base", "past", "top", "cold", "heat"})
_AFTER_COMPARATIVE = frozenset({"than", "and", "or", ",", ".", "now", "to", "for", "today"})


def adverb_different(s: Sentence, k: int) -> None:
    """`behave different now` -> `behave differently`: a verb is described by an adverb."""
    t = s.toks[k]
    if t.lo != "different" or not k or s.lo(k + 1) not in _AFTER_DIFFERENT:
        return
    before = s.toks[k - 1]
    lemma = (lemmas(before.t).get("VERB") or ("",))[0]
    # A verb by its form, or by its place (`to shop different`, `can shop different`).
    placed = s.lo(k - 2) in _MODALS | _NEGATED_MODALS | {"to"}
    verb_before = (
        before.t.islower() and lemma and (placed or set(lemmas(before.t)) <= {"VERB", "ADJ"})
    )
    if not verb_before or lemma in _LINKING or before.lo in AUX:
        return
    s.add(k, k, match_case(t.t, "differently"), "adverb vs adjective", "a verb takes an adverb")


def more_short_adjective(s: Sentence, k: int) -> None:
    """`more fast` -> `faster`: a one-syllable adjective takes -er."""
    if s.toks[k].lo != "more" or k + 1 >= len(s.toks) or s.lo(k - 1) in {"no", "any", "much"}:
        return
    adj = s.toks[k + 1]
    found = lemmas(adj.t)
    if not adj.t.islower() or found.get("ADJ", ("",))[0] != adj.lo or adj.lo in _NOUN_FIRST:
        return
    nxt = s.toks[k + 2] if k + 2 < len(s.toks) else None
    # `more light`, `more cold`: where the word can be a noun, only at the end of the phrase
    # (`more fast than`); `more young customers` is right (more customers who are young).
    if ("NOUN" in found or "VERB" in found) and not (nxt is None or nxt.lo in _AFTER_COMPARATIVE):
        return
    if len(_VOWELS.findall(adj.lo.removesuffix("e"))) != 1:
        return
    forms = inflections(adj.lo, "JJR")
    if forms and forms[0] != f"more {adj.lo}" and " " not in forms[0]:
        s.add(k, k + 1, forms[0], "comparative", "a short adjective takes -er")


_AFTER_DIFFERENT = frozenset(
    {".", ",", ";", "now", "from", "than", "today", "in", "at", "on", "and"}
)
_LINKING = frozenset({
    "be", "look", "seem", "feel", "become", "get", "sound", "appear", "stay", "remain", "turn",
    "grow", "taste", "smell", "prove", "keep",
})  # fmt: skip

_WH = frozenset({"why", "what", "how", "where", "when", "which"})
_DO = {"did": "VBD", "does": "VBZ", "do": "VBP"}
_BE = frozenset({"is", "are", "was", "were"})


def embedded_question(s: Sentence, k: int) -> None:
    """`find out why did the job fail` -> `why the job failed`: no inversion inside a sentence.

    Only where the question word follows a word of the sentence (not its start) and the
    sentence does not end with a question mark.
    """
    t = s.toks[k]
    if t.lo not in _WH or not k or not s.toks[k - 1].t[0].isalpha() or s.toks[-1].lo == "?":
        return
    if s.toks[k - 1].lo in MID_ADVERBS or s.toks[k - 1].lo in {"but", "so"}:
        return
    aux = k + 1
    if t.lo == "how" and k + 2 < len(s.toks) and "ADJ" in lemmas(s.toks[k + 1].t):
        aux = k + 2  # `how old are the values`
    if aux >= len(s.toks) or (s.toks[aux].lo not in _DO and s.toks[aux].lo not in _BE):
        return
    end = aux + 1
    if end >= len(s.toks) or s.toks[end].lo not in DETS | {"its", "these", "those"}:
        return
    end += 1
    while end < len(s.toks) and is_nounish(s.toks[end]):
        end += 1
    if end - 1 > aux + 2 and base_verb(s.toks[end - 1]) and s.lo(end) in {".", ",", ":", ";"}:
        end -= 1  # `why did the job fail.`: the last word of the run is the verb
    head = s.toks[aux]
    subject = s.text[s.toks[aux + 1].s : s.toks[end - 1].e]
    opener = s.text[t.s : s.toks[aux - 1].e] if aux > k + 1 else t.t
    if head.lo in _BE:
        if end < len(s.toks) and s.toks[end].t[0].isalnum():
            return  # `what is the model doing`: more than a subject follows
        fixed = f"{opener} {subject} {head.t}"
        s.add(
            k,
            end - 1,
            fixed,
            "word order (indirect question)",
            "inside a sentence: subject, then verb",
        )
        return
    lemma = "do" if s.lo(end) == "do" else base_verb(s.toks[end]) if end < len(s.toks) else None
    if not lemma:
        return
    verb = inflect(lemma, _DO[head.lo])
    fixed = f"{opener} {subject} {verb}"
    s.add(k, end, fixed, "word order (indirect question)", "inside a sentence: subject, then verb")
