"""Replies and conversation refs as JSON, so the outbox can keep them until they are delivered.

The encoding is plain JSON (a picture's PNG bytes in base64) and round-trips exactly:
``replies_from_json(replies_to_json(r)) == r``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any, cast

from bot.messages import (
    Choice,
    ConversationRef,
    Folded,
    Handoff,
    Image,
    NativeQuiz,
    Reply,
    ReplyKind,
)


def ref_to_json(ref: ConversationRef) -> dict[str, Any]:
    """A conversation ref as a JSON object."""
    return {
        "platform": ref.platform,
        "workspace": ref.workspace,
        "chat": ref.chat,
        "user": ref.user,
        "thread": ref.thread,
        "scope": ref.scope,
        "thread_is_place": ref.thread_is_place,
    }


def ref_from_json(data: Mapping[str, Any]) -> ConversationRef:
    """The ref `ref_to_json` made."""
    return ConversationRef(
        str(data["platform"]),
        str(data["workspace"]),
        str(data["chat"]),
        str(data["user"]),
        data.get("thread"),
        data.get("scope"),
        bool(data.get("thread_is_place")),
    )


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """One reply as a JSON object (only the fields that differ from their defaults)."""
    data: dict[str, Any] = {"text": reply.text}
    if reply.choices:
        data["choices"] = [
            [c.label, c.payload, 1] if c.primary else [c.label, c.payload] for c in reply.choices
        ]
    if reply.title is not None:
        data["title"] = reply.title
    if reply.kind != "text":
        data["kind"] = reply.kind
    if reply.native_quiz is not None:
        quiz = reply.native_quiz
        data["native_quiz"] = {
            "question": quiz.question,
            "options": list(quiz.options),
            "correct_index": quiz.correct_index,
            "explanation": quiz.explanation,
            "question_id": quiz.question_id,
            "payloads": list(quiz.payloads),
        }
    if reply.image is not None:
        data["image"] = {
            "png": base64.b64encode(reply.image.png).decode("ascii"),
            "filename": reply.image.filename,
            "caption": reply.image.caption,
        }
    if reply.replaces is not None:
        data["replaces"] = reply.replaces
    if reply.private:
        data["private"] = True
    if reply.question_id is not None:
        data["question_id"] = reply.question_id
    _post_fields_to_json(reply, data)
    if reply.handoff is not None:
        handoff = reply.handoff
        data["handoff"] = {
            "command": handoff.command,
            "args": handoff.args,
            "dm": ref_to_json(handoff.dm) if handoff.dm is not None else None,
        }
    return data


def _post_fields_to_json(reply: Reply, data: dict[str, Any]) -> None:
    if reply.shared:
        data["shared"] = True
    for name in ("edits", "flash", "native_text", "retires"):
        value = getattr(reply, name)
        if value is not None:
            data[name] = value
    if reply.instructions:
        data["instructions"] = reply.instructions
    if reply.folded is not None:
        fold = reply.folded
        data["folded"] = {"label": fold.label, "text": fold.text, "payload": fold.payload}


def _choice(item: Any) -> Choice:
    label, payload, *rest = item
    return Choice(str(label), str(payload), primary=bool(rest and rest[0]))


def reply_from_json(data: Mapping[str, Any]) -> Reply:
    """The reply `reply_to_json` made."""
    quiz = data.get("native_quiz")
    image = data.get("image")
    handoff = data.get("handoff")
    return Reply(
        text=str(data.get("text", "")),
        choices=tuple(_choice(item) for item in data.get("choices", ())),
        title=data.get("title"),
        kind=cast(ReplyKind, data.get("kind", "text")),
        native_quiz=NativeQuiz(
            question=quiz["question"],
            options=tuple(quiz["options"]),
            correct_index=int(quiz["correct_index"]),
            explanation=quiz.get("explanation", ""),
            question_id=quiz.get("question_id", ""),
            payloads=tuple(quiz.get("payloads", ())),
        )
        if quiz
        else None,
        image=Image(
            png=base64.b64decode(image["png"]),
            filename=image.get("filename", "chart.png"),
            caption=image.get("caption", ""),
        )
        if image
        else None,
        replaces=data.get("replaces"),
        private=bool(data.get("private", False)),
        question_id=data.get("question_id"),
        shared=bool(data.get("shared", False)),
        edits=data.get("edits"),
        flash=data.get("flash"),
        retires=data.get("retires"),
        instructions=str(data.get("instructions", "")),
        native_text=data.get("native_text"),
        folded=Folded(str(fold["label"]), str(fold["text"]), str(fold["payload"]))
        if (fold := data.get("folded"))
        else None,
        handoff=Handoff(
            command=str(handoff["command"]),
            args=str(handoff.get("args", "")),
            dm=ref_from_json(handoff["dm"]) if handoff.get("dm") else None,
        )
        if handoff
        else None,
    )


def replies_to_json(replies: Iterable[Reply]) -> list[dict[str, Any]]:
    """Replies as a JSON list."""
    return [reply_to_json(r) for r in replies]


def replies_from_json(data: Iterable[Mapping[str, Any]]) -> list[Reply]:
    """The replies `replies_to_json` made."""
    return [reply_from_json(d) for d in data]
