"""Every feature termcoach offers, in the order help lists them, and the engine built from them."""

from __future__ import annotations

import random

from bot.clock import Clock
from bot.coach.judge import Judge, RubricJudge
from bot.coach.llm_judge import LlmJudge
from bot.coach.offload import OffloadedJudge
from bot.commands import CommandRegistry, Feature
from bot.config import EngineConfig
from bot.daily import commands as daily
from bot.engine import DialogueEngine
from bot.handlers import basic, words
from bot.llm import LlmClient
from bot.quiz import feature as quiz
from bot.roleplay import feature as roleplay
from bot.roleplay.llm import LlmPersona
from content.index import PackIndex
from content.models import Pack
from storage.db import Database


def features() -> list[Feature]:
    """A fresh instance of every feature (activities keep no state, but tests build several)."""
    return [basic.feature(), quiz.feature(), daily.feature(), roleplay.feature(), words.feature()]


def build_registry() -> CommandRegistry:
    """The registry with every command termcoach offers."""
    return CommandRegistry.of(features())


def build_engine(
    db: Database,
    pack: Pack | PackIndex,
    *,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    config: EngineConfig | None = None,
    llm: LlmClient | None = None,
) -> DialogueEngine:
    """The dialogue engine with every feature plugged in, and the coach.

    With an LLM endpoint, the persona speaks through it and the feedback comes from the LLM
    judge; the offline judge decides during a role-play and is every fallback.
    """
    index = pack if isinstance(pack, PackIndex) else PackIndex(pack)
    offline = OffloadedJudge(RubricJudge(index))
    judge: Judge = offline if llm is None else LlmJudge(llm, index, offline)
    return DialogueEngine(
        db,
        index,
        build_registry(),
        judge=judge,
        quick_judge=offline,
        clock=clock,
        rng=rng,
        config=config,
        llm=LlmPersona(llm) if llm is not None else None,
    )
