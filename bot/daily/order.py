"""Which term a subscription posts next: a shuffled walk of the pack, seeded per subscription.

The n-th post of a subscription (its `sequence`, counting only posts that were sent) is position
``n mod len(terms)`` of a permutation chosen by (seed, cycle). Every term appears once per cycle,
each cycle is reshuffled, and the choice is a pure function, so `termcoach daily preview` and the
sender agree without storing the order anywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache


def _rank(seed: int, cycle: int, term_id: str) -> bytes:
    return hashlib.blake2b(f"{seed}:{cycle}:{term_id}".encode(), digest_size=8).digest()


@lru_cache(maxsize=4096)
def _permutation(term_ids: tuple[str, ...], seed: int, cycle: int) -> tuple[str, ...]:
    # Sorting by a keyed hash (not random.shuffle) keeps the relative order of the other terms
    # when the pack gains or loses a term, so a pack update disturbs the current walk little.
    return tuple(sorted(term_ids, key=lambda t: _rank(seed, cycle, t)))


def term_at(term_ids: Sequence[str], seed: int, sequence: int) -> str:
    """The term id of post number `sequence` (0-based) for a subscription with this seed."""
    if not term_ids:
        raise ValueError("the pack has no terms")
    ids = tuple(sorted(term_ids))
    cycle, position = divmod(sequence, len(ids))
    return _permutation(ids, seed, cycle)[position]
