"""The fake Bot API's message methods: what it sends, edits and checks, as Telegram would.

`MessageMethods` is mixed into `FakeTelegram`; it keeps the messages and polls the bot "sent" so
edits behave like Telegram's, and refuses what Telegram refuses (bad HTML, texts over the limit,
invalid buttons and polls) with the same descriptions. `Failure` scripts an error answer.
"""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass
from typing import Any

from adapters.telegram.limits import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    POLL_EXPLANATION_LIMIT,
    POLL_MAX_OPTIONS,
    POLL_MIN_OPTIONS,
    POLL_OPTION_LIMIT,
    POLL_QUESTION_LIMIT,
    TEXT_LIMIT,
)
from tests.fakes.telegram_html import HtmlError, parse_telegram_html, utf16_len
from tests.fakes.telegram_updates import TelegramUpdates


@dataclass(frozen=True)
class Failure:
    """A scripted error answer: HTTP status, Telegram description and optional parameters."""

    status: int
    description: str
    parameters: dict[str, Any] | None = None
    # Seconds to hold the request before answering (a hang): the call is not carried out.
    delay_s: float = 0.0

    @classmethod
    def retry_after(cls, seconds: int = 1) -> Failure:
        """429 Too Many Requests with ``retry_after``."""
        return cls(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    @classmethod
    def server_error(cls) -> Failure:
        """500 Internal Server Error (python-telegram-bot raises a `NetworkError`)."""
        return cls(500, "Internal Server Error")

    @classmethod
    def hang(cls, seconds: float) -> Failure:
        """Hold the request for `seconds`, then 502: a Bot API that stopped answering."""
        return cls(502, "Bad Gateway", delay_s=seconds)

    @classmethod
    def blocked(cls) -> Failure:
        """403: the user blocked the bot."""
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def never_started(cls) -> Failure:
        """403: the user never started the bot, so it may not write to them."""
        return cls(403, "Forbidden: bot can't initiate conversation with a user")

    @classmethod
    def kicked(cls) -> Failure:
        """403: the bot was removed from the group."""
        return cls(403, "Forbidden: bot was kicked from the group chat")

    @classmethod
    def chat_not_found(cls) -> Failure:
        """400: the chat does not exist (any more)."""
        return cls(400, "Bad Request: chat not found")

    @classmethod
    def migrated(cls, new_chat_id: int) -> Failure:
        """400: the group became a supergroup with a new id."""
        return cls(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )

    @classmethod
    def bad_gateway(cls) -> Failure:
        """502, which python-telegram-bot raises as a `NetworkError`."""
        return cls(502, "Bad Gateway")

    @classmethod
    def bad_request(cls, description: str) -> Failure:
        """Any other 400."""
        return cls(400, f"Bad Request: {description}")


class PressRefused(AssertionError):
    """A press on a button that is not on the message now: no Telegram client can send it."""


class ApiError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.description)
        self.failure = failure


