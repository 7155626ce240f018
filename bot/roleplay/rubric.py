"""The rubric: pure functions that grade an explanation for one audience.

Five parts, weighted by how technical the audience is (see `WEIGHTS`):

- key points covered: a point counts when one of its phrasings appears (in order, with up to two
  extra words between, forgiving plural/tense endings and small typos);
- target terms used, minus misuses (a term next to the cue words of a typical mix-up);
- jargon explained: each jargon word used without an explanation in the same or the next
  sentence costs a third of this part; for a non-technical audience every multi-word glossary
  term or acronym that is not a target term counts as jargon too;
- readability: Flesch-Kincaid grade (textstat) against the audience's target, with the target
  terms themselves replaced by a short word so the required vocabulary is not punished;
- length: words of all turns against the range.

Jargon, readability and length are "delivery" points and only count in proportion to content:
with no key point covered they are worth nothing, with half of them covered they count fully.
So an off-topic answer scores near zero however fluent it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import textstat
from rapidfuzz import fuzz

from content.index import PackIndex, normalize
from content.models import Exercise, Jargon, KeyPoint, LengthRange, Misuse, Scenario, Term

Level = Literal["low", "medium", "high"]
Part = Literal["points", "terms", "jargon", "readability", "length"]

WEIGHTS: dict[str, dict[Part, int]] = {
    # A product manager needs plain words more than complete vocabulary; a data scientist
    # the other way round.
    "low": {"points": 40, "terms": 10, "jargon": 25, "readability": 15, "length": 10},
    "medium": {"points": 50, "terms": 15, "jargon": 15, "readability": 10, "length": 10},
    "high": {"points": 55, "terms": 20, "jargon": 5, "readability": 10, "length": 10},
}
PART_LABELS: dict[Part, str] = {
    "points": "Key points",
    "terms": "Terms",
    "jargon": "Jargon",
    "readability": "Readability",
    "length": "Length",
}
# Flesch-Kincaid grade (US school years): full points at or below the first number, none at or
# above the second.
GRADE_TARGETS: dict[str, tuple[float, float]] = {
    "low": (8.0, 13.0),
    "medium": (11.0, 16.0),
    "high": (14.0, 19.0),
}
UNEXPLAINED_TO_ZERO = 3
MIN_WORDS_FOR_GRADE = 12
FULL_DELIVERY_AT = 0.5

# Words that, right after a term, introduce its explanation ("PSI, which means ...").
EXPLAIN_MARKERS = (
    "which means",
    "that means",
    "means",
    "meaning",
    "in other words",
    "that is",
    "i e",
    "is when",
    "is a",
    "is an",
    "is the",
    "are the",
    "is how",
    "is where",
    "which is",
    "we call",
    "called",
    "a kind of",
    "a way to",
    "simply put",
    "in plain words",
    "in plain english",
    "put simply",
    "basically",
)
MARKER_WINDOW = 8
# A sentence with one of these is contrasting the term, not misusing it.
CONTRAST_WORDS = frozenset(
    {"not", "no", "t", "unlike", "whereas", "while", "instead", "rather", "different", "never"}
)
# Glossary aliases that are everyday words are not jargon on their own.
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
# Acronyms whose first letter is said with a vowel sound take "an": "an SRE lead".
_AN_LETTERS = frozenset("AEFHILMNORSX")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
# Commas, semicolons, colons and a few conjunctions start a new clause (the conjunction stays).
_CLAUSE_END = re.compile(r"[,;:]\s*|\s(?=(?:and|but|while|whereas)\s)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_VOWELS = re.compile(r"[aeiouy]+")
_DECIMAL = re.compile(r"(\d)[.,](\d)")
_ES_SYLLABLE = ("ses", "xes", "zes", "ches", "shes", "ges", "ces")


# -- text matching ----------------------------------------------------------------------------


def stem(word: str) -> str:
    """A crude English stem, enough to match "changes", "changed" and "changing" to "change"."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            # "labelled" -> "label", "stopped" -> "stop"
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """Normalized, stemmed word tokens of a text or a phrase."""
    return tuple(stem(w) for w in normalize(text).split())


