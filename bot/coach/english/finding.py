"""`Finding`: one mistake at a place in the text, before it is phrased for the learner."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """A mistake found in the text, as a replacement of `text[start:end]`.

    Attributes:
        start: Start of the flagged text (a `str` index).
        end: End of the flagged text (exclusive).
        replacement: What replaces `text[start:end]` (may be empty: a deletion).
        rule: The rule's learner-facing name ("subject–verb agreement").
        message: One sentence about the rule, for logs and future hints.
        source: Which engine and rule found it: `harper:AnA`, `weir:TcDependOf`,
            `layer:past tense`.
    """

    start: int
    end: int
    replacement: str
    rule: str
    message: str
    source: str

    def overlaps(self, start: int, end: int) -> bool:
        """Whether this finding's span shares a character with `[start, end)`."""
        return self.start < end and self.end > start

    @property
    def is_spelling_lint(self) -> bool:
        """Whether Harper's spell checker produced it (the layer may override these)."""
        return self.source == "harper:SpellCheck"
