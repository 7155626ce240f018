"""Render captured flows (from `capture.py`) as HTML that looks like each client, and as PNG.

Slack: Block Kit (header, section with fields and accessory, context, actions with buttons,
primary and danger styles, static_select, overflow, divider, image), mrkdwn (bold, italic,
strike, code, code blocks, quotes, links, mentions), ephemeral messages ("Only visible to you")
and the App Home tab. Telegram: chat bubbles with its HTML subset (``b i u s code pre a
tg-spoiler blockquote`` and ``blockquote expandable``), inline keyboards in rows, quiz polls and
the pop-ups of button answers. People's actions that do not show in the chat (a press, a slash
command) are drawn as dashed notes.

Each flow becomes ``<name>.html`` and, with headless Chromium, ``<name>.png`` (cropped to its
content with matplotlib's PNG reader, already a dependency). Chromium is a docs tool here, not a
dependency of the tests: ``apt-get install -y chromium fonts-noto-color-emoji``. Usage::

    .venv/bin/python docs/mockups/render.py /tmp/mockups [--html-only] [--expand]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

PAGE_BG = (238, 240, 243)
PAGE_BG_CSS = "rgb(238,240,243)"
MAX_HEIGHT = 16_000

# -- shared ---------------------------------------------------------------------------------------


@dataclass
class Item:
    """One thing in a chat pane: a message, a note, a pop-up; `data` is what its kind needs."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    edited: bool = False
    removed: bool = False


@dataclass
class Pane:
    """One chat (or the App Home tab) as a column of items."""

    key: str
    title: str
    subtitle: str = ""
    items: list[Item] = field(default_factory=list)

    def add(self, item: Item) -> Item:
        """Append `item` and return it."""
        self.items.append(item)
        return item


class Panes:
    """The panes of one flow, in the order they first appear."""

    def __init__(self, titles: dict[str, str], subtitle_of: dict[str, str] | None = None) -> None:
        self.titles = titles
        self.subtitles = subtitle_of or {}
        self.panes: dict[str, Pane] = {}

    def get(self, key: str) -> Pane:
        """The pane of `key`, made on first use."""
        if key not in self.panes:
            title = self.titles.get(key, key)
            self.panes[key] = Pane(key, title, self.subtitles.get(key, ""))
        return self.panes[key]


def note(pane: Pane, text: str, after: Item | None = None) -> None:
    """A dashed note: something a person did that the chat itself does not show.

    A press goes right under the message pressed (and its earlier notes), since the message
    may have changed since and what followed may be far below.
    """
    item = Item("note", {"text": text})
    if after is None or after not in pane.items:
        pane.add(item)
        return
    at = pane.items.index(after) + 1
    while at < len(pane.items) and pane.items[at].kind == "note":
        at += 1
    pane.items.insert(at, item)


def esc(text: str) -> str:
    """HTML-escape `text` (quotes too)."""
    return html.escape(text, quote=True)


# -- Slack mrkdwn ---------------------------------------------------------------------------------

_SLACK_ENTITY = re.compile(r"<([^<>]+)>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")
_PRE = re.compile(r"```(.+?)```", re.S)


def _slack_entity(body: str, people: dict[str, str]) -> str:
    """A ``<...>`` entity: a link, a mention, a channel or a special mention."""
    target, _, label = body.partition("|")
    if target.startswith("@"):
        return f'<span class="sk-mention">@{esc(people.get(target[1:], target[1:]))}</span>'
    if target.startswith("#"):
        return f'<span class="sk-mention">#{esc(label or target[1:])}</span>'
    if target.startswith("!"):
        return f'<span class="sk-mention">@{esc(label or target[1:].split("^")[0])}</span>'
    shown = html.unescape(label or target)
    return f'<a class="sk-link" href="{esc(html.unescape(target))}">{esc(shown)}</a>'


def _inline(text: str) -> str:
    """Bold, italic and strike on already escaped text (code spans are placeholders here)."""
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = _ITALIC.sub(r"<i>\1</i>", text)
    return _STRIKE.sub(r"<s>\1</s>", text)


def mrkdwn(text: str, people: dict[str, str] | None = None) -> str:
    """Slack mrkdwn as HTML, the way the Slack client shows it."""
    people = people or {}
    stash: list[str] = []

    def keep(fragment: str) -> str:
        stash.append(fragment)
        return f"\x00{len(stash) - 1}\x00"

    text = _PRE.sub(lambda m: keep(f'<pre class="sk-pre">{esc(html.unescape(m[1]))}</pre>'), text)
    text = _CODE.sub(
        lambda m: keep(f'<code class="sk-code">{esc(html.unescape(m[1]))}</code>'), text
    )
    text = _SLACK_ENTITY.sub(lambda m: keep(_slack_entity(m[1], people)), text)
    lines = []
    for line in esc(html.unescape(text)).split("\n"):
        if line.startswith("&gt; ") or line == "&gt;":
            lines.append(f'<span class="sk-quote">{_inline(line[5:])}</span>')
        else:
            lines.append(_inline(line))
    out = "<br>".join(lines)
    return re.sub("\x00(\\d+)\x00", lambda m: stash[int(m[1])], out)


