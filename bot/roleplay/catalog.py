"""Finding scenarios and exercises from what a learner types: ids, titles, topics, audiences."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from content.index import PackIndex, normalize
from content.models import Exercise, Scenario, Topic

KIND_LABELS = {
    "roleplay": "Role-play",
    "runbook": "Runbook paragraph",
    "fix-term": "Fix the term",
    "rewrite-plain": "Say it plainly",
    "drill": "Quiz drill",
}
_RANDOM_WORDS = {"random", "any", "surprise me", "surprise"}
_FILLER = {"for", "with", "the", "a", "an", "to", "and", "my", "meeting", "on", "about"}


@dataclass(frozen=True)
class Item:
    """A scenario or an exercise, as `exercises` lists it."""

    id: str
    title: str
    topic: str
    kind: str
    scenario: Scenario | None = None
    exercise: Exercise | None = None

    @property
    def label(self) -> str:
        """How lists show it; exercise titles already say what kind they are."""
        return f"Role-play: {self.title}" if self.scenario else self.title

    @property
    def command(self) -> str:
        """The command that starts it."""
        return f"/roleplay {self.id}" if self.scenario else f"/exercise {self.id}"

    @property
    def payload(self) -> str:
        """A button payload that starts it (at most 64 bytes with our ids)."""
        return f"cmd:roleplay {self.id}" if self.scenario else f"cmd:exercise {self.id}"


def items(pack: PackIndex) -> list[Item]:
    """Every scenario and exercise, grouped by topic in pack order, role-plays first."""
    order = {t.id: i for i, t in enumerate(pack.pack.topics)}
    out = [Item(s.id, s.title, s.topic, "roleplay", scenario=s) for s in pack.pack.scenarios]
    out += [Item(e.id, e.title, e.topic, e.kind, exercise=e) for e in pack.pack.exercises]
    kinds = list(KIND_LABELS)
    return sorted(out, key=lambda it: (order.get(it.topic, 99), kinds.index(it.kind)))


def exact_topic(pack: PackIndex, query: str) -> Topic | None:
    """The topic whose id, title or alias is `query` (no typos forgiven)."""
    norm = normalize(query)
    for topic in pack.pack.topics:
        if norm in {normalize(n) for n in (topic.id, topic.title, *topic.aliases)}:
            return topic
    return None


def find_topic(pack: PackIndex, query: str) -> Topic | None:
    """The topic named by `query`; a category counts as the topic most of its terms are in."""
    area = pack.find_area(query)
    if area is None or isinstance(area, Topic):
        return area
    counts: dict[str, int] = {}
    for term in pack.terms_in(area):
        for topic in term.topics:
            counts[topic] = counts.get(topic, 0) + 1
    if not counts:
        return None
    return pack.topics[max(counts, key=lambda t: counts[t])]


def audience_scenarios(pack: PackIndex, query: str) -> list[Scenario]:
    """Scenarios whose audience is named by `query` ("pm", "VP Engineering", "compliance")."""
    norm = normalize(query)
    if not norm:
        return []
    hits = []
    for scenario in pack.pack.scenarios:
        names = {normalize(n) for n in (scenario.audience.role, *scenario.audience.aliases)}
        if norm in names:
            hits.append(scenario)
    return hits


def split_audience(pack: PackIndex, query: str) -> tuple[list[Scenario], str]:
    """Find an audience named inside `query` ("drift for pm"); return its scenarios and the rest."""
    words = normalize(query).split()
    # Longest audience name first, so "product manager" wins over "product".
    for size in range(min(4, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            found = audience_scenarios(pack, " ".join(words[start : start + size]))
            if found:
                rest = [w for w in words[:start] + words[start + size :] if w not in _FILLER]
                return found, " ".join(rest)
    return [], " ".join(w for w in words if w not in _FILLER)


def find_item(pack: PackIndex, query: str, pool: list[Item] | None = None) -> Item | None:
    """The scenario or exercise named by id, title, or something close to either."""
    pool = pool if pool is not None else items(pack)
    norm = normalize(query)
    if not norm:
        return None
    for item in pool:
        if norm in (normalize(item.id), normalize(item.title)):
            return item
    choices = {normalize(item.id): item for item in pool}
    choices.update({normalize(item.title): item for item in pool})
    found = process.extract(norm, list(choices), scorer=fuzz.WRatio, limit=2, score_cutoff=86)
    if not found:
        return None
    best = choices[found[0][0]]
    if len(found) > 1 and choices[found[1][0]] is not best and found[1][1] >= found[0][1] - 2:
        return None  # two items match about equally well: better to show the list
    return best


def is_random(query: str) -> bool:
    """True for "random", "any", "surprise me"."""
    return normalize(query) in _RANDOM_WORDS