def _same(a: str, b: str) -> bool:
    # Learners write in a second language: forgive one slip in a long word.
    return a == b or (len(a) >= 6 and len(b) >= 6 and fuzz.ratio(a, b) >= 85)


def find_phrase(words: Sequence[str], phrase: Sequence[str], slack: int = 2) -> int:
    """Start index of `phrase` in `words` (in order, at most `slack` extra words), or -1."""
    if not phrase or len(phrase) > len(words):
        return -1
    # One- and two-word phrases must be contiguous-ish, or "data ... drift" would match anything.
    slack = 0 if len(phrase) == 1 else min(slack, len(phrase) - 1)
    width = len(phrase) + slack
    for start, word in enumerate(words):
        if not _same(word, phrase[0]):
            continue
        k = 1
        j = start + 1
        while k < len(phrase) and j < len(words) and j - start < width:
            if _same(words[j], phrase[k]):
                k += 1
            j += 1
        if k == len(phrase):
            return start
    return -1


def _find_all(words: Sequence[str], phrase: Sequence[str]) -> list[int]:
    """Every start index of a contiguous `phrase` in `words`."""
    n = len(phrase)
    if not n:
        return []
    return [
        i
        for i in range(len(words) - n + 1)
        if all(_same(words[i + k], phrase[k]) for k in range(n))
    ]


@dataclass(frozen=True)
class Text:
    """A learner's text split into sentences of stemmed tokens, with each token's clause."""

    raw: str
    sentences: tuple[tuple[str, ...], ...]
    clauses: tuple[tuple[int, ...], ...] = ()

    @classmethod
    def of(cls, raw: str) -> Text:
        """Split and tokenize `raw`."""
        sentences: list[tuple[str, ...]] = []
        clauses: list[tuple[int, ...]] = []
        for part in _SENTENCE_END.split(raw):
            if not part.strip():
                continue
            words: list[str] = []
            ids: list[int] = []
            for n, clause in enumerate(_CLAUSE_END.split(part)):
                found = tokens(clause)
                words += found
                ids += [n] * len(found)
            sentences.append(tuple(words))
            clauses.append(tuple(ids))
        return cls(raw, tuple(sentences), tuple(clauses))

    @property
    def words(self) -> tuple[str, ...]:
        """All tokens in order."""
        return tuple(w for s in self.sentences for w in s)

    def has(self, phrase: str, slack: int = 2) -> bool:
        """True when the phrase appears anywhere (see `find_phrase`)."""
        return find_phrase(self.words, tokens(phrase), slack) >= 0

    def mentions(self, names: Iterable[str]) -> list[tuple[int, int, int]]:
        """(sentence index, token index, length) of every mention of any of `names`."""
        found: list[tuple[int, int, int]] = []
        for name in names:
            phrase = tokens(name)
            for s, sentence in enumerate(self.sentences):
                for i in _find_all(sentence, phrase):
                    found.append((s, i, len(phrase)))
        return sorted(set(found))


def term_names(term: Term) -> tuple[str, ...]:
    """Names that count as using a term: its name, aliases, and both halves of "PSI (…)"."""
    out: list[str] = []
    for name in term.names:
        m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
        if m:
            out.append(m.group(1))
            if len(normalize(m.group(2))) > 3:
                out.append(m.group(2))
        else:
            out.append(name)
    return tuple(n for n in out if normalize(n))


def _jargon_names(term: Term) -> tuple[str, ...]:
    """Glossary names a non-technical reader would not know: multi-word names and acronyms."""
    return tuple(
        n
        for n in term_names(term)
        if " " in normalize(n) or _ACRONYM.match(n.strip()) or n.lower() in {"onnx", "triton"}
    )


def with_article(role: str) -> str:
    """The role with its article: "a product manager", "an internal auditor", "an SRE lead"."""
    first = role.split(" ", 1)[0]
    vowel_sound = first[0] in _AN_LETTERS if first.isupper() else first[:1].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {role}"