def slack_text(obj: dict[str, Any] | None, people: dict[str, str]) -> str:
    """A Block Kit text object (mrkdwn or plain_text) as HTML."""
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), people)
    return esc(str(obj.get("text", ""))).replace("\n", "<br>")


# -- Slack Block Kit ------------------------------------------------------------------------------


def sk_element(element: dict[str, Any], people: dict[str, str]) -> str:
    """An interactive element (button, select, overflow, image, other) as HTML."""
    kind = element.get("type")
    if kind == "button":
        style = element.get("style", "")
        label = slack_text(element.get("text"), people)
        url = " ↗" if element.get("url") else ""
        return f'<span class="sk-button {esc(style)}">{label}{url}</span>'
    if kind in ("static_select", "external_select", "users_select", "conversations_select"):
        shown = element.get("initial_option", {}).get("text") or element.get("placeholder")
        options = element.get("options") or [
            o for g in element.get("option_groups", []) for o in g.get("options", [])
        ]
        title = " | ".join(str(o.get("text", {}).get("text", "")) for o in options)
        return (
            f'<span class="sk-select" title="{esc(title)}">{slack_text(shown, people)}'
            f' <span class="sk-caret">▾</span></span>'
        )
    if kind == "overflow":
        return '<span class="sk-overflow">⋮</span>'
    if kind == "image":
        return f'<span class="sk-img-small" title="{esc(element.get("alt_text", ""))}">🖼</span>'
    if kind in ("mrkdwn", "plain_text"):
        return slack_text(element, people)
    return f'<span class="sk-select">{esc(str(kind))}</span>'


def sk_section(block: dict[str, Any], people: dict[str, str]) -> str:
    """A section block: text, fields in two columns, and an accessory on the right."""
    body = f'<div class="sk-text">{slack_text(block.get("text"), people)}</div>'
    if block.get("fields"):
        cells = "".join(
            f'<div class="sk-field">{slack_text(f, people)}</div>' for f in block["fields"]
        )
        body += f'<div class="sk-fields">{cells}</div>'
    accessory = block.get("accessory")
    extra = f'<div class="sk-accessory">{sk_element(accessory, people)}</div>' if accessory else ""
    return f'<div class="sk-section">{body}{extra}</div>'


def sk_rich_text(block: dict[str, Any]) -> str:
    """A rich_text block, flattened to its text."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                parts.append(str(node.get("text", "")))
            for value in node.get("elements", []):
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(block)
    return f'<div class="sk-text">{esc("".join(parts)).replace(chr(10), "<br>")}</div>'


def sk_block(block: dict[str, Any], people: dict[str, str]) -> str:
    """One Block Kit block as HTML."""
    kind = block.get("type")
    if kind == "header":
        return f'<div class="sk-header">{slack_text(block.get("text"), people)}</div>'
    if kind == "section":
        return sk_section(block, people)
    if kind == "context":
        inner = " ".join(sk_element(e, people) for e in block.get("elements", []))
        return f'<div class="sk-context">{inner}</div>'
    if kind == "actions":
        inner = "".join(sk_element(e, people) for e in block.get("elements", []))
        return f'<div class="sk-actions">{inner}</div>'
    if kind == "divider":
        return '<hr class="sk-divider">'
    if kind == "image":
        alt = esc(str(block.get("alt_text", "image")))
        return f'<div class="sk-image">🖼 {alt}</div>'
    if kind == "rich_text":
        return sk_rich_text(block)
    if kind == "markdown":
        return f'<div class="sk-text">{mrkdwn(str(block.get("text", "")), people)}</div>'
    return f'<div class="sk-unknown">[{esc(str(kind))} block]</div>'


def sk_blocks(blocks: list[dict[str, Any]], fallback: str, people: dict[str, str]) -> str:
    """A message's blocks, or its text when it has none (as Slack shows it)."""
    if not blocks:
        return f'<div class="sk-text">{mrkdwn(fallback, people)}</div>'
    return "".join(sk_block(b, people) for b in blocks)


# -- Slack: the flow ------------------------------------------------------------------------------


