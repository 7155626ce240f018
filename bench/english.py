"""English checker: latency, cold start, memory, and recall / false alarms on the grammar sets.

Runs in a fresh process so the cold start is real: imports the checker, builds an
`EnglishChecker` with the default pack's glossary, times the first `check()` (which builds
Harper's Linters and loads lemminflect), then 5 warm-up calls and 200 timed calls on a learner
answer of about 250 words (planted and clean sentences of tests/data/grammar in turn, the answer
the evaluation timed). A second thread's first check shows what one more worker costs.

Quality figures use tests/english_support.py: recall (caught / fixed exactly) and false alarms on
`sentences.yaml` and `heldout.yaml`, and, as a set nobody tuned on, the broken-English answers
and clean answers of bench/data/judge_corpus.yaml.

The last line is one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = 200
WARM_UP = 5


def rss_mb() -> tuple[float, float]:
    """Resident and peak resident memory of this process, in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile, as numpy's default."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def judge_corpus(findings: Any, norm: Any) -> dict[str, Any]:
    """Recall on the corpus's broken answers, false alarms on its clean ones (per 1,000 words)."""
    answers = yaml.safe_load((ROOT / "bench/data/judge_corpus.yaml").read_text())["answers"]
    n = caught = fixed = other = clean_words = 0
    for answer in answers:
        text = answer["text"]
        found = findings(text)
        if answer["kind"] != "broken":
            clean_words += len(text.split())
            other += len(found)
            continue
        for e in answer["errors"]:
            start = text.index(e["wrong"])
            end = start + len(e["wrong"])
            hits = [f for f in found if f.overlaps(start, end)]
            target = norm(text[:start] + e["right"] + text[end:])
            n += 1
            caught += bool(hits)
            fixed += any(
                norm(text[: f.start] + f.replacement + text[f.end :]) == target for f in hits
            )
    return {
        "judge_corpus_errors": n,
        "judge_corpus_caught": caught,
        "judge_corpus_fixed": fixed,
        "judge_corpus_clean_words": clean_words,
        "judge_corpus_fp_per_1000_words": round(1000 * other / clean_words, 2),
    }


def main() -> None:
    rss_start = rss_mb()[0]
    started = time.perf_counter()
    # Imported here, not at the top, to time the cold import (the pack and the test sets are
    # loaded after it, untimed).
    from bot.coach.english import EnglishChecker  # noqa: PLC0415

    imported = time.perf_counter()
    from tests.english_support import (  # noqa: PLC0415
        HELDOUT,
        MAIN,
        answer_250_words,
        load,
        norm,
        pack_names,
        score,
    )

    names = pack_names()
    before_build = time.perf_counter()
    english = EnglishChecker(names)
    built = time.perf_counter()
    text = answer_250_words()
    rss_loaded = rss_mb()[0]  # the pack and the test sets are loaded, no Linter yet
    english.check(text)
    first = time.perf_counter()
    rss_ready = rss_mb()[0]

    for _ in range(WARM_UP):
        english.check(text)
    timings = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        english.check(text)
        timings.append((time.perf_counter() - t0) * 1000)

    second: dict[str, float] = {}

    def other_thread() -> None:
        t0 = time.perf_counter()
        english.check(text)
        second["first_ms"] = (time.perf_counter() - t0) * 1000

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    rss_two_threads, peak = rss_mb()

    figures: dict[str, Any] = {
        "words": len(text.split()),
        "import_s": round(imported - started, 3),
        "construct_ms": round((built - before_build) * 1000, 2),
        "first_check_s": round(first - built, 3),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "second_thread_first_check_ms": round(second["first_ms"], 1),
        "rss_start_mb": round(rss_start, 1),
        "rss_before_first_check_mb": round(rss_loaded, 1),
        "rss_ready_mb": round(rss_ready, 1),
        "checker_mb": round(rss_ready - rss_loaded, 1),
        "rss_two_threads_mb": round(rss_two_threads, 1),
        "peak_mb": round(peak, 1),
    }
    for path, key in ((MAIN, "main"), (HELDOUT, "heldout")):
        result = score(*load(path), english.findings)
        figures |= {
            f"{key}_errors": result.n_errors,
            f"{key}_caught": result.caught,
            f"{key}_fixed": result.fixed,
            f"{key}_fp_planted": len(result.fp_planted),
            f"{key}_fp_clean": len(result.fp_clean),
        }
    figures |= judge_corpus(english.findings, norm)

    print(f"{figures['words']}-word answer: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
    print(
        f"cold: import {figures['import_s']} s, first check {figures['first_check_s']} s, "
        f"RSS {figures['rss_before_first_check_mb']} -> {figures['rss_ready_mb']} MB "
        f"(second thread +{figures['rss_two_threads_mb'] - figures['rss_ready_mb']:.1f} MB, "
        f"{figures['second_thread_first_check_ms']} ms)"
    )
    for key in ("main", "heldout"):
        n = figures[f"{key}_errors"]
        print(
            f"{key}: caught {figures[f'{key}_caught']}/{n}, fixed {figures[f'{key}_fixed']}, "
            f"false alarms {figures[f'{key}_fp_clean']} on clean, "
            f"{figures[f'{key}_fp_planted']} in planted sentences"
        )
    print(
        f"judge corpus: caught {figures['judge_corpus_caught']}/{figures['judge_corpus_errors']}, "
        f"fixed {figures['judge_corpus_fixed']}, "
        f"{figures['judge_corpus_fp_per_1000_words']} false alarms per 1,000 clean words"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
