"""Pure rendering of engine replies to Telegram Bot API call arguments (HTML parse mode).

`render(reply)` returns one dict per API call, in order: ``text`` (sendMessage), ``photo``
(sendPhoto) or ``question`` (sendPoll) says which. Every piece of text goes through `html.escape`,
long texts are split at paragraph boundaries, and button payloads are kept within 64 bytes.
A native quiz becomes a quiz poll only when it fits the poll limits and its options carry the
payloads a vote hands back (`poll_payloads`); otherwise it is text and buttons.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
from collections.abc import Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.telegram.limits import (
    CALLBACK_DATA_LIMIT,
    CALLBACK_TEXT_LIMIT,
    CAPTION_LIMIT,
    POLL_EXPLANATION_LIMIT,
    POLL_EXPLANATION_LINE_FEEDS,
    POLL_MAX_OPTIONS,
    POLL_MIN_OPTIONS,
    POLL_OPTION_LIMIT,
    POLL_QUESTION_LIMIT,
    TEXT_LIMIT,
)
from bot.messages import Choice, Folded, NativeQuiz, Reply, escape, parse_markup, strip_markup
from bot.messages import unfolded as unfold

# Buttons share a row of three when every label is this short, a row of two up to MEDIUM_LABEL
# (a phone shows about that much of a half-width button); longer ones are stacked.
SHORT_LABEL = 16
ROW_WIDTH = 3
MEDIUM_LABEL = 24
PAIR_WIDTH = 2
# Phones cut a button label after about this many characters. Longer choices (quiz definitions)
# are listed as numbered lines in the text and the buttons carry only the numbers.
LONG_LABEL = 40
NUMBER_ROW_WIDTH = 5
LONG_PAYLOAD_PREFIX = "#"
# Callback data of a shared post's buttons starts with this: a press on one is answered to the
# presser and leaves the post and its keyboard alone, without any record to look up.
SHARED_PREFIX = "~"
ELLIPSIS = "…"
# Bot API 9.4 button colours; the one button a message leads with is "primary".
PRIMARY_STYLE = "primary"

Run = tuple[str, str]
_TAGS = {"b": "b", "i": "i", "code": "code"}
# Split preference: paragraphs, then lines, then words; a single huge word is cut by characters.
_SEPARATORS = ("\n\n", "\n", " ")


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def callback_data_for(payload: str, limit: int = CALLBACK_DATA_LIMIT) -> str:
    """`payload` itself when it fits Telegram's 64 bytes, else a stable short digest of it.

    The adapter remembers digest -> payload; the engine's payloads normally fit already.
    """
    if 0 < len(payload.encode()) <= limit and not payload.startswith(
        (LONG_PAYLOAD_PREFIX, SHARED_PREFIX)
    ):
        return payload
    digest = hashlib.sha256(payload.encode()).digest()[:24]
    return LONG_PAYLOAD_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _wrap(style: str, text: str) -> str:
    escaped = html.escape(text, quote=False)
    tag = _TAGS.get(style)
    return f"<{tag}>{escaped}</{tag}>" if tag else escaped


def _render_runs(runs: Sequence[Run]) -> str:
    return "".join(_wrap(style, text) for style, text in runs if text)


def _bullets(text: str) -> str:
    # Telegram HTML has no lists: the neutral "- " item becomes a bullet.
    return "\n".join(
        "• " + line[2:] if line.startswith("- ") else line for line in text.split("\n")
    )


def to_html(text: str) -> str:
    """Neutral markup to Telegram HTML, every run escaped; no length limit applied."""
    return _render_runs(parse_markup(_bullets(text)))


def _split_runs(runs: Sequence[Run], sep: str) -> list[list[Run]]:
    parts: list[list[Run]] = [[]]
    for style, text in runs:
        for k, piece in enumerate(text.split(sep)):
            if k:
                parts.append([])
            if piece:
                parts[-1].append((style, piece))
    return parts


def _hard_split(runs: Sequence[Run], limit: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for style, text in runs:
        overhead = tg_len(_wrap(style, ""))
        piece: list[str] = []
        for ch in text:
            cost = tg_len(html.escape(ch, quote=False))
            if size + overhead + cost > limit and (piece or current):
                if piece:
                    current.append(_wrap(style, "".join(piece)))
                chunks.append("".join(current))
                current, piece, size = [], [], 0
            piece.append(ch)
            size += cost
        if piece:
            current.append(_wrap(style, "".join(piece)))
            size += overhead
    if current:
        chunks.append("".join(current))
    return chunks


def _chunk(runs: Sequence[Run], limit: int, level: int = 0) -> list[str]:
    rendered = _render_runs(runs)
    if tg_len(rendered) <= limit:
        return [rendered]
    if level == len(_SEPARATORS):
        return _hard_split(runs, limit)
    sep = _SEPARATORS[level]
    out: list[str] = []
    current = ""
    for unit in _split_runs(runs, sep):
        piece = _render_runs(unit)
        if tg_len(piece) > limit:
            if current:
                out.append(current)
                current = ""
            out.extend(_chunk(unit, limit, level + 1))
            continue
        candidate = f"{current}{sep}{piece}" if current else piece
        if tg_len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = piece
    if current:
        out.append(current)
    return out


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Render neutral markup to HTML chunks of at most `limit`, cut at paragraph boundaries.

    A paragraph too long on its own is cut at lines, then words, then characters; markup is
    closed and reopened across a cut, so every chunk is valid HTML. Blank chunks are dropped.
    """
    runs = parse_markup(_bullets(text))
    return [c.strip("\n") for c in _chunk(runs, limit) if c.strip()]


