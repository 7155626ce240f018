"""Text outside any activity: a command word, a term to look up, a pronunciation, or small talk.

What others read along decides how much is read into a message: in a group's own conversation
(`Inbound.seen_by_others`) only a question about a term counts, since chatter that reaches the
bot (a reply to it, a mention) is seldom a command; in a private chat, or a private conversation
inside a channel, a bare word is meant for the bot.
"""

from __future__ import annotations

from bot.commands import CommandRegistry, unknown_command
from bot.context import TurnContext
from bot.lookup import look_up, small_talk
from bot.messages import CommandIn, Reply, TextIn
from bot.pronounce import asked_pronunciation

NOT_SURE = (
    "I'm not sure what you mean. Try /quiz for a short quiz, /term NAME to look up a "
    "term, or /help for everything I can do."
)


async def free_text(
    ctx: TurnContext, features: CommandRegistry, message: TextIn, text: str
) -> list[Reply]:
    """The reply to `text` (cleaned) typed while nothing runs."""
    first, _, rest = text.partition(" ")
    word = first.lower()
    private = not message.seen_by_others
    if features.get(word) is not None and private:
        return await ctx.run_command(CommandIn(ref=message.ref, name=word, args=rest))
    if not rest and private and features.owners(word):
        return [unknown_command(features, word)]
    said = asked_pronunciation(text) if private else None
    if said is not None:
        return await ctx.run_command(CommandIn(ref=message.ref, name="say", args=said))
    looked_up = await look_up(
        ctx, features.get("term"), features.get("compare"), ctx.pack, message, text
    )
    if looked_up is not None:
        return looked_up
    social = small_talk(text) if private else None
    if social == "greeting":
        return [
            Reply(
                "Hi! Ask me about a term (“what is PSI?”), type /quiz for a short quiz, "
                "or /help for everything I can do."
            )
        ]
    if social == "thanks":
        return [Reply("You're welcome! Type /quiz whenever you want more practice.")]
    return [Reply(NOT_SURE)]