# -- what is graded ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rubric:
    """Everything the rubric grades against, built from a scenario or a written exercise."""

    key_points: tuple[KeyPoint, ...]
    target_terms: tuple[str, ...]
    jargon: tuple[Jargon, ...]
    misuses: tuple[Misuse, ...]
    level: Level
    length: LengthRange
    audience: str

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> Rubric:
        """The rubric of a role-play scenario."""
        return cls(
            key_points=scenario.key_points,
            target_terms=scenario.target_terms,
            jargon=scenario.jargon,
            misuses=scenario.misuses,
            level=scenario.audience.technical_level,
            length=scenario.length,
            audience=with_article(scenario.audience.role),
        )

    @classmethod
    def for_exercise(cls, exercise: Exercise) -> Rubric:
        """The rubric of a written exercise (not a drill)."""
        return cls(
            key_points=exercise.key_points,
            target_terms=exercise.target_terms,
            jargon=exercise.jargon,
            misuses=exercise.misuses,
            level=exercise.technical_level,
            length=exercise.length or LengthRange(min_words=5, max_words=400),
            audience=exercise.reader or "your reader",
        )


@dataclass(frozen=True)
class JargonUse:
    """A jargon word found in the answer, and whether it was explained."""

    word: str
    explained: bool
    sentence: int
    generic: bool = False


@dataclass(frozen=True)
class Assessment:
    """What the rubric found in an answer and the points it gives."""

    covered: tuple[KeyPoint, ...]
    missed: tuple[KeyPoint, ...]
    terms_used: tuple[str, ...]
    terms_unused: tuple[str, ...]
    misused: tuple[Misuse, ...]
    jargon: tuple[JargonUse, ...]
    grade: float | None
    grade_target: float
    words: int
    length: LengthRange
    level: Level
    parts: dict[Part, tuple[float, int]] = field(default_factory=dict)

    @property
    def unexplained(self) -> tuple[str, ...]:
        """Jargon words used without an explanation (each once)."""
        out: list[str] = []
        for use in self.jargon:
            if not use.explained and use.word not in out:
                out.append(use.word)
        return tuple(out)

    @property
    def explained(self) -> tuple[str, ...]:
        """Jargon words used with an explanation."""
        return tuple(u.word for u in self.jargon if u.explained and u.word not in self.unexplained)

    @property
    def score(self) -> int:
        """The total, 0 to 100: the sum of the parts as shown (each rounded), so they add up."""
        return max(0, min(100, sum(round(got) for got, _ in self.parts.values())))


def _explained(text: Text, sentence: int, start: int, size: int, phrases: Sequence[str]) -> bool:
    """Is the mention at (sentence, start) explained, by a phrase nearby or a marker after it?"""
    # The explanation may come just before ("… That is concept drift.") or just after the term.
    for near in text.sentences[max(0, sentence - 1) : sentence + 2]:
        for phrase in phrases:
            if find_phrase(near, tokens(phrase)) >= 0:
                return True
    after = text.sentences[sentence][start + size : start + size + MARKER_WINDOW]
    return any(find_phrase(after, tokens(m), 0) >= 0 for m in EXPLAIN_MARKERS)


def find_jargon(rubric: Rubric, pack: PackIndex, text: Text) -> list[JargonUse]:
    """Jargon used in `text`: the rubric's own list, plus glossary names for a lay audience."""
    uses: list[JargonUse] = []
    listed: set[str] = set()
    for item in rubric.jargon:
        listed.update(normalize(n) for n in item.names)
        hits = text.mentions(item.names)
        if not hits:
            continue
        ok = any(_explained(text, s, i, n, item.explained_by) for s, i, n in hits)
        uses.append(JargonUse(item.word, ok, hits[0][0]))
    if rubric.level == "low":
        targets = set(rubric.target_terms)
        for term in pack.pack.terms:
            if term.id in targets:
                continue
            names = list(_jargon_names(term))
            if not names or any(normalize(n) in listed for n in term_names(term)):
                continue
            hits = text.mentions(names)
            if not hits:
                continue
            ok = any(_explained(text, s, i, n, ()) for s, i, n in hits)
            word = names[0] if len(names) == 1 else _shown_name(term)
            uses.append(JargonUse(word, ok, hits[0][0], generic=True))
    return uses


def _shown_name(term: Term) -> str:
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", term.term)
    return m.group(1) if m else term.term