class MessageMethods(TelegramUpdates):
    """getMe, getChatMember and the methods that send, edit and answer (``_m_<method>``)."""

    username: str

    def __init__(self, bot_id: int) -> None:
        super().__init__(bot_id)
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.polls: dict[str, dict[str, Any]] = {}
        self.admins: dict[int, set[int]] = {}
        self._poll_ids = itertools.count(5_000_000)

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "termcoach",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user()

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = "administrator" if user_id in self.admins.get(chat_id, set()) else "member"
        member: dict[str, Any] = {"status": status, "user": self.user(user_id)}
        if status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        return member

    def callback_update(
        self, message: dict[str, Any], data: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """A press on a button of a message this fake sent, as it is now (its current keyboard).

        `PressRefused` when the message is gone or its keyboard has no button with `data` (it was
        removed or replaced): Telegram clients only show, and send presses of, current buttons.
        """
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        current = self.messages.get(key)
        if current is None:
            raise PressRefused(f"message {key} does not exist")
        rows = (current.get("reply_markup") or {}).get("inline_keyboard", [])
        if data not in [b.get("callback_data") for row in rows for b in row]:
            raise PressRefused(f"message {key} has no button {data!r} now")
        return super().callback_update(copy.deepcopy(current), data, user_id=user_id)

    def current_buttons(self, chat_id: int, message_id: int) -> list[str]:
        """The labels on a message's keyboard now, row by row flattened."""
        msg = self.messages.get((chat_id, message_id)) or {}
        rows = (msg.get("reply_markup") or {}).get("inline_keyboard", [])
        return [b["text"] for row in rows for b in row]

    def _check_markup(self, params: dict[str, Any]) -> None:
        markup = params.get("reply_markup")
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(Failure.bad_request("BUTTON_DATA_INVALID"))
                if not button.get("text"):
                    raise ApiError(Failure.bad_request("BUTTON_TEXT_EMPTY"))
                if button.get("style") not in (None, "primary", "success", "danger"):
                    raise ApiError(Failure.bad_request("BUTTON_STYLE_INVALID"))

    def _plain(self, text: str, parse_mode: str | None, limit: int, what: str) -> str:
        try:
            plain = parse_telegram_html(text) if parse_mode == "HTML" else text
        except HtmlError as exc:
            raise ApiError(Failure.bad_request(f"can't parse entities: {exc}")) from exc
        if not plain.strip() and what == "message":
            raise ApiError(Failure.bad_request("message text is empty"))
        if utf16_len(plain) > limit:
            raise ApiError(Failure.bad_request(f"{what} is too long"))
        return plain

    def _store(self, chat_id: int, extra: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self._bot_user(),
            **extra,
        }
        if params.get("message_thread_id") is not None:
            msg["message_thread_id"] = int(params["message_thread_id"])
            msg["is_topic_message"] = True
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        plain = self._plain(
            str(params.get("text", "")), params.get("parse_mode"), TEXT_LIMIT, "message"
        )
        self._check_markup(params)
        return self._store(chat_id, {"text": plain}, params)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        caption = str(params.get("caption", ""))
        plain = self._plain(caption, params.get("parse_mode"), CAPTION_LIMIT, "caption")
        self._check_markup(params)
        photo = [{"file_id": "photo1", "file_unique_id": "u1", "width": 640, "height": 480}]
        extra: dict[str, Any] = {"photo": photo}
        if plain:
            extra["caption"] = plain
        return self._store(chat_id, extra, params)

    def _m_sendPoll(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        question = str(params.get("question", ""))
        options = params.get("options") or []
        texts = [o["text"] if isinstance(o, dict) else str(o) for o in options]
        if not 1 <= len(question) <= POLL_QUESTION_LIMIT:
            raise ApiError(Failure.bad_request("POLL_QUESTION_INVALID"))
        if not POLL_MIN_OPTIONS <= len(texts) <= POLL_MAX_OPTIONS:
            raise ApiError(Failure.bad_request("POLL_OPTIONS_COUNT_INVALID"))
        if any(not 1 <= len(t) <= POLL_OPTION_LIMIT for t in texts):
            raise ApiError(Failure.bad_request("POLL_OPTION_LENGTH_INVALID"))
        if len(set(texts)) != len(texts):
            raise ApiError(Failure.bad_request("POLL_OPTION_DUPLICATE"))
        explanation = str(params.get("explanation", ""))
        if explanation:
            plain = self._plain(
                explanation,
                params.get("explanation_parse_mode"),
                POLL_EXPLANATION_LIMIT,
                "explanation",
            )
            if plain.count("\n") > 2:
                raise ApiError(Failure.bad_request("explanation has too many line feeds"))
        poll_type = params.get("type", "regular")
        # Bot API 9.6 replaced correct_option_id with the list correct_option_ids.
        ids = params.get("correct_option_ids")
        if ids is None and params.get("correct_option_id") is not None:
            ids = [params["correct_option_id"]]
        correct = int(ids[0]) if ids else None
        if poll_type == "quiz" and (correct is None or not 0 <= correct < len(texts)):
            raise ApiError(Failure.bad_request("QUIZ_CORRECT_ANSWERS_EMPTY"))
        poll_id = str(next(self._poll_ids))
        poll = {
            "id": poll_id,
            "question": question,
            # Bot API 9.6: every option has a persistent id, which poll answers carry too.
            "options": [
                {"text": t, "voter_count": 0, "persistent_id": f"{poll_id}-{i}"}
                for i, t in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": poll_type,
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        if correct is not None:
            poll["correct_option_ids"] = [correct]
        if explanation:
            poll["explanation"] = explanation
        self.polls[poll["id"]] = poll
        return self._store(chat_id, {"poll": poll}, params)

    def _m_stopPoll(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        msg = self.messages.get(key)
        if msg is None or "poll" not in msg:
            raise ApiError(Failure.bad_request("message with poll to stop not found"))
        msg["poll"]["is_closed"] = True
        return dict(msg["poll"])

    def _find(self, params: dict[str, Any], what: str) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        msg = self.messages.get(key)
        if msg is None:
            raise ApiError(Failure.bad_request(f"message to {what} not found"))
        return msg

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._find(params, "edit")
        if "text" not in msg:
            raise ApiError(Failure.bad_request("there is no text in the message to edit"))
        plain = self._plain(
            str(params.get("text", "")), params.get("parse_mode"), TEXT_LIMIT, "message"
        )
        self._check_markup(params)
        markup = params.get("reply_markup")
        if plain == msg["text"] and markup == msg.get("reply_markup"):
            raise ApiError(Failure.bad_request("message is not modified"))
        msg["text"] = plain
        msg["edit_date"] = int(time.time())
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return msg

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._find(params, "edit")
        self._check_markup(params)
        markup = params.get("reply_markup")
        if markup == msg.get("reply_markup") or (not markup and "reply_markup" not in msg):
            raise ApiError(Failure.bad_request("message is not modified"))
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return msg

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise ApiError(Failure.bad_request("QUERY_ID_INVALID"))
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True
