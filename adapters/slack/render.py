"""Pure Slack rendering: neutral markup to mrkdwn, a `Reply` to Block Kit, an answered question.

Nothing here talks to Slack; every function is a plain function of its arguments, so the limits
(header 150 characters, section text 3000, button text 75, button value 2000, action and block ids
255, 25 buttons per actions block, 50 blocks per message) are tested directly. The App Home view
is in `adapters.slack.home`.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Collection, Sequence
from typing import Any

from bot.messages import Choice, ConversationRef, Handoff, Reply, parse_markup, unfolded

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_BUTTONS_PER_BLOCK = 25
# More choices than this (a menu of scenarios or topics) make a select menu, not a cloud of
# buttons; a question's options stay buttons, one press each.
MAX_MENU_BUTTONS = 5
MAX_SELECT_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_FALLBACK = 3000

# Every button termcoach renders has an action id with this prefix, so one bolt listener
# (a regex) receives them all; the suffix keeps ids unique within their actions block.
ACTION_PREFIX = "termcoach:"
CHOICE_ACTION = ACTION_PREFIX + "choice:"
SELECT_ACTION = CHOICE_ACTION + "select"
HOME_ACTION = ACTION_PREFIX + "home:"
# A Slack user id (``U123``, or ``W123`` on Enterprise Grid): what a mention ``<@U123>`` names.
USER_ID = re.compile(r"[UW][A-Z0-9]+")
# An actions block carrying a question is tagged with its question id, so a button press tells
# which question it answered without any server-side memory (several replicas, restarts).
QUESTION_BLOCK = "q:"
# The section saying how to answer a question ("Press a button…"): gone once it is answered.
INSTRUCTIONS_BLOCK = "how"

# Slack mrkdwn has no escape character. `&`, `<` and `>` become entities (so content cannot
# mention @channel or forge links); formatting characters in content become look-alikes where
# Slack could read them as markers (jsx-slack does the same for content it cannot trust).
_LOOKALIKE = {"*": "\u2217", "~": "\u223c", "`": "\u02cb", "_": "\u02cd"}
_WORD = re.compile(r"\w")


def escape_mrkdwn(text: str) -> str:
    """Escape content for mrkdwn: entities for ``&<>``, look-alikes for formatting markers.

    An underscore between two word characters (``feature_store``) cannot start or end italics, so
    it is kept; every other ``*``, ``_``, ``~`` and backtick is replaced.
    """
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            # A quote marker only at the start of a line; a soft hyphen in front disarms it.
            at_line_start = i == 0 or text[i - 1] == "\n"
            out.append("\u00ad&gt;" if at_line_start else "&gt;")
        elif ch == "_":
            inner = 0 < i < len(text) - 1
            if inner and _WORD.match(text[i - 1]) and _WORD.match(text[i + 1]):
                out.append(ch)
            else:
                out.append(_LOOKALIKE[ch])
        elif ch in _LOOKALIKE:
            out.append(_LOOKALIKE[ch])
        else:
            out.append(ch)
    return "".join(out)


def _escape_code(text: str) -> str:
    # Slack does not format inside backticks; only the backtick itself and entities matter.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "ˋ")


def _wrap(marker: str, text: str) -> str:
    # Slack needs the markers to touch non-space characters: keep outer spaces outside them.
    core = text.strip()
    if not core:
        return escape_mrkdwn(text)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{escape_mrkdwn(core)}{marker}{trail}"


_LIST_ITEM = re.compile(r"^- ", re.MULTILINE)


def to_mrkdwn(text: str) -> str:
    """Neutral markup (``*bold*``, ``_italic_``, `` `code` ``, ``- `` lists) to Slack mrkdwn."""
    text = _LIST_ITEM.sub("• ", text)
    parts: list[str] = []
    for style, run in parse_markup(text):
        if style == "b":
            parts.append(_wrap("*", run))
        elif style == "i":
            parts.append(_wrap("_", run))
        elif style == "code":
            parts.append(f"`{_escape_code(run)}`" if run else "")
        else:
            parts.append(escape_mrkdwn(run))
    return "".join(parts)


def truncate(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def _split_long(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Split mrkdwn into pieces of at most `limit` characters, at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def text_blocks(text: str) -> list[dict[str, Any]]:
    """Section blocks for neutral-markup text: one per paragraph, each within 3000 characters."""
    blocks: list[dict[str, Any]] = []
    for paragraph in _paragraphs(text):
        for piece in _split_long(to_mrkdwn(paragraph)):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
    return blocks


def header_block(title: str) -> dict[str, Any]:
    """A header block (plain text, at most 150 characters)."""
    clean = " ".join(title.split()) or "termcoach"
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(clean, MAX_HEADER), "emoji": True},
    }


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    """A button within Slack's limits (text 75, action id 255, value 2000 characters)."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {
            "type": "plain_text",
            "text": truncate(" ".join(label.split()) or "…", MAX_BUTTON_TEXT),
            "emoji": True,
        },
        "action_id": action_id[:MAX_ID],
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def choices_of(reply: Reply) -> tuple[Choice, ...]:
    """The reply's buttons; a native quiz (Slack has none) becomes one button per option."""
    if reply.choices:
        return reply.choices
    quiz = reply.native_quiz
    if quiz is None or len(quiz.payloads) != len(quiz.options):
        return ()  # the adapter never makes payloads up: the engine owns their format
    return tuple(
        Choice(option, payload) for option, payload in zip(quiz.options, quiz.payloads, strict=True)
    )


