"""The debrief's buttons: the model answer with the score's parts, and saving phrases.

They work after the role-play or exercise has ended: the result row keeps the coach's feedback
under the debrief's token (`storage.results.find_result`).
"""

from __future__ import annotations

from bot.coach.brief import brief_for, find_item
from bot.coach.feedback import Feedback, Score
from bot.context import TurnContext
from bot.messages import Reply
from bot.roleplay import debrief, mistakes
from storage import results

EXPIRED = "That debrief is no longer available. Type /roleplay or /exercises to practise again."


async def debrief_action(ctx: TurnContext, rest: str) -> list[Reply]:
    """``rpd:model:<token>``, ``rpd:parts:<token>``, ``rpd:save:<token>``."""
    verb, _, token = rest.partition(":")
    found = await results.find_result(ctx.session, ctx.learner.id, token) if token else None
    item = find_item(ctx.pack, found["item_id"]) if found else None
    if found is None or item is None or "coach" not in found:
        return [Reply(EXPIRED, kind="notice", private=True)]
    brief = brief_for(ctx.pack, item)
    feedback = Feedback.model_validate(found["coach"])
    if verb in ("model", "parts"):
        parts = {k: (int(v[0]), int(v[1])) for k, v in dict(found.get("parts") or {}).items()}
        total = int(found.get("score") or 0)
        result = Score(total=total, parts=parts, delivery=1.0) if parts else None
        return [debrief.model_reply(brief, result)]
    if verb == "save":
        texts = debrief.phrases_to_save(brief, feedback)
        if not texts:
            return [Reply("There are no phrases to keep from that debrief.")]
        kept = await mistakes.keep_phrases(ctx, texts, brief.id)
        return [
            Reply(
                f"Saved {kept} phrase{'s' if kept != 1 else ''}. They come back in /review, "
                "where you complete each from memory."
            )
        ]
    return [Reply(EXPIRED, kind="notice", private=True)]
