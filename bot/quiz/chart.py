"""A PNG chart of reviews and accuracy per day (matplotlib's Agg canvas, no display, no pyplot)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.quiz.streaks import local_date


@dataclass(frozen=True)
class DayStats:
    """One local day: how many reviews, and how many answers were right out of how many."""

    day: date
    reviews: int
    right: int
    answers: int

    @property
    def accuracy(self) -> float | None:
        """Share of right answers (0-100), None on a day without answers."""
        return 100.0 * self.right / self.answers if self.answers else None


def per_day(
    reviews: list[datetime],
    answers: list[tuple[datetime, bool]],
    today: date,
    tz: ZoneInfo,
    days: int = 30,
) -> list[DayStats]:
    """Daily totals for the `days` local days ending today (empty days included)."""
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
    return [DayStats(d, *v) for d, v in sorted(counts.items())]


def render_png(stats: list[DayStats], title: str = "Your last 30 days") -> bytes:
    """Bars of reviews per day with a line of accuracy per day, as PNG bytes."""
    # Imported here: matplotlib takes a moment to load and only this command needs it.
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: PLC0415

    fig = Figure(figsize=(8, 4.2), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    xs = list(range(len(stats)))
    ax.bar(xs, [s.reviews for s in stats], color="#4C78A8", label="reviews")
    ax.set_ylabel("reviews")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    labels = [f"{s.day:%d %b}" for s in stats]
    step = max(1, len(stats) // 10)
    ticks = xs[::-1][::step][::-1]  # counted back from today, so today is always labelled
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[i] for i in ticks], rotation=30, ha="right", fontsize=8)
    acc = ax.twinx()
    points = [(x, s.accuracy) for x, s in zip(xs, stats, strict=True) if s.accuracy is not None]
    if points:
        acc.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            color="#F58518",
            marker="o",
            linewidth=2,
            label="accuracy",
        )
    acc.set_ylim(0, 105)
    acc.yaxis.set_major_formatter(PercentFormatter())
    acc.set_ylabel("accuracy")
    ax.set_title(title)
    handles = ax.get_legend_handles_labels()
    more = acc.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