class SlackFlow:
    """Replays a Slack transcript into panes: channels, DMs and App Home."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.people: dict[str, str] = data["people"]
        titles = dict(data["chats"])
        subtitles = {
            k: f"direct message with {self.people.get(k[1:], k[1:])}"
            for k in titles
            if k.startswith("D")
        }
        self.panes = Panes(titles, subtitles)
        self.by_ts: dict[tuple[str, str], Item] = {}
        self.by_event: dict[int, Item] = {}
        self.origins: dict[str, dict[str, Any]] = {}  # response URL key -> slash or press
        for index, event in enumerate(data["events"]):
            if event["kind"] == "user":
                self.user(event)
            else:
                self.bot(index, event)

    def name(self, user: str | None) -> str:
        """A person's name."""
        return self.people.get(user or "", user or "someone")

    def user(self, event: dict[str, Any]) -> None:
        """Something a person did."""
        action = event["action"]
        if event.get("key"):
            self.origins[event["key"]] = event
        pane = self.panes.get(event["chat"])
        who = self.name(event.get("user"))
        if action == "slash":
            note(pane, f"{who} runs /termcoach {event['text']}")
        elif action == "text":
            pane.add(Item("user", {"user": who, "text": event["text"]}))
        elif action == "press":
            pressed = self.by_event.get(event.get("target", -1))
            note(pane, f"{who} presses “{event['label']}”", pressed)
        elif action == "open_home":
            note(pane, f"{who} opens the App Home tab")
        elif action == "note":
            note(pane, event["text"])

    def message(self, params: dict[str, Any], **extra: Any) -> Item:
        """A bot message item from a call's parameters."""
        data = {
            "blocks": params.get("blocks") or [],
            "text": str(params.get("text") or ""),
            "thread": bool(params.get("thread_ts")),
            **extra,
        }
        return Item("bot", data)

    def bot(self, index: int, event: dict[str, Any]) -> None:
        """A payload the bot sent."""
        method, params = event["method"], event["params"]
        response = event.get("response") or {}
        if method == "chat.postMessage":
            item = self.panes.get(params["channel"]).add(self.message(params))
            self.by_ts[(params["channel"], str(response.get("ts", "")))] = item
            self.by_event[index] = item
        elif method == "chat.postEphemeral":
            who = self.name(params.get("user"))
            item = self.panes.get(params["channel"]).add(self.message(params, ephemeral=who))
            self.by_event[index] = item
        elif method == "chat.update":
            self.update(self.by_ts.get((params["channel"], str(params.get("ts")))), params)
        elif method == "chat.delete":
            gone = self.by_ts.get((params["channel"], str(params.get("ts"))))
            if gone is not None:
                gone.removed = True
        elif method == "response_url":
            self.response(index, event)
        elif method == "views.publish":
            pane = self.panes.get("home:" + str(params.get("user_id")))
            pane.items = [i for i in pane.items if i.kind != "home"]
            pane.add(Item("home", {"blocks": params.get("view", {}).get("blocks", [])}))
        elif method == "files.completeUploadExternal":
            channel = str(params.get("channel_id", ""))
            titles = [str(f.get("title", "file")) for f in params.get("files") or []]
            self.panes.get(channel).add(Item("file", {"titles": titles}))

    def update(self, item: Item | None, params: dict[str, Any]) -> None:
        """Replace a message's content in place."""
        if item is None:
            return
        new = params.get("blocks") or []
        if not any(b.get("type") == "actions" for b in new):
            gone = [b for b in item.data["blocks"] if b.get("type") == "actions"]
            item.data["removed"] = item.data.get("removed") or gone
        item.data["blocks"] = new
        item.data["text"] = str(params.get("text") or "")
        item.edited = True

    def response(self, index: int, event: dict[str, Any]) -> None:
        """A post to a response URL: replaces the pressed message, or adds one."""
        params = event["params"]
        origin = self.origins.get(str(event.get("key")), {})
        pressed = self.by_event.get(origin.get("target", -1))
        if params.get("delete_original") and pressed is not None:
            pressed.removed = True
            return
        if params.get("replace_original") and pressed is not None:
            self.update(pressed, params)
            if params.get("response_type") == "in_channel":
                pressed.data.pop("ephemeral", None)
            return
        chat = origin.get("chat", "?")
        ephemeral = params.get("response_type", "ephemeral") != "in_channel"
        extra = {"ephemeral": self.name(origin.get("user"))} if ephemeral else {}
        item = self.panes.get(chat).add(self.message(params, **extra))
        self.by_event[index] = item


