"""Builders of Bot API updates as Telegram sends them (users, chats, messages, presses, votes).

`TelegramUpdates` numbers updates, messages and callback queries the way one Telegram server
does, so the fake server (which also numbers the messages the bot sends) and tests share them.
"""

from __future__ import annotations

import itertools
import time
from typing import Any


class TelegramUpdates:
    """Builds update payloads for the bot `bot_id`; ids come from per-fake counters."""

    def __init__(self, bot_id: int) -> None:
        self.bot_id = bot_id
        self.chats: dict[int, dict[str, Any]] = {}
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_ids = itertools.count(7_000)

    def next_update_id(self) -> int:
        """A fresh update id."""
        return next(self._update_ids)

    def user(self, user_id: int, *, first_name: str | None = None) -> dict[str, Any]:
        """A Telegram User object."""
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
            "language_code": "en",
        }

    def chat(
        self, chat_id: int, *, title: str | None = None, forum: bool = False
    ) -> dict[str, Any]:
        """A Chat object: private for a positive id, supergroup for a negative one."""
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            chat: dict[str, Any] = {
                "id": chat_id,
                "type": "private",
                "first_name": f"User{chat_id}",
            }
        else:
            chat = {"id": chat_id, "type": "supergroup", "title": title or f"Group {chat_id}"}
            if forum:
                chat["is_forum"] = True
        self.chats[chat_id] = chat
        return chat

    def message(
        self,
        text: str,
        *,
        chat_id: int,
        user_id: int | None = None,
        thread_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """A Message object from a user (``user_id`` defaults to the chat id, as in a DM)."""
        uid = user_id if user_id is not None else chat_id
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self.user(uid, first_name=first_name),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if thread_id is not None:
            msg["message_thread_id"] = thread_id
            msg["is_topic_message"] = True
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return msg

    def text_update(self, text: str, *, chat_id: int, **kwargs: Any) -> dict[str, Any]:
        """An update carrying a text message (a command when it starts with ``/``)."""
        return {
            "update_id": self.next_update_id(),
            "message": self.message(text, chat_id=chat_id, **kwargs),
        }

    def callback_update(
        self, message: dict[str, Any], data: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """A button press on `message` (a message this fake sent) carrying `data`."""
        uid = user_id if user_id is not None else message["chat"]["id"]
        return {
            "update_id": self.next_update_id(),
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": self.user(uid),
                "chat_instance": f"ci{message['chat']['id']}",
                "message": message,
                "data": data,
            },
        }

    def poll_answer_update(
        self, poll_id: str, user_id: int, option_ids: list[int]
    ) -> dict[str, Any]:
        """A quiz poll answer (it carries no chat, as on Telegram)."""
        return {
            "update_id": self.next_update_id(),
            "poll_answer": {
                "poll_id": poll_id,
                "user": self.user(user_id),
                "option_ids": option_ids,
                "option_persistent_ids": [f"{poll_id}-{i}" for i in option_ids],
            },
        }

    def member_update(self, chat_id: int, user_id: int, status: str) -> dict[str, Any]:
        """A ``my_chat_member`` update: the bot's status changed (``kicked`` when blocked)."""
        bot = {"id": self.bot_id, "is_bot": True, "first_name": "termcoach"}
        return {
            "update_id": self.next_update_id(),
            "my_chat_member": {
                "chat": self.chat(chat_id),
                "from": self.user(user_id),
                "date": int(time.time()),
                "old_chat_member": {"status": "member", "user": bot},
                "new_chat_member": {"status": status, "user": bot, "until_date": 0},
            },
        }

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)
