"""Fast look-ups over a loaded pack: by id, by name with typo tolerance, and by topic or category."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, process

from content.models import Category, Pack, Scenario, Term, Topic

# British and American spellings are folded to one form before comparing, so a learner who
# writes "materialization" finds "materialisation" even where the pack lists only one spelling.
_SPELLING = [
    (re.compile(r"isation\b"), "ization"),
    (re.compile(r"ising\b"), "izing"),
    (re.compile(r"ised\b"), "ized"),
    (re.compile(r"ise\b"), "ize"),
    (re.compile(r"\bartefact"), "artifact"),
    (re.compile(r"\bcatalogue\b"), "catalog"),
    (re.compile(r"\bbehaviour"), "behavior"),
    (re.compile(r"\bmodelling\b"), "modeling"),
    (re.compile(r"\blabelling\b"), "labeling"),
    (re.compile(r"\bwarm up\b"), "warmup"),
    (re.compile(r"\bwarm-up\b"), "warmup"),
]


@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """Lowercase, strip accents and punctuation, fold British/American spellings."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("-", " ").replace("/", " ")
    text = re.sub(r"[^\w\s]+", " ", text)
    text = re.sub(r"_+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for pattern, repl in _SPELLING:
        text = pattern.sub(repl, text)
    return text.replace("warm up", "warmup")


@dataclass(frozen=True)
class Match:
    """A term found by a fuzzy look-up, with its score (0-100) and whether it was exact."""

    term: Term
    score: float
    exact: bool


Area = Topic | Category


class PackIndex:
    """A read-only index over a `Pack`; build it once at start and share it."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.terms: dict[str, Term] = {t.id: t for t in pack.terms}
        self.topics: dict[str, Topic] = {t.id: t for t in pack.topics}
        self.categories: dict[str, Category] = {c.id: c for c in pack.categories}
        self.scenarios: dict[str, Scenario] = {s.id: s for s in pack.scenarios}
        self._names: dict[str, str] = {}
        for term in pack.terms:
            for name in (*term.names, term.id):
                self._names.setdefault(normalize(name), term.id)
                # "PSI (Population Stability Index)" is also found as "PSI" and as the expansion.
                # "SBOM (ML)" is not found as "ML": a short bracketed part is a qualifier.
                for outside, inside in re.findall(r"^(.*?)\s*\((.*)\)\s*$", name):
                    if outside.strip():
                        self._names.setdefault(normalize(outside), term.id)
                    if len(normalize(inside)) > 3:
                        self._names.setdefault(normalize(inside), term.id)
        self._name_keys = list(self._names)
        # Derived data that other modules compute once per pack (e.g. distractor pools).
        self.memo: dict[object, object] = {}

    @property
    def version(self) -> str:
        """The pack version, remembered by conversations in progress."""
        return self.pack.pack.version

    @property
    def pack_id(self) -> str:
        """The pack id."""
        return self.pack.pack.id

    @cached_property
    def term_order(self) -> list[str]:
        """Term ids in pack order (the order new terms are introduced)."""
        return [t.id for t in self.pack.terms]

    def term(self, term_id: str) -> Term:
        """The term with this id (KeyError if unknown)."""
        return self.terms[term_id]

    def exact(self, text: str) -> Term | None:
        """The term whose name, alias or id equals `text` after normalization."""
        term_id = self._names.get(normalize(text))
        return self.terms[term_id] if term_id else None

    def find_term(self, query: str, cutoff: float = 80) -> Match | None:
        """Best term for a typed name: exact name or alias first, then a close fuzzy match."""
        norm = normalize(query)
        if not norm:
            return None
        hit = self._names.get(norm)
        if hit:
            return Match(self.terms[hit], 100.0, True)
        found = process.extractOne(norm, self._name_keys, scorer=fuzz.WRatio, score_cutoff=cutoff)
        if found is None:
            return None
        name, score, _ = found
        # Short queries match too much with WRatio's partial scoring; require a closer ratio.
        if len(norm) <= 4 and fuzz.ratio(norm, name) < 75:
            return None
        # WRatio also scores a shared word high ("ab test" against "KS test"). Take the match
        # only as a typo of the whole name, or when the words typed name one term alone
        # ("shadow"); several such terms ("drift") are for the learner to choose from.
        if fuzz.ratio(norm, name) < 80:
            named = self.terms_named_with(query)
            if len(named) != 1:
                return None
            return Match(named[0], float(score), False)
        return Match(self.terms[self._names[name]], float(score), False)

    def terms_named_with(self, query: str) -> list[Term]:
        """Terms with a name that holds every word of `query` ("drift": data drift, ...)."""
        words = set(normalize(query).split())
        if not words:
            return []
        ids = {tid for name, tid in self._names.items() if words <= set(name.split())}
        return [self.terms[tid] for tid in self.term_order if tid in ids]

    def suggest(self, query: str, limit: int = 3) -> list[Term]:
        """A few terms close to `query`, for "did you mean" replies.

        Terms with a name holding every word typed first ("KS": KS test), then names close to
        the whole query letter by letter. WRatio's partial scores are not used here: they
        matched any name sharing a few letters ("precision" gave "run comparison").
        """
        norm = normalize(query)
        if not norm:
            return []
        out: list[Term] = self.terms_named_with(query)[:limit]
        found = process.extract(norm, self._name_keys, scorer=fuzz.ratio, limit=limit * 3)
        for name, score, _ in found:
            term = self.terms[self._names[name]]
            if score >= 70 and term not in out:
                out.append(term)
        return out[:limit]

    def find_area(self, query: str, cutoff: float = 85) -> Area | None:
        """A topic or category named by id, title or alias (typos tolerated)."""
        norm = normalize(query)
        if not norm:
            return None
        choices: dict[str, Area] = {}
        areas: list[Area] = [*self.pack.topics, *self.pack.categories]
        for area in areas:
            for name in (area.id, area.title, *area.aliases):
                choices.setdefault(normalize(name), area)
        if norm in choices:
            return choices[norm]
        # token_sort_ratio, not WRatio: WRatio scores partial matches high, so "concept drift"
        # would be taken for the topic "drift".
        found = process.extractOne(
            norm, list(choices), scorer=fuzz.token_sort_ratio, score_cutoff=cutoff
        )
        return choices[found[0]] if found else None

    def terms_in(self, area: Area | None) -> list[Term]:
        """Terms of a topic or a category (all terms when `area` is None)."""
        if area is None:
            return list(self.pack.terms)
        if isinstance(area, Topic):
            return [t for t in self.pack.terms if area.id in t.topics]
        return [t for t in self.pack.terms if t.category == area.id]

    def same_category(self, term: Term) -> list[Term]:
        """Other terms in the term's category (distractor candidates); a fresh list each call."""
        return list(self._same_category[term.id])

    def confusables(self, term: Term) -> list[Term]:
        """Terms easily confused with this one: its `confused_with`, pairs, and reverse links."""
        return list(self._confusables[term.id])

    @cached_property
    def _same_category(self) -> dict[str, tuple[Term, ...]]:
        return {
            term.id: tuple(
                t for t in self.pack.terms if t.category == term.category and t.id != term.id
            )
            for term in self.pack.terms
        }

    @cached_property
    def _confusables(self) -> dict[str, tuple[Term, ...]]:
        out: dict[str, tuple[Term, ...]] = {}
        for term in self.pack.terms:
            ids: list[str] = [term.confused_with.term]
            for pair in self.pack.pairs:
                if term.id in pair.terms:
                    ids.extend(t for t in pair.terms if t != term.id)
            ids.extend(t.id for t in self.pack.terms if t.confused_with.term == term.id)
            seen: list[str] = []
            for i in ids:
                if i not in seen and i != term.id and i in self.terms:
                    seen.append(i)
            out[term.id] = tuple(self.terms[i] for i in seen)
        return out