def slack_item(item: Item, people: dict[str, str]) -> str:
    """One Slack pane item as HTML."""
    if item.kind == "note":
        return f'<div class="note">{esc(item.data["text"])}</div>'
    if item.kind == "user":
        initial = esc(item.data["user"][:1])
        body = mrkdwn(esc(item.data["text"]), people)
        return (
            f'<div class="sk-msg"><div class="sk-avatar user">{initial}</div><div class="sk-body">'
            f'<div class="sk-name">{esc(item.data["user"])} <span class="sk-time">9:01 AM</span>'
            f'</div><div class="sk-text">{body}</div></div></div>'
        )
    if item.kind == "home":
        return f'<div class="sk-home">{sk_blocks(item.data["blocks"], "", people)}</div>'
    if item.kind == "file":
        return f'<div class="sk-file">📎 {esc(", ".join(item.data["titles"]))}</div>'
    ephemeral = item.data.get("ephemeral")
    top = (
        f'<div class="sk-ephemeral">👁 Only visible to you <span>({esc(ephemeral)})</span></div>'
        if ephemeral
        else ""
    )
    thread = '<div class="sk-thread">in a thread</div>' if item.data.get("thread") else ""
    edited = ' <span class="sk-edited">(edited)</span>' if item.edited else ""
    blocks = sk_blocks(item.data["blocks"], item.data["text"], people)
    if item.data.get("removed"):
        gone = "".join(sk_block(b, people) for b in item.data["removed"])
        blocks += f'<div class="ghost"><small>buttons before the update</small>{gone}</div>'
    cls = "sk-msg eph" if ephemeral else "sk-msg"
    return (
        f'<div class="{cls}">{top}<div class="sk-row"><div class="sk-avatar bot">tc</div>'
        f'<div class="sk-body"><div class="sk-name">termcoach <span class="sk-app">APP</span> '
        f'<span class="sk-time">9:00 AM</span>{edited}</div>{thread}{blocks}</div></div></div>'
    )


def slack_pane(pane: Pane, people: dict[str, str]) -> str:
    """One Slack pane (a channel, a DM or App Home) as HTML."""
    home = pane.key.startswith("home:")
    items = "".join(slack_item(i, people) for i in pane.items if not i.removed)
    title = esc(pane.title)
    sub = f'<div class="sk-sub">{esc(pane.subtitle)}</div>' if pane.subtitle else ""
    tabs = (
        '<div class="sk-tabs"><span class="on">Home</span><span>Messages</span>'
        "<span>About</span></div>"
        if home
        else ""
    )
    cls = "pane slack home" if home else "pane slack"
    return (
        f'<div class="{cls}"><div class="sk-top"><b>{title}</b>{sub}{tabs}</div>'
        f'<div class="sk-items">{items}</div></div>'
    )


# -- Telegram HTML --------------------------------------------------------------------------------

_TG_TAGS = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
}


