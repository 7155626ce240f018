"""A PNG chart of a learner's progress (matplotlib's Agg canvas, no display, no pyplot).

Panels: reviews and accuracy per day (accuracy drawn only on days with answers, never as a
line across days without practice); terms learned and mastered over time; and, after role-plays
or written exercises, each item's first, best and latest score. A chart with one day of data is
still readable: the days axis always spans at least a week.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.quiz.streaks import local_date

if TYPE_CHECKING:
    # Only for annotations: matplotlib is imported when a chart is drawn (it is slow to load).
    from matplotlib.axes import Axes

MIN_DAYS_SHOWN = 7


@dataclass(frozen=True)
class DayStats:
    """One local day: reviews, right answers out of all answers, terms learned and mastered."""

    day: date
    reviews: int
    right: int
    answers: int
    learned: int = 0
    mastered: int = 0

    @property
    def accuracy(self) -> float | None:
        """Share of right answers (0-100), None on a day without answers."""
        return 100.0 * self.right / self.answers if self.answers else None


@dataclass(frozen=True)
class ScoreBar:
    """One scenario's or exercise's scores for the chart."""

    title: str
    first: int
    best: int
    latest: int


def per_day(
    reviews: list[datetime],
    answers: list[tuple[datetime, bool]],
    today: date,
    tz: ZoneInfo,
    days: int = 30,
    learned: list[datetime] | None = None,
    mastered: list[datetime] | None = None,
) -> list[DayStats]:
    """Daily totals for the `days` local days ending today (empty days included).

    `learned` and `mastered` are the moments terms were first reviewed and became mastered;
    each day carries the running totals up to that day.
    """
    first = today - timedelta(days=days - 1)
    counts = {first + timedelta(days=i): [0, 0, 0] for i in range(days)}
    for when in reviews:
        day = local_date(when, tz)
        if day in counts:
            counts[day][0] += 1
    for when, correct in answers:
        day = local_date(when, tz)
        if day in counts:
            counts[day][1] += int(correct)
            counts[day][2] += 1
    learned_days = sorted(local_date(t, tz) for t in learned or [])
    mastered_days = sorted(local_date(t, tz) for t in mastered or [])
    return [
        DayStats(
            d,
            v[0],
            v[1],
            v[2],
            learned=sum(1 for x in learned_days if x <= d),
            mastered=sum(1 for x in mastered_days if x <= d),
        )
        for d, v in sorted(counts.items())
    ]


def active_runs(stats: list[DayStats]) -> list[list[int]]:
    """Indexes of consecutive days with answers: each run is drawn as its own line."""
    runs: list[list[int]] = []
    for i, s in enumerate(stats):
        if s.accuracy is None:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def shown_days(stats: list[DayStats]) -> list[DayStats]:
    """The days worth drawing: from the first active day (at least a week back) to today."""
    active = [i for i, s in enumerate(stats) if s.reviews or s.answers or s.learned]
    start = min(active[0], len(stats) - MIN_DAYS_SHOWN) if active else len(stats) - MIN_DAYS_SHOWN
    return stats[max(0, start) :]


def render_png(
    stats: list[DayStats], scores: list[ScoreBar] | None = None, title: str = "Your progress"
) -> bytes:
    """The chart as PNG bytes."""
    # Imported here: matplotlib takes a moment to load and only this command needs it.
    from matplotlib.figure import Figure  # noqa: PLC0415

    days = shown_days(stats)
    rows = 3 if scores else 2
    fig = Figure(figsize=(8, 3.0 * rows), dpi=100)
    _days_panel(fig.add_subplot(rows, 1, 1), days, title)
    _terms_panel(fig.add_subplot(rows, 1, 2), days)
    if scores:
        _scores_panel(fig.add_subplot(rows, 1, 3), scores)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _day_ticks(ax: Axes, days: list[DayStats]) -> None:
    xs = list(range(len(days)))
    labels = [f"{s.day:%d %b}" for s in days]
    step = max(1, len(days) // 10)
    ticks = xs[::-1][::step][::-1]  # counted back from today, so today is always labelled
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[i] for i in ticks], rotation=30, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(days) - 0.4)


def _days_panel(ax: Axes, days: list[DayStats], title: str) -> None:
    from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: PLC0415  (see render_png)

    xs = list(range(len(days)))
    ax.bar(xs, [s.reviews for s in days], color="#4C78A8", label="reviews")
    ax.set_ylabel("reviews")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _day_ticks(ax, days)
    acc = ax.twinx()
    for n, run in enumerate(active_runs(days)):
        acc.plot(
            run,
            [days[i].accuracy or 0.0 for i in run],
            color="#F58518",
            marker="o",
            linewidth=2,
            label="accuracy" if n == 0 else None,
        )
    acc.set_ylim(0, 105)
    acc.yaxis.set_major_formatter(PercentFormatter())
    acc.set_ylabel("accuracy")
    ax.set_title(title)
    handles = ax.get_legend_handles_labels()
    more = acc.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8)


def _terms_panel(ax: Axes, days: list[DayStats]) -> None:
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415  (see render_png)

    xs = list(range(len(days)))
    ax.step(xs, [s.learned for s in days], where="mid", color="#54A24B", label="terms learned")
    ax.step(xs, [s.mastered for s in days], where="mid", color="#B279A2", label="terms mastered")
    ax.set_ylim(bottom=0, top=max(5, max((s.learned for s in days), default=0) + 1))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("terms")
    _day_ticks(ax, days)
    ax.legend(loc="upper left", fontsize=8)


def _scores_panel(ax: Axes, scores: list[ScoreBar]) -> None:
    shown = scores[:5]
    width = 0.22
    for n, s in enumerate(shown):
        # The title above its bars, inside the panel: long titles must not squeeze the others.
        ax.text(0.5, n - 0.42, s.title[:60], fontsize=8, va="bottom")
        for offset, (value, colour) in enumerate(
            ((s.first, "#BAB0AC"), (s.best, "#54A24B"), (s.latest, "#4C78A8"))
        ):
            ax.barh(n + offset * width - 0.08, value, height=width, color=colour)
            ax.text(value + 1, n + offset * width - 0.08, str(value), fontsize=7, va="center")
    ax.set_yticks([])
    ax.set_ylim(len(shown) - 0.3, -0.55)
    ax.set_xlim(0, 108)
    ax.set_xlabel("score (grey: first, green: best, blue: latest)")
    ax.set_title("Role-plays and exercises", fontsize=10)
