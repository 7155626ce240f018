"""Small helpers for readable English in replies."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``count(1, "answer")`` is "1 answer"; ``count(3, "answer")`` is "3 answers"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
