"""Telegram's HTML parse mode as the fake Bot API checks it: allowed tags, entities, lengths."""

from __future__ import annotations

import html
import re

_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "a",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)((?:\s[^<>]*)?)>")
_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


class HtmlError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"."""


def parse_telegram_html(text: str) -> str:
    """The plain text Telegram would show for `text` in HTML parse mode, or `HtmlError`."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            m = _TAG_RE.match(text, pos)
            if m is None:
                raise HtmlError(f"unexpected '<' at byte offset {pos}")
            closing, name = m.group(1) == "/", m.group(2).lower()
            if name not in _ALLOWED_TAGS:
                raise HtmlError(f'unsupported start tag "{name}" at byte offset {pos}')
            if closing:
                if not stack or stack[-1] != name:
                    raise HtmlError(f"unmatched end tag at byte offset {pos}, expected </{name}>")
                stack.pop()
            else:
                stack.append(name)
            pos = m.end()
            continue
        if ch == "&":
            m = _ENTITY_RE.match(text, pos)
            if m is None:
                raise HtmlError(f"unsupported entity at byte offset {pos}")
            out.append(html.unescape(m.group()))
            pos = m.end()
            continue
        if ch == ">":
            raise HtmlError(f"unexpected '>' at byte offset {pos}")
        out.append(ch)
        pos += 1
    if stack:
        raise HtmlError(f'can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2