class TelegramHtml(HTMLParser):
    """Telegram's HTML subset to browser HTML; anything else shows as the raw text it is."""

    def __init__(self, expand: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.expand = expand
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a supported tag; show an unsupported one as text."""
        found = dict(attrs)
        opening, closing = self._translate(tag, found)
        if not closing:
            self.out.append(f'<span class="raw">{esc(self.get_starttag_text() or tag)}</span>')
            return
        self.out.append(opening)
        self.open.append(closing)

    def _translate(self, tag: str, found: dict[str, str | None]) -> tuple[str, str]:
        """The browser's opening tag and the name that closes it ('' when unsupported)."""
        if tag in _TG_TAGS:
            extra = ' class="tg-code"' if tag == "code" else ""
            return f"<{_TG_TAGS[tag]}{extra}>", _TG_TAGS[tag]
        if tag == "a":
            return f'<a class="tg-link" href="{esc(found.get("href") or "")}">', "a"
        if tag == "tg-spoiler" or (tag == "span" and found.get("class") == "tg-spoiler"):
            return '<span class="tg-spoiler">', "span"
        if tag == "blockquote":
            if "expandable" in found:
                state = "open" if self.expand else "closed"
                return f'<blockquote class="tg-quote expandable {state}">', "blockquote"
            return '<blockquote class="tg-quote">', "blockquote"
        if tag == "tg-emoji":
            return "<span>", "span"
        return "", ""

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open tag."""
        if self.open:
            closing = self.open.pop()
            if closing == "blockquote":
                self.out.append('<span class="tg-chevron">⌄</span>')
            self.out.append(f"</{closing}>")
        else:
            self.out.append(f'<span class="raw">&lt;/{esc(tag)}&gt;</span>')

    def handle_data(self, data: str) -> None:
        """Text, escaped again for the browser."""
        self.out.append(esc(data))


def telegram_html(text: str, expand: bool = False) -> str:
    """A Telegram message text (parse_mode HTML) as browser HTML."""
    parser = TelegramHtml(expand)
    parser.feed(text)
    parser.close()
    return "".join(parser.out) + "".join(f"</{t}>" for t in reversed(parser.open))


# -- Telegram: the flow ---------------------------------------------------------------------------


class TelegramFlow:
    """Replays a Telegram transcript into panes: groups and private chats."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.people: dict[str, str] = data["people"]
        titles = dict(data["chats"])
        subtitles = {
            k: f"bot · private chat with {self.people.get(k, k)}"
            for k in titles
            if not k.startswith("-")
        }
        subtitles.update({k: "group · 3 members" for k in titles if k.startswith("-")})
        self.panes = Panes(titles, subtitles)
        self.by_id: dict[tuple[str, int], Item] = {}
        self.presses: dict[str, dict[str, Any]] = {}
        for event in data["events"]:
            if event["kind"] == "user":
                self.user(event)
            else:
                self.bot(event)

    def user(self, event: dict[str, Any]) -> None:
        """Something a person did."""
        pane = self.panes.get(event["chat"])
        who = self.people.get(str(event.get("user")), str(event.get("user")))
        action = event["action"]
        if action == "text":
            group = event["chat"].startswith("-")
            pane.add(Item("user", {"user": who, "text": event["text"], "group": group}))
        elif action == "press":
            self.presses[str(event.get("callback_id"))] = event
            pressed = self.by_id.get((event["chat"], int(event.get("message_id") or 0)))
            note(pane, f"{who} presses “{event['label']}”", pressed)
        elif action == "vote":
            note(pane, f"{who} votes option {int(event['option']) + 1}")
            poll = self.by_id.get((event["chat"], int(event["message_id"])))
            if poll is not None:
                poll.data["voted"] = int(event["option"])
        elif action == "note":
            note(pane, event["text"])

    def bot(self, event: dict[str, Any]) -> None:
        """A payload the bot sent."""
        method, params = event["method"], event["params"]
        chat = str(params.get("chat_id", ""))
        key = (chat, int(params.get("message_id") or 0))
        result = event.get("result") or {}
        if method == "sendMessage":
            item = Item(
                "bot", {"text": params.get("text", ""), "markup": params.get("reply_markup")}
            )
            self.by_id[(chat, int(result.get("message_id") or 0))] = self.panes.get(chat).add(item)
        elif method == "sendPhoto":
            item = Item("photo", {"text": params.get("caption", ""), "markup": None})
            self.by_id[(chat, int(result.get("message_id") or 0))] = self.panes.get(chat).add(item)
        elif method == "sendPoll":
            item = Item("poll", {**params, "voted": None})
            self.by_id[(chat, int(result.get("message_id") or 0))] = self.panes.get(chat).add(item)
        elif method == "editMessageText" and key in self.by_id:
            target = self.by_id[key]
            self.keep_keyboard(target, params.get("reply_markup"))
            target.data.update(text=params.get("text", ""), markup=params.get("reply_markup"))
            target.edited = True
        elif method == "editMessageReplyMarkup" and key in self.by_id:
            self.keep_keyboard(self.by_id[key], params.get("reply_markup"))
            self.by_id[key].data["markup"] = params.get("reply_markup")
        elif method == "stopPoll" and key in self.by_id:
            self.by_id[key].data["closed"] = True
        elif method == "deleteMessage" and key in self.by_id:
            self.by_id[key].removed = True
        elif method == "answerCallbackQuery" and (params.get("text") or params.get("url")):
            press = self.presses.get(str(params.get("callback_query_id")), {})
            pane = self.panes.get(str(press.get("chat", chat)))
            # A url answer opens the bot's private chat at once (a deep link): say where.
            text = params.get("text") or f"Opens the private chat: {params['url']}"
            pane.add(Item("toast", {"text": text, "alert": params.get("show_alert")}))

    @staticmethod
    def keep_keyboard(item: Item, markup: dict[str, Any] | None) -> None:
        """Remember the first keyboard an edit took away, to draw it faded."""
        if not markup and item.data.get("markup") and not item.data.get("removed"):
            item.data["removed"] = item.data["markup"]


def tg_keyboard(markup: dict[str, Any] | None) -> str:
    """An inline keyboard, one row per row."""
    rows = (markup or {}).get("inline_keyboard") or []
    out = []
    for row in rows:
        cells = "".join(
            f'<span class="tg-key">{esc(str(b.get("text", "")))}'
            f"{' ↗' if b.get('url') else ''}</span>"
            for b in row
        )
        out.append(f'<div class="tg-row">{cells}</div>')
    return f'<div class="tg-keyboard">{"".join(out)}</div>' if out else ""


def tg_poll(data: dict[str, Any]) -> str:
    """A quiz poll, with its result once somebody voted."""
    options = [o["text"] if isinstance(o, dict) else str(o) for o in data.get("options") or []]
    ids = data.get("correct_option_ids") or [data.get("correct_option_id")]
    correct = ids[0] if ids else None
    voted = data.get("voted")
    rows = []
    for i, option in enumerate(options):
        mark, cls = "○", ""
        if voted is not None:
            if i == correct:
                mark, cls = "✓", "right"
            elif i == voted:
                mark, cls = "✗", "wrong"
        share = "100%" if voted == i else "0%"
        pct = f'<span class="tg-pct">{share}</span>' if voted is not None else ""
        rows.append(f'<div class="tg-option {cls}"><span>{mark}</span>{pct} {esc(option)}</div>')
    kind = "Quiz" if data.get("type") == "quiz" else "Poll"
    anonymous = "Anonymous " if data.get("is_anonymous", True) else ""
    explanation = ""
    if voted is not None and data.get("explanation"):
        explanation = f'<div class="tg-expl">💡 {telegram_html(str(data["explanation"]))}</div>'
    return (
        f'<div class="tg-poll"><div class="tg-poll-kind">{anonymous}{kind}</div>'
        f'<div class="tg-poll-q">{esc(str(data.get("question", "")))}</div>{"".join(rows)}'
        f"{explanation}</div>"
    )


def telegram_item(item: Item, expand: bool) -> str:
    """One Telegram pane item as HTML."""
    if item.kind == "note":
        return f'<div class="note">{esc(item.data["text"])}</div>'
    if item.kind == "toast":
        cls = "tg-alert" if item.data.get("alert") else "tg-toast"
        label = "alert" if item.data.get("alert") else "pop-up"
        return f'<div class="{cls}"><small>{label}</small>{esc(item.data["text"])}</div>'
    if item.kind == "user":
        name = (
            f'<div class="tg-sender">{esc(item.data["user"])}</div>' if item.data["group"] else ""
        )
        return (
            f'<div class="tg-line out"><div class="tg-bubble out">{name}'
            f'{esc(item.data["text"])}<span class="tg-meta">9:01 ✓✓</span></div></div>'
        )
    if item.kind == "poll":
        return f'<div class="tg-line"><div class="tg-bubble">{tg_poll(item.data)}</div></div>'
    photo = '<div class="tg-photo">🖼 picture</div>' if item.kind == "photo" else ""
    edited = "edited " if item.edited else ""
    body = telegram_html(str(item.data.get("text", "")), expand)
    removed = ""
    if item.data.get("removed"):
        keys = tg_keyboard(item.data["removed"])
        removed = f'<div class="ghost"><small>buttons before the edit</small>{keys}</div>'
    return (
        f'<div class="tg-line"><div class="tg-msg"><div class="tg-bubble">{photo}{body}'
        f'<span class="tg-meta">{edited}9:00</span></div>{tg_keyboard(item.data.get("markup"))}'
        f"{removed}</div></div>"
    )


def telegram_pane(pane: Pane, expand: bool) -> str:
    """One Telegram chat as HTML."""
    items = "".join(telegram_item(i, expand) for i in pane.items if not i.removed)
    return (
        f'<div class="pane telegram"><div class="tg-top"><div class="tg-avatar">'
        f'{esc(pane.title[:1])}</div><div><b>{esc(pane.title)}</b><div class="tg-sub">'
        f'{esc(pane.subtitle)}</div></div></div><div class="tg-items">{items}</div></div>'
    )


# -- the page -------------------------------------------------------------------------------------

CSS = """
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; background: PAGEBG; font: 15px/1.4 Lato, 'Liberation Sans', 'DejaVu Sans',
  'Noto Color Emoji', sans-serif; color: #1d1c1d; }
h1 { font-size: 17px; margin: 0 0 12px; color: #333; }
.panes { display: flex; gap: 16px; align-items: flex-start; }
.pane { border-radius: 10px; overflow: hidden; box-shadow: 0 1px 4px rgba(0,0,0,.18); flex: none; }
.note { margin: 8px 12px; padding: 4px 10px; border: 1.5px dashed #8a8a8a; border-radius: 6px;
  color: #555; font-size: 12.5px; font-style: italic; background: rgba(255,255,230,.85); }
/* Slack */
.pane.slack { width: 600px; background: #fff; }
.pane.slack.home { width: 680px; }
.sk-top { padding: 10px 16px; border-bottom: 1px solid #ddd; font-size: 16px; }
.sk-sub { font-size: 12.5px; color: #616061; }
.sk-tabs { margin-top: 8px; font-size: 13px; color: #616061; }
.sk-tabs span { margin-right: 16px; padding-bottom: 4px; }
.sk-tabs span.on { color: #1d1c1d; font-weight: 700; border-bottom: 2px solid #1264a3; }
.sk-items { padding: 8px 0 12px; }
.sk-msg { padding: 6px 16px; display: flex; gap: 8px; flex-direction: row; }
.sk-msg.eph { flex-direction: column; gap: 2px; background: #f8f8f8; border-left: 3px solid #ccc; }
.sk-row { display: flex; gap: 8px; }
.sk-ephemeral { font-size: 12.5px; color: #616061; }
.sk-ephemeral span { color: #999; }
.sk-avatar { width: 36px; height: 36px; border-radius: 6px; flex: none; color: #fff;
  font-weight: 700; display: flex; align-items: center; justify-content: center; }
.sk-avatar.bot { background: #2eb67d; } .sk-avatar.user { background: #e01e5a; }
.sk-body { flex: 1; min-width: 0; }
.sk-name { font-weight: 900; font-size: 15px; }
.sk-app { font-size: 10px; font-weight: 700; background: #e8e8e8; color: #616061; padding: 1px 3px;
  border-radius: 2px; vertical-align: 2px; }
.sk-time, .sk-edited { font-weight: 400; font-size: 12px; color: #616061; }
.sk-thread { font-size: 12px; color: #1264a3; }
.sk-header { font-size: 18px; font-weight: 900; margin: 4px 0 6px; }
.sk-section { display: flex; gap: 12px; margin: 4px 0; }
.sk-section > .sk-text { flex: 1; }
.sk-text { white-space: normal; overflow-wrap: anywhere; }
.sk-fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 4px; flex: 1; }
.sk-section:has(.sk-fields) { flex-direction: column; }
.sk-context { font-size: 12.5px; color: #616061; margin: 4px 0; }
.sk-actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.sk-button { display: inline-block; border: 1px solid #c4c4c4; border-radius: 4px; padding: 3px 12px;
  font-weight: 700; font-size: 14px; background: #fff; max-width: 100%; }
.sk-button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.sk-button.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.sk-select { display: inline-block; border: 1px solid #c4c4c4; border-radius: 4px; padding: 3px 10px;
  font-size: 14px; color: #616061; min-width: 180px; }
.sk-caret { float: right; margin-left: 8px; }
.sk-overflow { border: 1px solid #c4c4c4; border-radius: 4px; padding: 0 8px; font-weight: 700; }
.sk-divider { border: 0; border-top: 1px solid #ddd; margin: 8px 0; }
.sk-code { font: 12px 'DejaVu Sans Mono', monospace; color: #e01e5a; background: #f6f6f6; border: 1px solid #ddd;
  border-radius: 3px; padding: 0 3px; }
.sk-pre { font: 12px 'DejaVu Sans Mono', monospace; background: #f6f6f6; border: 1px solid #ddd; padding: 8px;
  border-radius: 4px; white-space: pre-wrap; }
.sk-quote { display: inline-block; border-left: 4px solid #ddd; padding-left: 8px; }
.sk-link, .sk-mention { color: #1264a3; }
.sk-mention { background: #e8f5fa; }
.sk-image, .sk-file, .sk-unknown { padding: 8px; background: #f4f4f4; border-radius: 4px;
  margin: 4px 16px; color: #616061; }
.sk-home { padding: 8px 20px; }
/* Telegram */
.pane.telegram { width: 440px; background: #c9dcb5; }
.tg-top { display: flex; gap: 10px; align-items: center; padding: 8px 12px; background: #fff; }
.tg-avatar { width: 38px; height: 38px; border-radius: 50%; background: #5aa3e8; color: #fff;
  display: flex; align-items: center; justify-content: center; font-weight: 700; }
.tg-sub { font-size: 12.5px; color: #8a8a8a; }
.tg-items { padding: 8px 0 14px; }
.tg-line { display: flex; padding: 3px 10px; }
.tg-line.out { justify-content: flex-end; }
.tg-msg { max-width: 90%; }
.tg-bubble { background: #fff; border-radius: 12px; padding: 6px 10px 6px; white-space: pre-wrap;
  overflow-wrap: anywhere; box-shadow: 0 1px 1px rgba(0,0,0,.12); max-width: 100%; }
.tg-line > .tg-bubble { max-width: 90%; }
.tg-bubble.out { background: #effdde; }
.tg-sender { color: #c03d33; font-weight: 600; font-size: 13.5px; }
.tg-meta { float: right; font-size: 11.5px; color: #8a9a8a; margin: 6px 0 -4px 10px; }
.tg-code { font: 13px 'DejaVu Sans Mono', monospace; color: #c03d33; }
.tg-bubble pre { font: 13px 'DejaVu Sans Mono', monospace; background: #f2f2f2; padding: 6px; border-radius: 6px;
  margin: 2px 0; white-space: pre-wrap; }
.tg-link { color: #168acd; }
.tg-spoiler { background: #aaa; color: transparent; border-radius: 3px; }
.tg-quote { margin: 3px 0; padding: 2px 22px 2px 8px; border-left: 3px solid #5aa3e8;
  background: #eef6fd; border-radius: 4px; position: relative; white-space: pre-wrap; }
.tg-quote.expandable.closed { max-height: 4.3em; overflow: hidden; }
.tg-chevron { position: absolute; right: 5px; bottom: 0; color: #5aa3e8; font-weight: 700; }
.tg-quote:not(.expandable) .tg-chevron { display: none; }
.ghost { opacity: .45; border: 1.5px dashed #777; border-radius: 8px; padding: 2px 6px 6px;
  margin-top: 4px; }
.ghost small { display: block; font-size: 11px; font-style: italic; color: #333; }
.raw { color: #c00; background: #fee; }
.tg-keyboard { margin-top: 3px; }
.tg-row { display: flex; gap: 3px; margin-top: 3px; }
.tg-key { flex: 1; text-align: center; background: rgba(60,90,50,.45); color: #fff; font-weight: 600;
  font-size: 14px; padding: 7px 6px; border-radius: 8px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; min-width: 0; }
.tg-toast { overflow-wrap: anywhere; margin: 6px auto; width: 80%; background: rgba(30,30,30,.85); color: #fff;
  border-radius: 10px; padding: 8px 12px; font-size: 14px; }
.tg-alert { margin: 6px auto; width: 80%; background: #fff; border-radius: 10px; padding: 10px 14px;
  box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.tg-toast small, .tg-alert small { display: block; font-size: 10.5px; opacity: .7; }
.tg-poll-kind { font-size: 12.5px; color: #8a8a8a; }
.tg-poll-q { font-weight: 700; margin: 2px 0 6px; white-space: normal; }
.tg-option { padding: 4px 0; white-space: normal; } .tg-option span { margin-right: 6px; }
.tg-option.right span:first-child { color: #2eaa3c; } .tg-option.wrong span:first-child { color: #d33; }
.tg-pct { font-weight: 700; font-size: 12px; }
.tg-expl { font-size: 13px; color: #555; margin-top: 4px; white-space: normal; }
.tg-photo { background: #ddd; height: 120px; border-radius: 8px; display: flex;
  align-items: center; justify-content: center; color: #777; margin-bottom: 4px; }
""".replace("PAGEBG", PAGE_BG_CSS)


def page(data: dict[str, Any], expand: bool = False) -> str:
    """The whole HTML page of one captured flow."""
    if data["platform"] == "slack":
        slack = SlackFlow(data)
        panes = "".join(slack_pane(p, slack.people) for p in slack.panes.panes.values())
    else:
        telegram = TelegramFlow(data)
        panes = "".join(telegram_pane(p, expand) for p in telegram.panes.panes.values())
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{esc(data['title'])}</title><style>{CSS}</style></head><body>"
        f'<h1>{esc(data["title"])}</h1><div class="panes">{panes}</div></body></html>\n'
    )