def labels_too_long(choices: Sequence[Choice]) -> bool:
    """True when the choice labels would be cut on a button and go into the text instead."""
    return any(len(c.label) > LONG_LABEL for c in choices)


def numbered_options(choices: Sequence[Choice]) -> str:
    """The choices as numbered lines in neutral markup (labels are plain text, escaped)."""
    return "\n".join(f"*{n}.* {escape(c.label)}" for n, c in enumerate(choices, 1))


def needs_numbers(choices: Sequence[Choice], text: str) -> bool:
    """True when long labels must move into the text, under numbers, to be read in full.

    Not when the text already names every choice (a menu such as the role-play list): a
    button cut by Telegram is then enough, and the list is not shown twice.
    """
    if not labels_too_long(choices):
        return False
    plain = " ".join(strip_markup(text).split())
    return not all(" ".join(c.label.split()) in plain for c in choices)


def shared_data(data: str) -> str:
    """The callback data of a shared post's button: the marker, then the data."""
    return SHARED_PREFIX + data


def unshared(data: str) -> tuple[str, bool]:
    """(callback data without the shared marker, whether the pressed button was on a shared post)."""
    if data.startswith(SHARED_PREFIX):
        return data[len(SHARED_PREFIX) :], True
    return data, False


def row_width(labels: Sequence[str]) -> int:
    """Buttons a row: three short labels, two medium ones, else one."""
    longest = max((len(label) for label in labels), default=0)
    if longest <= SHORT_LABEL:
        return ROW_WIDTH
    return PAIR_WIDTH if longest <= MEDIUM_LABEL else 1


