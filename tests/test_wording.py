"""Readable counts in replies."""

from __future__ import annotations

from bot.wording import count


def test_count_agrees_with_the_number() -> None:
    assert count(1, "answer") == "1 answer"
    assert count(0, "answer") == "0 answers"
    assert count(2, "question") == "2 questions"
    assert count(1, "day") == "1 day"
    assert count(3, "person", "people") == "3 people"
