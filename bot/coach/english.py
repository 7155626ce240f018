"""English corrections for the learner's text (being replaced by the Harper-based checker)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.coach.feedback import Correction


class EnglishChecker:
    """Finds English mistakes in a learner's text; never corrects the glossary, code or names."""

    def __init__(self, glossary: Iterable[str] = ()) -> None:
        self.glossary = tuple(glossary)

    def check(self, text: str) -> list[Correction]:
        """Every correction found, in text order."""
        return []
