"""Judging off the event loop: the rubric judge in a worker thread, with a time budget.

Judging a long answer is CPU work (grammar checking included); on the event loop it would
stall every other conversation and `/healthz`. A worker thread keeps the loop free (the grammar
checker releases the GIL while it lints). If the budget runs out, the learner still gets
feedback: the meaning part again, without the English check, computed at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from bot.coach.brief import Brief
from bot.coach.feedback import Feedback
from bot.coach.judge import RubricJudge

log = logging.getLogger(__name__)

BUDGET_S = 5.0
SLOW_NOTE = "The English check took too long this time, so this feedback has no corrections."


class OffloadedJudge:
    """A `RubricJudge` run in one worker thread, with a time budget per judgement."""

    def __init__(self, inner: RubricJudge, budget_s: float = BUDGET_S) -> None:
        self.inner = inner
        self.budget_s = budget_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coach")

    async def assess(self, brief: Brief, messages: Sequence[str]) -> Feedback:
        """The rubric judge's feedback, computed in the worker thread."""
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._executor, self.inner.assess_now, brief, list(messages))
        try:
            return await asyncio.wait_for(asyncio.shield(work), self.budget_s)
        except TimeoutError:
            log.warning(
                "coach: judging took over %.1f s; answering without the English check",
                self.budget_s,
            )
            quick = self.inner.assess_now(brief, messages, english=False)
            return quick.model_copy(update={"note": SLOW_NOTE})

    def warm_up(self) -> None:
        """Load the grammar checker in the worker thread now, not on the first learner's turn."""
        self._executor.submit(self.inner.warm_up)

    def close(self) -> None:
        """Stop the worker thread (it finishes the judgement in progress)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
