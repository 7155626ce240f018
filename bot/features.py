"""Every feature termcoach offers, in the order help lists them, and the engine built from them."""

from __future__ import annotations

import random

from bot.clock import Clock
from bot.commands import CommandRegistry, Feature
from bot.config import EngineConfig
from bot.daily import commands as daily
from bot.engine import DialogueEngine
from bot.handlers import basic
from bot.quiz import feature as quiz
from bot.roleplay import feature as roleplay
from bot.roleplay.llm import PersonaModel
from content.index import PackIndex
from content.models import Pack
from storage.db import Database


def features() -> list[Feature]:
    """A fresh instance of every feature (activities keep no state, but tests build several)."""
    return [basic.feature(), quiz.feature(), daily.feature(), roleplay.feature()]


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
    llm: PersonaModel | None = None,
) -> DialogueEngine:
    """The dialogue engine with every feature plugged in."""
    return DialogueEngine(db, pack, build_registry(), clock=clock, rng=rng, config=config, llm=llm)