@lru_cache(maxsize=8)
def _glossary_phrases(pack: PackIndex) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(term id, name tokens) for every name of every glossary term, longest first."""
    out = {(t.id, tokens(n)) for t in pack.pack.terms for n in term_names(t)}
    return tuple(sorted(out, key=lambda item: -len(item[1])))


def term_spans(pack: PackIndex, sentence: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, term id) of every glossary term in a sentence; longer names win overlaps."""
    spans: list[tuple[int, int, str]] = []
    for term_id, phrase in _glossary_phrases(pack):
        for start in _find_all(sentence, phrase):
            end = start + len(phrase)
            if all(end <= a or start >= b for a, b, _ in spans):
                spans.append((start, end, term_id))
    return sorted(spans)


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def _misuses(rubric: Rubric, pack: PackIndex, text: Text) -> list[Misuse]:
    """Misuses whose cue's nearest glossary term in a sentence is the misused term.

    "Nearest" (in the same clause first) keeps "the offline store keeps history, and the online
    store the latest values" from blaming the online store for the word "history".
    """
    found: list[Misuse] = []
    for misuse in rubric.misuses:
        for sentence, clause_of in zip(text.sentences, text.clauses, strict=True):
            spans = term_spans(pack, sentence)
            if not any(t == misuse.term for _, _, t in spans):
                continue
            if CONTRAST_WORDS.intersection(sentence):
                continue
            hit = False
            for cue in misuse.cues:
                phrase = tokens(cue)
                start = find_phrase(sentence, phrase)
                if start < 0:
                    continue
                where = (start, start + len(phrase))
                # A cue may itself be a term ("model version"); it is not its own neighbour.
                others = [sp for sp in spans if sp[1] <= where[0] or sp[0] >= where[1]]
                # A term in the cue's own clause wins ("the offline store keeps the history, and
                # the online store …"); else the nearest term before the cue, as a description
                # follows what it describes ("data drift, where the inputs change, and concept
                # drift, where …"); else the nearest term after it.
                same = [sp for sp in others if clause_of[sp[0]] == clause_of[start]]
                before = [sp for sp in others if sp[1] <= where[0]]
                others = same or before or others
                if not others:
                    continue
                nearest = min(others, key=lambda sp: _gap((sp[0], sp[1]), where))
                if nearest[2] == misuse.term:
                    hit = True
                    break
            if hit:
                found.append(misuse)
                break
    return found


def syllables(word: str) -> int:
    """Syllables in a word by vowel groups, with the usual English corrections.

    An acronym is read letter by letter ("PSI" is three syllables), so acronym-heavy text reads
    as harder, which it is.
    """
    if len(word) > 1 and word.isupper():
        return len(word)
    w = word.lower()
    count = len(_VOWELS.findall(w))
    silent = (
        (w.endswith("e") and not w.endswith(("le", "ee", "ye")))  # "change"
        or (w.endswith("ed") and not w.endswith(("ted", "ded")))  # "changed"
        or (w.endswith("es") and not w.endswith(_ES_SYLLABLE))  # "pipes"
    )
    if count > 1 and silent:
        count -= 1
    return max(1, count)


def flesch_kincaid_grade(text: str) -> float:
    """Flesch-Kincaid grade: textstat's sentence count, our syllable count.

    textstat 0.7.13 counts English syllables with NLTK's cmudict, which it downloads from the
    internet on first use and tries again on every call when offline; its fallback, pyphen,
    finds hyphenation points, not syllables ("data" is one), and hides long words. So the
    syllables are counted here: offline, and the same score on every machine.
    """
    words = _WORD.findall(text)
    if not words:
        return 0.0
    # "0.25" is not the end of a sentence.
    sentences = max(1, textstat.sentence_count(_DECIMAL.sub(r"\1\2", text)))
    total = sum(syllables(w) for w in words)
    return float(0.39 * len(words) / sentences + 11.8 * total / len(words) - 15.59)


