"""`EnglishChecker`: every English mistake in a learner's answer, never on names or code.

Three engines run on each text, in this order of trust:

1. Harper (harper-py), configured for chat about ML platforms (`config`), with our glossary in its
   dictionary and its lints filtered (`harper_engine`, `filters`);
2. a Weirpack of fixed learner phrases, run by the same Linter (`weir`);
3. an inflection layer built on lemminflect (`layer`, `agreement`).

Where a layer finding overlaps a Harper finding, Harper's grammar lint wins and the layer wins
over a plain spelling lint. Nothing that touches a code-shaped token (`get_features()`, `p95`,
`P(y|x)`) or changes a glossary name is kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from bot.coach.english import layer, lexicon
from bot.coach.english.filters import changes_name, code_spans, touches
from bot.coach.english.finding import Finding
from bot.coach.english.glossary import Glossary
from bot.coach.english.harper_engine import HarperEngine
from bot.coach.english.phrases import correction
from bot.coach.feedback import Correction

log = logging.getLogger(__name__)

WARM_UP_TEXT = "Yesterday the model predict a alert, so we must to retrain it every days."


class EnglishChecker:
    """Finds English mistakes in a learner's text; never corrects the glossary, code or names.

    Importing and constructing are cheap: Harper's Linters (about 0.8 s and 150-200 MB for the
    first) are built on the first check in each thread, because a Linter is not thread-safe.
    Call `warm_up()` at start-up to pay that before the first learner does.

    Args:
        glossary: Names never corrected, such as the pack's terms and aliases
            (`pack_glossary(pack)`); tool and product names are always added.
    """

    def __init__(self, glossary: Iterable[str] = ()) -> None:
        self.glossary = Glossary(glossary)
        self._local = threading.local()

    def check(self, text: str) -> list[Correction]:
        """Every correction found, in text order.

        Args:
            text: The learner's text (any length; Markdown is read as plain text).

        Returns:
            One `Correction` per mistake: the learner's phrase (with a word of context where that
            helps), the corrected phrase, and the rule's name.

        Raises:
            WeirpackError: On the first check in a thread, if the learner-phrase rules fail their
                own tests (a broken install must not pass silently).
        """
        engine = self._engine()
        try:
            found = self._findings(engine, text)
        except Exception:  # one odd text must not cost the learner the rest of the feedback
            log.exception("English check failed on a text of %d characters", len(text))
            return []
        return [c for f in found if (c := correction(text, f)) is not None]

    def findings(self, text: str) -> list[Finding]:
        """Every mistake as a replacement of a span of `text`, in text order (for measuring)."""
        return self._findings(self._engine(), text)

    def warm_up(self) -> None:
        """Build this thread's Linters and load lemminflect now, then run one check."""
        self.check(WARM_UP_TEXT)

    def _engine(self) -> HarperEngine:
        engine: HarperEngine | None = getattr(self._local, "engine", None)
        if engine is None:
            engine = HarperEngine(self.glossary)
            lexicon.load()
            self._local.engine = engine
        return engine

    def _findings(self, engine: HarperEngine, text: str) -> list[Finding]:
        code = code_spans(text)
        names = self.glossary.spans(text)
        found = engine.findings(text, code, names)
        for finding in layer.check(text):
            if touches(code, finding.start, finding.end):
                continue
            if changes_name(text, finding.start, finding.end, finding.replacement, names):
                continue
            clash = [f for f in found if f.overlaps(finding.start, finding.end)]
            # Harper's grammar lints win over the layer; the layer wins over spelling lints.
            if any(not f.is_spelling_lint for f in clash):
                continue
            found = [f for f in found if f not in clash]
            found.append(finding)
        found.sort(key=lambda f: f.start)
        return found