def action_blocks(
    choices: Sequence[Choice], question_id: str | None, thread: str | None = None
) -> list[dict[str, Any]]:
    """Choices as buttons, 25 per actions block.

    Block ids read ``q:<question id>|t:<thread ts>|n:<k>``: the question the buttons answer and
    the thread of the conversation that asked it (a press on an ephemeral message does not say).
    """
    usable = [c for c in choices if c.payload and len(c.payload) <= MAX_BUTTON_VALUE]
    blocks: list[dict[str, Any]] = []
    base = f"{QUESTION_BLOCK}{question_id}" if question_id else "choices"
    if thread:
        base += f"|t:{thread}"
    if question_id is None and len(usable) > MAX_MENU_BUTTONS:
        return select_blocks(usable, base)
    for n, start in enumerate(range(0, len(usable), MAX_BUTTONS_PER_BLOCK)):
        chunk = usable[start : start + MAX_BUTTONS_PER_BLOCK]
        block_id = base if n == 0 else f"{base}|n:{n}"
        elements = [
            button(
                c.label, f"{CHOICE_ACTION}{start + i}", c.payload, "primary" if c.primary else None
            )
            for i, c in enumerate(chunk)
        ]
        blocks.append({"type": "actions", "block_id": block_id[:MAX_ID], "elements": elements})
    return blocks


def dm_link(dm: ConversationRef) -> str:
    """A link that opens the DM `dm` in Slack (desktop, web or mobile)."""
    query = urllib.parse.urlencode({"channel": dm.chat, "team": dm.workspace})
    return f"https://slack.com/app_redirect?{query}"


def handoff_line(handoff: Handoff) -> str:
    """Where work started in a channel goes on: a link to the DM, or how to start it there."""
    if handoff.dm is not None:
        return f"<{dm_link(handoff.dm)}|Open your DM with termcoach>"
    command = _escape_code(f"{SLASH_COMMAND} {handoff.command} {handoff.args}".strip())
    return (
        "I could not open a direct message with you. Open termcoach under Apps in the "
        f"sidebar and type `{command}` there."
    )


def select_blocks(choices: Sequence[Choice], base: str) -> list[dict[str, Any]]:
    """Choices as one select menu (several past 100 options): label 75, value 150 characters.

    A payload too long for an option value cannot be a select option: it stays a button.
    """
    # Slack refuses two options with one value: the first label for a payload wins.
    fit = list({c.payload: c for c in choices if len(c.payload) <= MAX_OPTION_VALUE}.values())
    rest = [c for c in choices if len(c.payload) > MAX_OPTION_VALUE]
    elements: list[dict[str, Any]] = []
    for n, start in enumerate(range(0, len(fit), MAX_SELECT_OPTIONS)):
        options = [
            {
                "text": {
                    "type": "plain_text",
                    "text": truncate(" ".join(c.label.split()) or "…", MAX_OPTION_TEXT),
                    "emoji": True,
                },
                "value": c.payload,
            }
            for c in fit[start : start + MAX_SELECT_OPTIONS]
        ]
        elements.append(
            {
                "type": "static_select",
                "action_id": f"{SELECT_ACTION}{n}",
                "placeholder": {"type": "plain_text", "text": "Choose…", "emoji": True},
                "options": options,
            }
        )
    elements += [button(c.label, f"{CHOICE_ACTION}{i}", c.payload) for i, c in enumerate(rest)]
    return [
        {
            "type": "actions",
            "block_id": (base if n == 0 else f"{base}|n:{n}")[:MAX_ID],
            "elements": chunk,
        }
        for n, chunk in enumerate(
            elements[i : i + MAX_BUTTONS_PER_BLOCK]
            for i in range(0, len(elements), MAX_BUTTONS_PER_BLOCK)
        )
    ]


def fallback_text(reply: Reply) -> str:
    """Plain text for notifications and clients without Block Kit: text plus numbered choices."""
    lines = [reply.plain_text.strip()]
    if reply.handoff is not None and reply.handoff.dm is not None:
        lines.append(dm_link(reply.handoff.dm))
    if reply.kind == "error":
        lines[0] = "⚠️ " + lines[0]
    choices = choices_of(reply)
    if choices:
        lines.append("\n".join(f"{i}. {c.label}" for i, c in enumerate(choices, 1)))
    text = "\n\n".join(line for line in lines if line) or "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return truncate(text, MAX_FALLBACK)


SLASH_COMMAND = "/termcoach"
# In a channel thread a command reaches the thread's conversation only as a mention.
MENTION_COMMAND = "@termcoach"


