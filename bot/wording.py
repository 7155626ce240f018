"""Small helpers for readable English in replies."""

from __future__ import annotations

from datetime import datetime


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``count(1, "answer")`` is "1 answer"; ``count(3, "answer")`` is "3 answers"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def day_phrase(when: datetime, now: datetime) -> str:
    """When a local moment falls, seen from `now` (both in the same zone).

    "later today", "tomorrow", or "on Mon 30 Nov".
    """
    days = (when.date() - now.date()).days
    if days <= 0:
        return "later today"
    if days == 1:
        return "tomorrow"
    return f"on {when:%a %d %b}"


def article(word: str) -> str:
    """The article before `word`, by its first letter ("an exercise", "a quiz")."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def sentence_case(name: str) -> str:
    """A term name at the start of a sentence: "offline store" -> "Offline store".

    Names with capitals of their own ("PSI", "eBPF", "MLflow run") stay as they are.
    """
    first = name.split(" ", 1)[0]
    if first and first == first.lower() and first[0].isalpha():
        return name[0].upper() + name[1:]
    return name


def after_colon(sentence: str) -> str:
    """A sentence continuing after a colon: "The time between …" -> "the time between …".

    Only an ordinary capitalised first word is lowered; "NVIDIA's" or "PSI" stay as they are.
    """
    first = sentence.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def inner_quotes(text: str) -> str:
    """Quotes inside a quotation become single ones: 'a "drift alert"' -> 'a ‘drift alert’'."""
    out: list[str] = []
    opening = True
    for ch in text:
        if ch == '"':
            out.append("‘" if opening else "’")
            opening = not opening
        elif ch == "“":
            out.append("‘")
        elif ch == "”":
            out.append("’")
        else:
            out.append(ch)
    return "".join(out)
