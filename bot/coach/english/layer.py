"""The inflection layer: learner errors that Harper misses, one small function per rule.

Harper's own rules and the Weir rules (`bot.coach.english.weir`) replace fixed text; these rules
inflect a word with lemminflect (`the model predict` -> `predicts`, `was train` -> `was trained`).
Precision comes before recall: every rule was run over the clean test sentences and 48k words of
native technical prose, and each guard (`both need`, `a feature store that`, `YAML value`,
`cannot meet`, `0.12 release`) comes from a false alarm found there.

Agreement and tense rules are in `bot.coach.english.agreement`; the word-form rules are here.
The rules run one sentence at a time; where two findings overlap the first one wins, so the
order of `TOKEN_RULES` matters.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.coach.english.agreement import (
    indefinite_pronoun,
    noun_subject_agreement,
    past_with_time_marker,
    plural_pronoun,
    relative_or_adverb_subject,
    subject_phrases,
    there_are,
    third_person_pronoun,
)
from bot.coach.english.clauses import clause_agreement
from bot.coach.english.finding import Finding
from bot.coach.english.forms import (
    adverb_different,
    did_not_past,
    embedded_question,
    every_compound,
    modal_ing,
    more_short_adjective,
    much_more_plural,
    negated_modal_to,
    possessive_before_noun,
    than_after_comparative,
)
from bot.coach.english.lexicon import (
    AUX,
    DETS,
    FOLLOW,
    INTRANSITIVE,
    MID_ADVERBS,
    NUMS,
    OBJ_START,
    PREPS,
    SUBJ_PRON,
    WEEKDAYS,
    base_verb,
    inflect,
    is_nounish,
    lemmas,
    match_case,
    plural_noun,
    singular_noun,
    vbz_verb,
)
from bot.coach.english.sentence import Sentence, sentences
from bot.coach.english.tenses import (
    a_few,
    double_negative_subject,
    modal_have_participle,
    overregular_past,
    will_in_time_clause,
)


def check(text: str) -> list[Finding]:
    """Every finding of the layer in `text`, in the order the rules made them."""
    found: list[Finding] = []
    for s in sentences(text, found):
        for i, j in subject_phrases(s):
            noun_subject_agreement(s, i, j)
        clause_agreement(s)
        for k in range(len(s.toks) - 1):
            for rule in TOKEN_RULES:
                rule(s, k)
    return found


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
# Numbers read with a vowel sound first: 8, 80, 800..., 11, 18, 11,000, 18,000...
_ELEVEN_EIGHTEEN = re.compile(r"(11|18)(\d{3})*")


def article_before_number(s: Sentence, k: int) -> None:
    """12. `an 500 error` -> `a 500 error`, `a 8 GB disk` -> `an 8 GB disk`."""
    t, nxt = s.toks[k], s.toks[k + 1]
    if t.lo not in {"a", "an"} or not _NUMBER.fullmatch(nxt.t):
        return
    integer = nxt.t.split(".")[0].replace(",", "")
    vowel_sound = nxt.t.startswith("8") or _ELEVEN_EIGHTEEN.fullmatch(integer) is not None
    if (t.lo == "an") != vowel_sound:
        article = match_case(t.t, "an" if vowel_sound else "a")
        s.add(k, k + 1, f"{article} {nxt.t}", "a/an", "a/an depends on the sound of the next word")


def every_singular(s: Sentence, k: int) -> None:
    """3. `every days` -> `every day`, `every mondays` -> `every Monday`."""
    t, nxt = s.toks[k], s.toks[k + 1]
    if t.lo == "each" and vbz_verb(nxt) and s.lo(k + 2) in PREPS | OBJ_START:
        return  # `each points to one version`: `each` is the subject, `points` its verb
    if t.lo in {"every", "each"} and plural_noun(nxt) and s.lo(k + 2) != "of":
        singular = lemmas(nxt.t)["NOUN"][0]
        word = singular.capitalize() if singular in WEEKDAYS else singular
        message = f"`{t.lo}` takes a singular noun"
        s.add(k, k + 1, f"{t.t} {word}", f"{t.lo} + singular noun", message)
    elif t.lo == "every" and nxt.lo.endswith("s") and nxt.lo.rstrip("s") in WEEKDAYS:
        day = nxt.lo[:-1].capitalize()
        s.add(k, k + 1, f"{t.t} {day}", "every + singular noun", "`every` takes a singular noun")


def fewer_many(s: Sentence, k: int) -> None:
    """4. `less errors` -> `fewer errors`, `much requests` -> `many requests`."""
    t, nxt = s.toks[k], s.toks[k + 1]
    if t.lo not in {"less", "much"} or not plural_noun(nxt):
        return
    if k and s.toks[k - 1].lo in {"more", "or"}:  # "more or less errors"
        return
    word, rule = ("fewer", "less/fewer") if t.lo == "less" else ("many", "much/many")
    message = "countable plural nouns take fewer/many"
    s.add(k, k + 1, f"{match_case(t.t, word)} {nxt.t}", rule, message)


_BE = frozenset({"is", "are", "was", "were", "be", "been", "am"})
# After a noun/verb-ambiguous word (`is store`, `was change`) only these make it a participle.
# Not `.` or `,`: in `what is drift?`, `the share caught is recall.`, `the model is down.` the
# word after `is` is a noun or an adverb, not a passive's participle.
_AFTER_AMBIGUOUS = frozenset(
    {"in", "on", "into", "by", "every", "daily", "at", "from", "with", "to"}
)
_FINITE_BE = frozenset({"is", "are", "was", "were", "am"})
_BE_TAG = {"is": "VBZ", "are": "VBP", "am": "VBP"}


def be_base_verb(s: Sentence, k: int) -> None:
    """6. `was train` -> `was trained`; `is depend on` -> `depends on` (intransitive verbs)."""
    t, nxt = s.toks[k], s.toks[k + 1]
    if t.lo not in _BE:
        return
    lemma = base_verb(nxt)
    if not lemma or "ADJ" in lemmas(nxt.t) or inflect(lemma, "VBN") == lemma:
        return
    ambiguous = "NOUN" in lemmas(nxt.t)
    if s.lo(k + 2) not in (_AFTER_AMBIGUOUS if ambiguous else FOLLOW | {"to"}):
        return
    if lemma in INTRANSITIVE and t.lo in _FINITE_BE:
        verb = match_case(t.t, inflect(lemma, _BE_TAG.get(t.lo, "VBD")))
        s.add(k, k + 1, verb, "be + verb", f"`{lemma}` is a verb; drop `{t.lo}`")
    else:
        participle = f"{t.t} {inflect(lemma, 'VBN')}"
        message = "passive voice needs the past participle"
        s.add(k, k + 1, participle, "passive: be + past participle", message)


def have_base_verb(s: Sentence, k: int) -> None:
    """7. `we have deploy` -> `we have deployed` (`deployed` with a past-time word)."""
    t = s.toks[k]
    if t.lo not in {"have", "has", "had"} or not k or s.toks[k - 1].lo not in SUBJ_PRON:
        return
    lemma = base_verb(s.toks[k + 1])
    if not lemma or inflect(lemma, "VBN") == lemma or not s.verb_context_ok(k + 1):
        return
    if s.past and t.lo != "had":
        message = "with a finished time (yesterday, last week) use the past simple"
        s.add(k, k + 1, inflect(lemma, "VBD"), "past simple with a past-time word", message)
    else:
        participle = f"{t.t} {inflect(lemma, 'VBN')}"
        s.add(k, k + 1, participle, "present perfect", "have + past participle")


_QUESTION_OPENERS = frozenset(
    {".", "?", "!", "why", "how", "what", "when", "where", "which", "who"}
)


def do_support(s: Sentence, k: int) -> None:
    """8. `Does the model supports` -> `support`, `doesn't works` -> `doesn't work`."""
    t = s.toks[k]
    negative = t.lo in {"doesn't", "don't", "didn't"}
    question = k == 0 or s.toks[k - 1].lo in _QUESTION_OPENERS
    if not negative and not (t.lo in {"does", "do", "did"} and question):
        return
    for m in range(k + 1, min(k + 6, len(s.toks))):
        word, before = s.toks[m], s.toks[m - 1].lo
        if not word.t[0].isalnum() or word.lo in AUX:
            return
        if before in DETS or before in OBJ_START:
            continue  # `do the values go`: after a determiner, `values` is a noun
        lemma = vbz_verb(word)
        # After a negative the verb comes next; a question has its subject in between.
        if lemma and (m == k + 1 or not negative):
            fixed = s.text[t.s : word.s] + lemma
            s.add(k, m, fixed, "do-support + base form", f"after `{t.lo}` use the base form")
            return
        if base_verb(word) and (not is_nounish(word) or before in SUBJ_PRON):
            return  # the question's verb, bare as it should be: `do you make`, `do I find`


def gerund_after_preposition(s: Sentence, k: int) -> None:
    """9. `before to deploy` -> `before deploying`; `look forward to hear` -> `to hearing`."""
    t, nxt = s.toks[k], s.toks[k + 1]
    if nxt.lo != "to" or k + 2 >= len(s.toks):
        return
    lemma = base_verb(s.toks[k + 2])
    if not lemma:
        return
    gerund = inflect(lemma, "VBG")
    if t.lo in {"before", "after", "without", "about"}:
        message = f"after `{t.lo}` use the -ing form"
        s.add(k, k + 2, f"{t.t} {gerund}", "gerund after preposition", message)
    if t.lo == "forward":
        message = "`look forward to` + -ing form"
        s.add(k + 1, k + 2, f"to {gerund}", "look forward to + -ing", message)


_SMALL_NUMBER = re.compile(r"[2-9]|[1-9]\d")
_PARTICLES = frozenset({"out", "up", "down", "off", "over", "back", "more", "less"})
_COUNTING_WORDS = NUMS - {"many", "few", "several"}
# "version 3 model", "step 2 job": the number names something, it does not count.
_NAMING_BEFORE_NUMBER = frozenset({"a", "an", "the", "version", "v", "step", "page", "section"})


def plural_after_number(s: Sentence, k: int) -> None:
    """10. `three model` -> `three models`."""
    t, nxt = s.toks[k], s.toks[k + 1]
    counts = t.lo in _COUNTING_WORDS or _SMALL_NUMBER.fullmatch(t.t)
    if not counts or not singular_noun(nxt) or not nxt.t.islower():
        return
    if k and s.toks[k - 1].lo in _NAMING_BEFORE_NUMBER:
        return
    if k and s.toks[k - 1].e == t.s:
        return  # `SR 11-7 guidance`: part of a code or a range, not a count
    if nxt.lo in _PARTICLES:
        return  # `99 out of 100`
    noun = lemmas(nxt.t).get("NOUN")
    if not noun:
        return
    if k + 2 < len(s.toks):  # "two feature views": the noun modifies the next noun
        after = s.toks[k + 2]
        if "NOUN" in lemmas(after.t) and after.t.islower():
            return
    message = "a number above one takes a plural noun"
    s.add(k, k + 1, f"{t.t} {inflect(noun[0], 'NNS')}", "plural after a number", message)


TokenRule = Callable[[Sentence, int], None]

# In the order they were tuned: where two findings overlap, the first one wins.
_MODALS = frozenset({"can", "could", "must", "should", "will", "would", "may", "might", "shall"})


def modal_base_form(s: Sentence, k: int) -> None:
    """`can answers` -> `can answer`, `must only sees` -> `must only see`, `could to do` -> `could do`."""
    if s.toks[k].lo not in _MODALS:
        return
    v = k + 1
    while v < len(s.toks) - 1 and s.toks[v].lo in MID_ADVERBS:
        v += 1
    verb = s.toks[v]
    if verb.lo == "to" and v + 1 < len(s.toks) and base_verb(s.toks[v + 1]):
        s.add(v, v + 1, s.toks[v + 1].t, "modal + base form", "after a modal verb, no `to`")
        return
    lemma = vbz_verb(verb)
    # "in May", "the will": a modal word after a determiner or preposition is a noun.
    noun_use = k > 0 and (s.toks[k - 1].lo in DETS or s.toks[k - 1].lo in PREPS)
    if lemma and not noun_use:
        s.add(v, v, lemma, "modal + base form", "after a modal verb, use the base form")


TOKEN_RULES: tuple[TokenRule, ...] = (
    modal_base_form,
    indefinite_pronoun,
    third_person_pronoun,
    plural_pronoun,
    relative_or_adverb_subject,
    article_before_number,
    every_singular,
    fewer_many,
    past_with_time_marker,
    be_base_verb,
    have_base_verb,
    do_support,
    gerund_after_preposition,
    plural_after_number,
    there_are,
    negated_modal_to,
    modal_ing,
    did_not_past,
    every_compound,
    possessive_before_noun,
    much_more_plural,
    than_after_comparative,
    more_short_adjective,
    embedded_question,
    adverb_different,
    will_in_time_clause,
    overregular_past,
    modal_have_participle,
    a_few,
    double_negative_subject,
)