def keyboard(
    choices: Sequence[Choice],
    data_for: Callable[[str], str] = callback_data_for,
    numbered: bool | None = None,
) -> InlineKeyboardMarkup | None:
    """Choices as an inline keyboard: three or two a row when the labels are short enough.

    Numbered buttons in rows when the labels are too long for a button (or `numbered`).
    """
    if not choices:
        return None
    if labels_too_long(choices) if numbered is None else numbered:
        digits = [
            InlineKeyboardButton(str(n), callback_data=data_for(c.payload))
            for n, c in enumerate(choices, 1)
        ]
        rows = [digits[i : i + NUMBER_ROW_WIDTH] for i in range(0, len(digits), NUMBER_ROW_WIDTH)]
        return InlineKeyboardMarkup(rows)
    buttons = [
        InlineKeyboardButton(
            c.label.strip() or "?",
            callback_data=data_for(c.payload),
            style=PRIMARY_STYLE if c.primary else None,
        )
        for c in choices
    ]
    width = row_width([b.text for b in buttons])
    rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    return InlineKeyboardMarkup(rows)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def poll_fits(quiz: NativeQuiz) -> bool:
    """True when the quiz can be a Telegram quiz poll without losing an option's meaning."""
    options = [o.strip() for o in quiz.options]
    return (
        POLL_MIN_OPTIONS <= len(options) <= POLL_MAX_OPTIONS
        and all(0 < len(o) <= POLL_OPTION_LIMIT for o in options)
        and len(set(options)) == len(options)
        and 0 <= quiz.correct_index < len(options)
        and bool(quiz.question.strip())
    )


def poll_payloads(reply: Reply) -> tuple[str, ...] | None:
    """The payload each poll option hands back when voted for, in option order, or None.

    The quiz's own payloads, else the reply's choices when they line up with the options; the
    adapter never makes payloads up, so a quiz without them is shown with buttons instead.
    """
    quiz = reply.native_quiz
    if quiz is None:
        return None
    if len(quiz.payloads) == len(quiz.options):
        return quiz.payloads
    if len(reply.choices) == len(quiz.options):
        return tuple(c.payload for c in reply.choices)
    return None


def as_poll(reply: Reply) -> bool:
    """True when the reply goes out as a quiz poll (it has a native quiz that fits, with payloads)."""
    quiz = reply.native_quiz
    return quiz is not None and poll_fits(quiz) and poll_payloads(reply) is not None


def is_notice(reply: Reply) -> bool:
    """True for a one-line notice with nothing to press or see (a button's pop-up can show it)."""
    return reply.kind == "notice" and not reply.choices and reply.image is None


def toast(text: str) -> str:
    """Text for a button's pop-up (answerCallbackQuery): one line, within Telegram's limit."""
    text = " ".join(text.split())
    if len(text) <= CALLBACK_TEXT_LIMIT:
        return text
    return text[: CALLBACK_TEXT_LIMIT - 1] + ELLIPSIS


def poll_kwargs(quiz: NativeQuiz) -> list[dict[str, Any]]:
    """SendPoll arguments for a quiz (non-anonymous), preceded by the full question if too long.

    The explanation is cut to 200 characters and two line feeds, as Telegram requires.
    """
    question = quiz.question.strip()
    calls: list[dict[str, Any]] = []
    if len(question) > POLL_QUESTION_LIMIT:
        calls.extend(
            {"text": chunk, "parse_mode": "HTML"} for chunk in split_html(escape(quiz.question))
        )
        question = _truncate(question, POLL_QUESTION_LIMIT)
    explanation = quiz.explanation.strip()
    head, *rest = explanation.split("\n", POLL_EXPLANATION_LINE_FEEDS)
    lines = [head, *rest[:-1], rest[-1].replace("\n", " ")] if rest else [head]
    explanation = _truncate("\n".join(lines), POLL_EXPLANATION_LIMIT)
    poll: dict[str, Any] = {
        "question": question,
        "options": [o.strip() for o in quiz.options],
        "type": "quiz",
        "is_anonymous": False,
        # Bot API 9.6 (PTB 22.8) takes a list; the single-id form is deprecated.
        "correct_option_ids": [quiz.correct_index],
    }
    if explanation:
        poll["explanation"] = explanation
    calls.append(poll)
    return calls


def folded_html(fold: Folded) -> str:
    """Folded text as an expandable quote: the label in bold, then the text (HTML)."""
    label = to_html(f"*{escape(fold.label)}*")
    return f"<blockquote expandable>{label}\n{to_html(fold.text)}</blockquote>"


