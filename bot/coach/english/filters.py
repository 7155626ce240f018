"""Which findings a learner must never see: on code, changing a glossary name, doubtful spelling.

All of these are plain functions of the text, so they are shared by Harper's lints and the
inflection layer's findings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.coach.english.config import SPELL_MAX_DISTANCE
from bot.coach.english.glossary import Span
from bot.coach.english.lexicon import counts_nouns, same_lemma

# Tokens that look like code, paths, formulas or versions: no correction may touch them.
CODE = re.compile(
    r"`[^`]*`"  # inline code
    # snake_case, paths, calls, P(y|x); starting only where a token starts keeps a long token
    # without these characters linear instead of quadratic
    r"|(?<!\S)\S*[_/\\=|<>{}\[\]()#@$]\S*"
    r"|\b[A-Za-z]+\.[A-Za-z][\w.]*"  # config.max_depth, model.onnx
    r"|\b(?=\w*[A-Za-z])\w*\d\w*(?:\.\w+)*"  # p95, S3, v2.3.1, F1 (not plain numbers)
    r"|\b\d+(?:\.\d+){2,}\b"  # 2.3.1
    r"|\b[A-Z]+&[A-Z]+\b"  # W&B
)

# A word capitalised here starts a sentence; anywhere else a capital marks a name.
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")
# A plausible typo: lowercase, or capitalised only at the start (CamelCase, ALLCAPS and digits
# are names).
_PLAIN_WORD = re.compile(r"[A-Za-z][a-z']*")
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")
# How far back to look for the start of a sentence (a lint never needs more).
_LOOKBACK = 40


def code_spans(text: str) -> list[Span]:
    """Every code-shaped token in `text`."""
    return [Span(m.start(), m.end()) for m in CODE.finditer(text)]


def touches(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether `[start, end)` shares a character with one of `spans`."""
    return any(start < s.end and end > s.start for s in spans)


def changes_name(text: str, start: int, end: int, replacement: str, names: Sequence[Span]) -> bool:
    """Whether replacing `text[start:end]` would alter a protected name.

    Only the characters that really change count: `feature store have -> feature store has`
    leaves `feature store` alone, `Feast -> Feasts` glues a letter to `Feast`. A lowercase term
    of the pack may be inflected (`a job run every night` -> `runs`; see `Span.inflectable`).

    Args:
        text: The learner's text.
        start: Start of the replaced text.
        end: End of the replaced text.
        replacement: The new text for `text[start:end]`.
        names: Where glossary names occur in `text`.
    """
    if not names:
        return False
    old = text[start:end]
    prefix = _common_prefix(old, replacement)
    suffix = _common_prefix(old[prefix:][::-1], replacement[prefix:][::-1])
    a, b = start + prefix, end - suffix
    inserted = replacement[prefix : len(replacement) - suffix]
    for name in names:
        inside = a < name.end and b > name.start  # changes letters of the name
        inserted_inside = a == b and name.start < a < name.end
        # Letters joined to the name, inserted or brought next to it by a deletion:
        # `Feast` -> `Feasts`, `cron jobs` -> `cronjobs`.
        glued = (a == name.end and (inserted + text[b : b + 1])[:1].isalnum()) or (
            b == name.start and (text[a - 1 : a] + inserted)[-1:].isalnum()
        )
        if not (inside or inserted_inside or glued):
            continue
        if not (name.inflectable and _only_inflects(text, start, end, replacement, name)):
            return True
    return False


def _only_inflects(text: str, start: int, end: int, replacement: str, name: Span) -> bool:
    """Whether every changed word of the name is an inflection of it (`run` -> `runs`, `ran`)."""
    old = list(re.finditer(r"\S+", text[start:end]))
    new = replacement.split()
    if len(old) != len(new):
        return False
    for word, fixed in zip(old, new, strict=True):
        w_start, w_end = start + word.start(), start + word.end()
        touched = w_start < name.end and w_end > name.start
        if touched and word.group(0) != fixed and not same_lemma(word.group(0), fixed):
            return False
    return True


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def plausible_typo(text: str, start: int, word: str, suggestion: str) -> bool:
    """Whether a spelling lint on `word` looks like a learner's typo rather than a name or jargon.

    Args:
        text: The learner's text.
        start: Where `word` starts in `text`.
        word: The word Harper flagged.
        suggestion: Harper's top suggestion.
    """
    if suggestion.lower() == word.lower() and re.search(r"[a-z][A-Z]", suggestion):
        return False  # github -> GitHub: a product's casing, not the learner's English
    lowered, target = word.lower(), suggestion.lower().replace("'", "")
    if abs(len(lowered) - len(target)) > SPELL_MAX_DISTANCE:
        return False  # cheap first: a long jargon word needs no full distance table
    if edit_distance(lowered, target) > SPELL_MAX_DISTANCE:
        return False
    if not _PLAIN_WORD.fullmatch(word):
        return False
    # Capitalised mid-sentence: a proper name.
    return not (
        word[0].isupper() and not _SENTENCE_START.search(text[max(0, start - _LOOKBACK) : start])
    )


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): a swap counts as one edit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def short_adjective(problem: str, after: str = "") -> bool:
    """Whether MoreAdjective's lint on `more X` is right: X takes -er, and `more` grades X.

    The rule is right for `more slow`, wrong for `more stable` (-> `stabler`) and `more expensive`;
    one-syllable adjectives, two-syllable ones ending in -y, and a few irregular ones take -er.
    Before a plural noun, `more` counts the noun: `more good customers`, `more young people`.

    Args:
        problem: The flagged text, `more X`.
        after: The text right after it.
    """
    words = problem.split()
    if not words:
        return False
    following = _NEXT_WORD.match(after)
    if following and counts_nouns(following.group(1)):
        return False
    adjective = words[-1].lower()
    if adjective in {"bad", "good", "far", "little"}:
        return True
    core = adjective[:-1] if adjective.endswith("e") and not adjective.endswith("le") else adjective
    syllables = len(re.findall(r"[aeiouy]+", core))
    return syllables == 1 or (syllables == 2 and adjective.endswith("y"))