def pane_widths(data: dict[str, Any]) -> list[int]:
    """The width of each pane, to size the window."""
    if data["platform"] == "slack":
        keys = SlackFlow(data).panes.panes
        return [680 if k.startswith("home:") else 600 for k in keys]
    return [440 for _ in TelegramFlow(data).panes.panes]


def estimate_height(data: dict[str, Any]) -> int:
    """A generous guess at the page height (the screenshot is cropped afterwards)."""
    text = json.dumps(data["events"], ensure_ascii=False)
    return min(MAX_HEIGHT, 600 + len(text) // 4)


# -- screenshots ----------------------------------------------------------------------------------


def chromium() -> str | None:
    """The Chromium binary, if one is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def crop(png: Path) -> bool:
    """Cut the empty page background off the bottom; False when the content reached the end."""
    # matplotlib reads and writes PNG with numpy, and is already a dependency (charts).
    import matplotlib.image as mpimg  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    pixels = mpimg.imread(png)
    rgb = (pixels[:, :, :3] * 255).round().astype(int)
    background = np.all(np.all(rgb == np.array(PAGE_BG), axis=2), axis=1)
    content = np.nonzero(~background)[0]
    if content.size == 0:
        return True
    last = int(content[-1])
    if last >= rgb.shape[0] - 2:
        return False
    mpimg.imsave(png, pixels[: last + 17])
    return True


def screenshot(browser: str, page_html: Path, png: Path, width: int, height: int) -> None:
    """Screenshot `page_html` with headless Chromium, growing the window until all of it fits."""
    while True:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            page_html.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        if crop(png) or height >= MAX_HEIGHT:
            return
        height = min(MAX_HEIGHT, height * 2)


def render(folder: Path, *, pictures: bool = True, expand: bool = False) -> list[Path]:
    """Write ``<name>.html`` (and ``<name>.png`` with `pictures`) for every JSON in `folder`."""
    browser = chromium() if pictures else None
    if pictures and browser is None:
        raise SystemExit(
            "no Chromium found: apt-get install -y chromium fonts-noto-color-emoji "
            "(or use --html-only)"
        )
    made = []
    for source in sorted(folder.glob("*.json")):
        data = json.loads(source.read_text())
        target = source.with_suffix(".html")
        target.write_text(page(data, expand))
        made.append(target)
        if browser is not None:
            png = source.with_suffix(".png")
            width = sum(pane_widths(data)) + 16 * (len(pane_widths(data)) + 1) + 16
            screenshot(browser, target, png, width, estimate_height(data))
            made.append(png)
    return made


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and render."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path, help="the folder capture.py wrote")
    parser.add_argument("--html-only", action="store_true", help="no screenshots")
    parser.add_argument("--expand", action="store_true", help="open expandable quotes")
    args = parser.parse_args(argv)
    for path in render(args.folder, pictures=not args.html_only, expand=args.expand):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
