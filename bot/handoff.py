"""Multi-step work started in a shared chat continues in the learner's private chat.

A command whose `CommandSpec.private` is set (a quiz round, a role-play) does not run in a
group or a channel, where others read along and a typed answer may not even reach the bot. It
runs in the learner's private chat with the bot instead, and the shared chat gets one line for
the learner alone (`Reply.handoff`; the adapter adds the link):

- when the adapter knows that private chat and may write there (`Inbound.dm`), the command is
  handed over (`TurnContext.hand_over`): it runs there as a turn of its own, right after this one;
- otherwise the line asks the learner to open the private chat, and the adapter's link carries
  the command, so opening the chat starts exactly that work.
"""

from __future__ import annotations

from bot.context import CommandSpec, TurnContext
from bot.messages import CommandIn, Handoff, Reply

# What the learner reads for each command; the command's name otherwise.
_WHAT = {"roleplay": "role-play", "exercise": "exercise", "review": "review", "prep": "prep"}


def stays_here(ctx: TurnContext, spec: CommandSpec) -> bool:
    """True when `spec` runs in this conversation: it is not multi-step, or this chat is private."""
    if not spec.private or not ctx.inbound.is_group:
        return True
    dm = ctx.inbound.dm
    return dm is not None and dm.key == ctx.ref.key


def continue_in_private(ctx: TurnContext, spec: CommandSpec, args: str) -> list[Reply]:
    """Send `spec` with `args` to the learner's private chat; one private line for this chat."""
    what = _WHAT.get(spec.name, spec.name)
    dm = ctx.inbound.dm
    if dm is None:
        text = f"Your {what} runs in our private chat: open it to start."
        return [Reply(text, kind="notice", private=True, handoff=Handoff(spec.name, args))]
    ctx.hand_over(
        CommandIn(
            ref=dm,
            message_id=ctx.inbound.message_id,
            name=spec.name,
            args=args,
            display_name=ctx.inbound.display_name,
            is_admin=ctx.inbound.is_admin,
        )
    )
    text = f"Your {what} continues in our private chat."
    return [Reply(text, kind="notice", private=True, handoff=Handoff(spec.name, args, dm))]
