"""Readable counts in replies."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.wording import after_colon, article, count, day_phrase, inner_quotes, sentence_case


def test_count_agrees_with_the_number() -> None:
    assert count(1, "answer") == "1 answer"
    assert count(0, "answer") == "0 answers"
    assert count(2, "question") == "2 questions"
    assert count(1, "day") == "1 day"
    assert count(3, "person", "people") == "3 people"


def test_day_phrase_names_today_and_tomorrow() -> None:
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert day_phrase(datetime(2026, 11, 28, 9, 10, tzinfo=UTC), now) == "later today"
    assert day_phrase(datetime(2026, 11, 29, 1, 0, tzinfo=UTC), now) == "tomorrow"
    assert day_phrase(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), now) == "on Tue 01 Dec"


def test_sentence_case_and_articles() -> None:
    assert sentence_case("offline store") == "Offline store"
    assert sentence_case("PSI") == "PSI"
    assert sentence_case("eBPF probe") == "eBPF probe"
    assert sentence_case("p99 latency") == "P99 latency"
    assert sentence_case("") == ""
    assert (article("exercise"), article("quiz")) == ("an", "a")


def test_after_colon_lowers_only_ordinary_words() -> None:
    assert after_colon("The time between a prediction") == "the time between a prediction"
    assert after_colon("NVIDIA's server") == "NVIDIA's server"
    assert after_colon("PSI is") == "PSI is"
    assert after_colon("A") == "A"


def test_quotes_inside_a_quotation_become_single() -> None:
    assert inner_quotes('I saw a "drift alert" today') == "I saw a ‘drift alert’ today"
    assert inner_quotes("the word “PSI”") == "the word ‘PSI’"
    assert inner_quotes("no quotes") == "no quotes"
