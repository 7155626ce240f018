"""The neutral markup: parsing and stripping agree with a plain character-by-character reading."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.messages import MARKUP_CHARS, escape, parse_markup, strip_markup

MARKERS = {"*": "b", "_": "i", "`": "code"}


def reference_parse(text: str) -> list[tuple[str, str]]:
    """The markup rules spelled out one character at a time (slow, obviously right)."""
    runs: list[tuple[str, str]] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in MARKUP_CHARS:
            buf.append(text[i + 1])
            i += 2
            continue
        if ch in MARKERS:
            end = reference_close(text, i + 1, ch)
            if end > i + 1:
                if buf:
                    runs.append(("", "".join(buf)))
                    buf.clear()
                runs.append((MARKERS[ch], reference_unescape(text[i + 1 : end])))
                i = end + 1
                continue
        buf.append(ch)
        i += 1
    if buf:
        runs.append(("", "".join(buf)))
    return runs


def reference_close(text: str, start: int, marker: str) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            i += 2
            continue
        if text[i] == "\n" and marker != "`":
            return -1
        if text[i] == marker:
            return i
        i += 1
    return -1


def reference_unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in MARKUP_CHARS:
            out.append(text[i + 1])
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def reference_strip(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in MARKUP_CHARS:
            out.append(text[i + 1])
            i += 2
            continue
        if text[i] not in "*_`":
            out.append(text[i])
        i += 1
    return "".join(out)


markup_text = st.text(alphabet=st.sampled_from(list("ab *_`\\\n-é")), max_size=40) | st.text()


@settings(max_examples=2000)
@given(markup_text)
def test_parse_and_strip_match_the_reference(text: str) -> None:
    assert parse_markup(text) == reference_parse(text)
    assert strip_markup(text) == reference_strip(text)


@given(st.text())
def test_escaped_text_reads_back_as_itself(text: str) -> None:
    escaped = escape(text)
    assert strip_markup(escaped) == text
    assert "".join(run for _, run in parse_markup(escaped)) == text


def test_examples() -> None:
    assert parse_markup("*Question 1* of _five_: `psi`") == [
        ("b", "Question 1"),
        ("", " of "),
        ("i", "five"),
        ("", ": "),
        ("code", "psi"),
    ]
    assert parse_markup("2 * 3 = 6") == [("", "2 * 3 = 6")]
    assert parse_markup("*no\nclose*") == [("", "*no\nclose*")]
    assert strip_markup("a \\*star\\* and *bold*") == "a *star* and bold"