def readability_grade(raw: str, names: Iterable[str]) -> float | None:
    """Flesch-Kincaid grade of `raw` with the given term names replaced by a short word.

    None when the text is too short to judge.
    """
    plain = raw
    for name in sorted(set(names), key=len, reverse=True):
        words = [re.escape(w) for w in re.split(r"[\s\-/]+", name.strip()) if w]
        if not words:
            continue
        pattern = r"(?<!\w)" + r"[\s\-/]+".join(words) + r"(?!\w)"
        plain = re.sub(pattern, "term", plain, flags=re.IGNORECASE)
    if textstat.lexicon_count(plain) < MIN_WORDS_FOR_GRADE:
        return None
    return round(flesch_kincaid_grade(plain), 1)


def has_words(raw: str) -> bool:
    """True when a text holds at least one real word ("idk" does; "🙂🙂" or "aaaa…" do not)."""
    return any(len(set(w.lower())) > 1 for w in re.findall(r"[^\W\d_]{2,}", raw))


def word_count(raw: str) -> int:
    """Words in a text, as a reader counts them."""
    return len(re.findall(r"[A-Za-z0-9]+(?:['’\-][A-Za-z0-9]+)*", raw))


def _length_factor(words: int, length: LengthRange) -> float:
    if words < length.min_words:
        return words / length.min_words
    if words > length.max_words:
        return max(0.0, 1 - (words - length.max_words) / length.max_words)
    return 1.0


def _grade_factor(grade: float | None, level: Level) -> float:
    if grade is None:
        return 1.0
    good, bad = GRADE_TARGETS[level]
    if grade <= good:
        return 1.0
    if grade >= bad:
        return 0.0
    return (bad - grade) / (bad - good)


def assess(rubric: Rubric, pack: PackIndex, answer: str) -> Assessment:
    """Grade `answer` (all of the learner's turns together) against `rubric`."""
    text = Text.of(answer)
    covered = tuple(p for p in rubric.key_points if any(text.has(phrase) for phrase in p.phrasings))
    missed = tuple(p for p in rubric.key_points if p not in covered)
    misused = _misuses(rubric, pack, text)
    misused_ids = {m.term for m in misused}
    used: list[str] = []
    for term_id in rubric.target_terms:
        term = pack.terms.get(term_id)
        if term is not None and text.mentions(term_names(term)) and term_id not in misused_ids:
            used.append(term_id)
    unused = tuple(t for t in rubric.target_terms if t not in used and t not in misused_ids)
    jargon = find_jargon(rubric, pack, text)
    names = [n for t in rubric.target_terms if t in pack.terms for n in term_names(pack.terms[t])]
    grade = readability_grade(answer, names)
    words = word_count(answer)

    weights = WEIGHTS[rubric.level]
    coverage = len(covered) / len(rubric.key_points) if rubric.key_points else 0.0
    delivery = min(1.0, coverage / FULL_DELIVERY_AT)
    n_terms = len(rubric.target_terms)
    terms_share = len(used) / n_terms if n_terms else coverage
    terms_share = max(0.0, terms_share - 0.5 * len(misused))
    unexplained = len({u.word for u in jargon if not u.explained})
    jargon_share = max(0.0, 1 - unexplained / UNEXPLAINED_TO_ZERO)
    parts: dict[Part, tuple[float, int]] = {
        "points": (weights["points"] * coverage, weights["points"]),
        "terms": (weights["terms"] * terms_share, weights["terms"]),
        "jargon": (weights["jargon"] * jargon_share * delivery, weights["jargon"]),
        "readability": (
            weights["readability"] * _grade_factor(grade, rubric.level) * delivery,
            weights["readability"],
        ),
        "length": (
            weights["length"] * _length_factor(words, rubric.length) * delivery,
            weights["length"],
        ),
    }
    return Assessment(
        covered=covered,
        missed=missed,
        terms_used=tuple(used),
        terms_unused=unused,
        misused=tuple(misused),
        jargon=tuple(jargon),
        grade=grade,
        grade_target=GRADE_TARGETS[rubric.level][0],
        words=words,
        length=rubric.length,
        level=rubric.level,
        parts=parts,
    )


def unexplained_in(rubric: Rubric, pack: PackIndex, message: str) -> list[str]:
    """Jargon words one message uses without explaining them (for the persona's questions)."""
    seen: list[str] = []
    for use in find_jargon(rubric, pack, Text.of(message)):
        if not use.explained and use.word not in seen:
            seen.append(use.word)
    return seen
