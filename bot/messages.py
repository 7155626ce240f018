"""The only vocabulary that crosses the adapter boundary: frozen dataclasses, no platform imports.

Text in a `Reply` uses one small neutral markup that every adapter renders:
``*bold*``, ``_italic_``, `` `code` ``, lines starting with ``- `` are list items, and a blank line
separates paragraphs. Content and user text placed into a reply must go through `escape()` so a
stray ``*`` or ``_`` in it is not taken for markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

MARKUP_CHARS = "*_`\\"
_ESCAPES = str.maketrans({ch: "\\" + ch for ch in MARKUP_CHARS})


def escape(text: str) -> str:
    """Escape the neutral markup characters in user or content text."""
    return text.translate(_ESCAPES)


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Where a message came from: a chat (conversation) and the user in it (learner).

    A learner quizzed in a DM and in a channel is one learner with two conversations.
    """

    platform: str
    workspace: str
    chat: str
    user: str
    thread: str | None = None
    # A private conversation inside a shared chat: Slack answers slash commands and button
    # presses in a channel privately, so each person there has their own quiz or role-play.
    scope: str | None = None
    # True when `thread` is a place of its own (a Telegram forum topic, which gets its own
    # daily term), False for a passing reply thread (Slack), which belongs to its channel.
    thread_is_place: bool = field(default=False, compare=False)

    @property
    def key(self) -> str:
        """Stable conversation key: platform, workspace, chat, thread and private scope.

        The user is not part of it (a group chat is one conversation), except through `scope`.
        """
        parts = [self.platform, self.workspace, self.chat]
        if self.thread:
            parts.append(self.thread)
        key = ":".join(p.replace(":", "%3A") for p in parts)
        return f"{key}~{self.scope}" if self.scope else key

    @property
    def learner_key(self) -> tuple[str, str, str]:
        """The learner identity: one per user per workspace per platform."""
        return (self.platform, self.workspace, self.user)

    def for_user(self, user: str) -> ConversationRef:
        """The same conversation seen from another user."""
        return ConversationRef(
            self.platform,
            self.workspace,
            self.chat,
            user,
            self.thread,
            self.scope,
            self.thread_is_place,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Inbound:
    """Base of every inbound message.

    `message_id` is unique per platform delivery (used for deduplication); `raw` is kept for logs
    only and is never read by the engine. `is_group` tells whether the chat has several people;
    `is_admin` whether the sender may change the chat's settings (the adapter decides, by its
    platform's rules); `dm` is the sender's private chat with the bot, when the adapter knows it
    (a press in a Telegram group), so work started in a group can go on there. `delivery` is the
    adapter's own context for showing this turn's replies later (Slack's response URL, the
    pressed message): opaque to the engine, JSON-serialisable, stored with the replies in the
    outbox and handed back to the adapter when they are sent.
    """

    ref: ConversationRef
    message_id: str | None = None
    display_name: str | None = None
    is_group: bool = False
    is_admin: bool = False
    dm: ConversationRef | None = None
    raw: Any = field(default=None, compare=False, repr=False)
    delivery: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def seen_by_others(self) -> bool:
        """True when others in the chat read this conversation's replies.

        A group's own conversation, not a private one inside it (`ConversationRef.scope`): there
        a result needs no name on it, and a bare word is an answer to the bot, not chatter.
        """
        return self.is_group and self.ref.scope is None


@dataclass(frozen=True, slots=True, kw_only=True)
class TextIn(Inbound):
    """Free text typed by the learner."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandIn(Inbound):
    """A command (``/quiz drift`` on the console, ``/termcoach quiz drift`` on Slack)."""

    name: str
    args: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceIn(Inbound):
    """A button press or a poll answer, carrying the payload of the chosen `Choice`."""

    payload: str


@dataclass(frozen=True, slots=True)
class Choice:
    """One button: what the learner sees (plain text) and the opaque payload sent back.

    The payload is at most 64 bytes (Telegram's limit for callback data).
    """

    label: str
    payload: str
    # The one button a message leads with ("Quiz me"): highlighted where the platform can.
    primary: bool = False


@dataclass(frozen=True, slots=True)
class Folded:
    """Text a platform shows folded under a message (an expandable quote) or behind a button.

    `text` is neutral markup; where nothing can be folded the adapter shows a button with
    `label` whose `payload` answers with the text (the feature that owns the payload decides).
    """

    label: str
    text: str
    payload: str


@dataclass(frozen=True, slots=True)
class QuizLimits:
    """How long a native quiz's parts may be on a platform; each adapter declares its own.

    A question that does not fit is asked with buttons instead; only the explanation is cut.
    """

    question: int
    option: int
    explanation: int


@dataclass(frozen=True, slots=True)
class NativeQuiz:
    """A multiple-choice question that a platform may show natively (a Telegram quiz poll).

    Every field is plain text, not markup: "MLFLOW_TRACKING_URI" is shown as it is.
    `payloads` holds the button payload of each option, in option order, so that a platform that
    shows the quiz natively (a poll) hands a vote back as the same `ChoiceIn` a button would.
    """

    question: str
    options: tuple[str, ...]
    correct_index: int
    explanation: str = ""
    question_id: str = ""
    payloads: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Image:
    """A picture (PNG bytes) with a caption; adapters that cannot show pictures save or skip it."""

    png: bytes = field(repr=False)
    filename: str = "chart.png"
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Handoff:
    """Work started in a shared chat that goes on in the learner's private chat with the bot.

    `command` and `args` start it there. `dm` is that private chat when the work has begun in it
    already (the adapter links to it); None when the bot cannot write there yet, so the learner
    must open it first: the adapter links to the chat with a start payload that runs `command`.
    """

    command: str
    args: str = ""
    dm: ConversationRef | None = None


ReplyKind = Literal["text", "card", "question", "result", "feedback", "error", "notice"]


@dataclass(frozen=True, slots=True)
class Reply:
    """One outbound message in neutral markup, with optional choices, native quiz or picture.

    `title` is a short header (a term card's term); `kind` lets adapters pick a layout; `replaces`
    names the question id whose message this result should replace (the pressed question);
    `private` asks the adapter to show it only to the learner (Slack ephemeral, Telegram DM).
    A private "notice" is a one-line answer to a button press, such as "already answered":
    Telegram shows it as the button's pop-up notification. `handoff` marks the one line a shared
    chat gets when work moves to the learner's private chat; the adapter adds the link.

    `shared` marks a post for everyone in a chat (the daily term): a press on its buttons is
    answered to the presser and never changes the post or removes its buttons. `edits` names
    the platform id of such a post in this conversation, which this reply rewrites in place,
    buttons included (nothing new is posted if that fails). `flash` is a one-line answer to the
    press that produced this reply, shown as the button's pop-up where a platform has one.
    `instructions` is the last paragraph of `text` when it only says how to answer, dropped
    when the question shows its result. `native_text` is what a result shows instead of its
    text when its question was answered in a native quiz, which showed right or wrong and the
    explanation itself ("" shows nothing). `folded` is text shown folded (`Folded`).
    `retires` names an earlier reply's `question_id` whose buttons this reply makes stale (the
    previous "Finish" of a role-play): the adapter removes them where it can.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    title: str | None = None
    kind: ReplyKind = "text"
    native_quiz: NativeQuiz | None = None
    image: Image | None = None
    replaces: str | None = None
    private: bool = False
    question_id: str | None = None
    shared: bool = False
    edits: str | None = None
    flash: str | None = None
    instructions: str = ""
    native_text: str | None = None
    folded: Folded | None = None
    handoff: Handoff | None = None
    retires: str | None = None

    @property
    def plain_text(self) -> str:
        """The text without markup, for fallbacks and logs."""
        return strip_markup(self.text if not self.title else f"{self.title}\n{self.text}")


def unfolded(reply: Reply) -> Reply:
    """The reply with its folded text as a button first, for a platform that cannot fold."""
    fold = reply.folded
    if fold is None:
        return reply
    return replace(reply, folded=None, choices=(Choice(fold.label, fold.payload), *reply.choices))


_ESCAPED = re.compile(r"\\([*_`\\])")
_MARKUP_OR_ESCAPED = re.compile(r"\\([*_`\\])|[*_`]")
_SPECIAL = re.compile(r"[*_`\\]")
_MARKERS = {"*": "b", "_": "i", "`": "code"}
# What ends a marked run: the marker itself, an escape to skip, or (except in code) a newline.
_CLOSERS = {"*": re.compile(r"[\\\n*]"), "_": re.compile(r"[\\\n_]"), "`": re.compile(r"[\\`]")}


def strip_markup(text: str) -> str:
    """Remove the neutral markup characters (keeping escaped ones as literals)."""
    if not _SPECIAL.search(text):
        return text
    return _MARKUP_OR_ESCAPED.sub(lambda m: m.group(1) or "", text)


def parse_markup(text: str) -> list[tuple[str, str]]:
    """Split neutral markup into (style, text) runs; style is "", "b", "i" or "code".

    Adapters render runs to their own format. An unclosed marker is kept as a literal character.
    """
    if not _SPECIAL.search(text):
        return [("", text)] if text else []
    runs: list[tuple[str, str]] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        found = _SPECIAL.search(text, i)
        if found is None:
            buf.append(text[i:])
            break
        j = found.start()
        if j > i:
            buf.append(text[i:j])
        ch = text[j]
        if ch == "\\":
            if j + 1 < n and text[j + 1] in MARKUP_CHARS:
                buf.append(text[j + 1])
                i = j + 2
            else:
                buf.append(ch)
                i = j + 1
            continue
        end = _find_close(text, j + 1, ch)
        if end > j + 1:
            if buf:
                runs.append(("", "".join(buf)))
                buf.clear()
            runs.append((_MARKERS[ch], _unescape(text[j + 1 : end])))
            i = end + 1
            continue
        buf.append(ch)
        i = j + 1
    if buf:
        runs.append(("", "".join(buf)))
    return runs


def _find_close(text: str, start: int, marker: str) -> int:
    closers = _CLOSERS[marker]
    i, n = start, len(text)
    while True:
        found = closers.search(text, i)
        if found is None:
            return -1
        at = found.start()
        ch = text[at]
        if ch == "\\":
            if at + 1 >= n:
                return -1
            i = at + 2  # an escaped character never closes a run
            continue
        return at if ch == marker else -1


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text


SendStatus = Literal["sent", "retry", "blocked", "gone", "failed"]


@dataclass(frozen=True, slots=True)
class SendResult:
    """What happened to a proactive send: sent, retry later, blocked/gone (stop), or failed.

    `retry_after` is the delay the platform asked for (seconds); `new_chat` is set when the chat
    moved (Telegram ChatMigrated); `message_ids` are the platform ids of what was sent.
    """

    status: SendStatus
    reason: str = ""
    retry_after: float | None = None
    new_chat: str | None = None
    message_ids: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the message reached the platform."""
        return self.status == "sent"


def clean_text(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and surrounding blanks."""
    return "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f")).strip()