def slack_commands(text: str, commands: Collection[str], slash: str = SLASH_COMMAND) -> str:
    """Write the engine's ``/quiz drift`` the way Slack runs it: ``/termcoach quiz drift``.

    Slack has one slash command per app, so ``/cancel`` typed in Slack would not reach us; in a
    channel thread `slash` is `MENTION_COMMAND` (``@termcoach hint``). Only known command names
    are rewritten, and never inside a path or a URL.
    """
    if "/" not in text:
        return text
    return _command_pattern(frozenset(commands)).sub(lambda m: f"{slash} {m.group(1)}", text)


@functools.lru_cache(maxsize=8)
def _command_pattern(commands: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(sorted((re.escape(c) for c in commands), key=len, reverse=True))
    return re.compile(rf"(?<![\w/:.@-])/({names})(?![\w/-])")


def render(reply: Reply, *, thread: str | None = None, person: str | None = None) -> dict[str, Any]:
    """A reply as a Slack message: ``{"text": fallback, "blocks": [...]}``.

    A title becomes a header block (the term on a term card), the text becomes sections, choices
    become buttons whose block id names the question they answer (and `thread`, the thread of
    the conversation the message belongs to). A mention of `person` (the user the turn is for,
    ``<@U123>``) stays a mention; any other ``<`` in the text is shown as it is.
    """
    return _with_mention(_render(reply, thread), person)


def _with_mention(message: dict[str, Any], person: str | None) -> dict[str, Any]:
    # Escaping made the text's "<@U123>" harmless ("&lt;@U123&gt;"); only the mention of the
    # person this turn answers is made live again, so echoed text can never ping anyone else.
    if not person or not USER_ID.fullmatch(person):
        return message
    escaped, live = f"&lt;@{person}&gt;", f"<@{person}>"

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: fix(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node.replace(escaped, live) if isinstance(node, str) else node

    return {**fix(message), "blocks": fix(message["blocks"])}


def _render(reply: Reply, thread: str | None) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    # Slack has no folded text: the folded part is one press away.
    reply = unfolded(reply)
    if reply.title:
        blocks.append(header_block(reply.title))
    body = _body_blocks(reply)
    if reply.kind == "error" and body:
        body[0]["text"]["text"] = ":warning: " + body[0]["text"]["text"]
    if reply.native_quiz is not None and not reply.text.strip():
        body = text_blocks(reply.native_quiz.question)
    blocks.extend(body)
    if reply.handoff is not None:
        blocks.append(context_block(handoff_line(reply.handoff)))
    question = reply.question_id or (reply.native_quiz.question_id if reply.native_quiz else None)
    choices = choices_of(reply)
    if any(len(" ".join(c.label.split())) > MAX_BUTTON_TEXT for c in choices):
        # A cut definition cannot be told from the others: list the options in full and
        # number the buttons, as on Telegram.
        blocks.extend(numbered_blocks(choices))
        choices = tuple(Choice(str(n), c.payload) for n, c in enumerate(choices, 1))
    actions = action_blocks(choices, question or None, thread)
    room = MAX_BLOCKS - len(actions)
    if len(blocks) > room:
        blocks = [
            *blocks[: room - 1],
            context_block("(shortened: the full text is in the preview)"),
        ]
    blocks.extend(actions)
    if not blocks:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "…"}})
    return {"text": fallback_text(reply), "blocks": blocks}


def _body_blocks(reply: Reply) -> list[dict[str, Any]]:
    """The text's sections; the trailing instructions in a section of their own, tagged."""
    how = reply.instructions.strip()
    text = reply.text.rstrip()
    if not how or not text.endswith(how):
        return text_blocks(reply.text)
    body = text_blocks(text[: -len(how)])
    tagged = text_blocks(how)
    if tagged:
        tagged[0]["block_id"] = INSTRUCTIONS_BLOCK
    return [*body, *tagged]


def numbered_blocks(choices: Sequence[Choice]) -> list[dict[str, Any]]:
    """The choices in full as numbered lines (labels are plain text), for long labels."""
    lines = [f"*{n}.* {escape_mrkdwn(c.label)}" for n, c in enumerate(choices, 1)]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in _split_long("\n".join(lines))
    ]


def context_block(text: str) -> dict[str, Any]:
    """A context block with one mrkdwn element (at most 3000 characters)."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, 3000)}]}


def without_actions(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A question's blocks without its buttons (it cannot be answered again) or instructions."""
    return [
        b for b in blocks if b.get("type") != "actions" and b.get("block_id") != INSTRUCTIONS_BLOCK
    ]


def answered(
    question_blocks: Sequence[dict[str, Any]], result: Reply, person: str | None = None
) -> dict[str, Any]:
    """The pressed question updated to show its result: question text, a divider, the result."""
    result_msg = render(result, person=person)
    head = without_actions(question_blocks)
    blocks = [*head, {"type": "divider"}, *result_msg["blocks"]] if head else result_msg["blocks"]
    if len(blocks) > MAX_BLOCKS:
        blocks = result_msg["blocks"]
    return {"text": result_msg["text"], "blocks": blocks}