def _fold(reply: Reply) -> tuple[Reply, str]:
    """(the reply without its folded text, the quote to end its message with).

    The quote only when one message holds the text and the quote; else no quote, and a button
    for the folded text instead (the feature answers that button with the text).
    """
    fold = reply.folded
    if fold is None:
        return reply, ""
    unfolded = dataclasses.replace(reply, folded=None)
    if reply.image is None and not needs_numbers(reply.choices, reply.text):
        chunks = split_html(reply.text) if reply.text.strip() else []
        quote = folded_html(fold)
        title = tg_len(to_html(f"*{escape(reply.title)}*")) + 1 if reply.title else 0
        if len(chunks) <= 1 and title + tg_len("".join(chunks)) + 2 + tg_len(quote) <= TEXT_LIMIT:
            return unfolded, quote
    return unfold(reply), ""


def without_instructions(reply: Reply) -> str:
    """The reply's text without its trailing instructions (for an answered question)."""
    text = reply.text
    how = reply.instructions.strip()
    if how and text.rstrip().endswith(how):
        text = text.rstrip()[: -len(how)].rstrip()
    return text


def strip_instructions_html(question_html: str, instructions: str) -> str:
    """A question's HTML without its rendered instructions at the end, if they are there."""
    how = to_html(instructions.strip()) if instructions.strip() else ""
    if how and question_html.rstrip().endswith(how):
        return question_html.rstrip()[: -len(how)].rstrip()
    return question_html


def render(
    reply: Reply, data_for: Callable[[str], str] = callback_data_for
) -> list[dict[str, Any]]:
    """Telegram call arguments for one reply, in sending order.

    A dict with ``text`` is a sendMessage (its keyboard on the last chunk), ``photo`` a sendPhoto,
    ``question`` a sendPoll. A native quiz that does not fit the poll limits falls back to text
    and buttons, as Rasa degrades buttons to text. Folded text becomes an expandable quote at
    the end of the message when it fits, else a button.
    """
    if reply.native_quiz is not None and as_poll(reply):
        return poll_kwargs(reply.native_quiz)
    reply, quote = _fold(reply)
    calls: list[dict[str, Any]] = []
    text = reply.text
    if reply.title:
        # Titles are plain (a term's name): escaped so "A*B" stays literal inside the bold.
        title = f"*{escape(reply.title)}*"
        text = f"{title}\n{text}" if text else title
    if reply.image is not None:
        caption = split_html(reply.image.caption, CAPTION_LIMIT)
        calls.append(
            {
                "photo": reply.image.png,
                "filename": reply.image.filename,
                "caption": caption[0] if caption else None,
                "parse_mode": "HTML",
            }
        )
    numbered = bool(reply.choices) and needs_numbers(reply.choices, reply.text)
    if numbered:
        listing = numbered_options(reply.choices)
        text = f"{text}\n\n{listing}" if text.strip() else listing
    if (
        reply.image is not None
        and not reply.choices
        and text.strip() == reply.image.caption.strip()
    ):
        return calls  # the photo's caption says it already
    chunks = split_html(text) if text.strip() else []
    if quote:
        chunks = [f"{chunks[0]}\n\n{quote}" if chunks else quote]
    if not chunks and reply.choices:
        # Telegram refuses an empty message, and buttons need one to hang on.
        chunks = [html.escape(ELLIPSIS)]
    calls.extend({"text": chunk, "parse_mode": "HTML"} for chunk in chunks)
    markup = keyboard(reply.choices, data_for, numbered)
    if markup is not None:
        calls[-1]["reply_markup"] = markup
    return calls


def replacement_text(question_html: str, result_html: str) -> str:
    """The text a result edits into its question's message: the question, then the result.

    Only the result when the two would not fit in one message.
    """
    if not question_html:
        return result_html
    text = f"{question_html}\n\n{result_html}"
    return text if tg_len(text) <= TEXT_LIMIT else result_html
