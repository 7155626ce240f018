"""The checker's API and life cycle: what `check` returns, lazy Linters per thread, start-up checks."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import harper
import pytest

from bot.coach.brief import brief_for
from bot.coach.english import EnglishChecker, WeirpackError, grammar_first, harper_engine, weir
from bot.coach.english.config import DISABLED_RULES, ENABLED_RULES, KEEP_RULES, NOT_BEFORE
from bot.coach.english.names import HARPER_RULE_NAMES
from bot.coach.feedback import MAX_CORRECTIONS, MAX_KEPT_CORRECTIONS, Correction
from bot.coach.judge import RubricJudge, shown_corrections
from content.index import PackIndex
from content.loader import load_default_pack
from tests.english_support import checker

ROOT = Path(__file__).resolve().parent.parent
PACK = PackIndex(load_default_pack())

DEMO = (
    "Yesterday we deploy the new model and the drift detector raise a alert. The predictions "
    "is stored in Feast, but the model predict worse. We need retrain it every days. I recieve "
    "the alert. Can you explain me why? We must to check the PSI."
)


def test_every_correction_in_text_order_with_context() -> None:
    assert checker().check(DEMO) == [
        Correction(wrong="we deploy", right="we deployed", rule="past tense"),
        Correction(wrong="detector raise", right="detector raised", rule="past tense"),
        Correction(wrong="raise a alert", right="raise an alert", rule="a/an"),
        Correction(wrong="predictions is", right="predictions are", rule="subject–verb agreement"),
        Correction(wrong="model predict", right="model predicts", rule="subject–verb agreement"),
        Correction(wrong="We need retrain", right="We need to retrain", rule="missing 'to'"),
        Correction(wrong="every days", right="every day", rule="every + singular noun"),
        Correction(wrong="recieve", right="receive", rule="spelling"),
        Correction(wrong="explain me", right="explain to me", rule="verb pattern"),
        Correction(wrong="must to", right="must", rule="modal + to"),
    ]


def test_clean_technical_english_gets_nothing() -> None:
    text = (
        "We export the model to ONNX and serve it with Triton; the p99 latency is 45 ms and W&B "
        "tracks every run. The feature store computes features once, and MLflow keeps the "
        "registry. We optimise the pipeline's behaviour; they optimize its behavior."
    )
    assert checker().check(text) == []


def test_a_removed_word_is_shown_with_the_next_word() -> None:
    assert checker().check("Can you to check the logs?") == [
        Correction(wrong="you to check", right="you check", rule="modal + to")
    ]


def test_an_irregular_verb_gets_the_form_its_context_needs() -> None:
    # Harper ranks `went` and `gone` differently from process to process; the checker does not.
    assert [c.right for c in checker().check("He goed to the meeting.")] == ["He went"]
    assert [c.right for c in checker().check("He has goed home.")] == ["has gone"]


def test_grammar_comes_before_spelling_in_text_order() -> None:
    corrections = checker().check("I recieve a alert. The model predict the churn.")
    assert [c.rule for c in corrections] == ["spelling", "a/an", "subject–verb agreement"]
    assert [c.rule for c in grammar_first(corrections)] == [
        "a/an",
        "subject–verb agreement",
        "spelling",
    ]


def test_importing_loads_neither_harper_tables_nor_lemminflect() -> None:
    # Building a Linter takes about 0.8 s: it waits for the first check (how long importing
    # takes is measured by bench/english.py, not asserted here on a shared machine).
    code = (
        "import sys; import bot.coach.english as e; e.EnglishChecker(); "
        "print('lemminflect' in sys.modules, 'harper' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "False"


def test_linters_are_built_on_the_first_check_once_per_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    real = harper_engine.HarperEngine

    def counting(*args: object, **kwargs: object) -> harper_engine.HarperEngine:
        built.append(threading.current_thread().name)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("bot.coach.english.checker.HarperEngine", counting)
    english = EnglishChecker()
    assert built == []
    english.check("The model predict the churn.")
    english.check("The model predict the churn.")
    assert len(built) == 1

    results: list[list[Correction]] = []
    workers = [
        threading.Thread(target=lambda: results.append(english.check(DEMO)), name=f"w{i}")
        for i in range(3)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(built[1:]) == ["w0", "w1", "w2"]
    assert len(results) == 3 and all(r == results[0] for r in results)


def test_warm_up_builds_the_linters(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    real = harper_engine.HarperEngine

    def counting(*args: object, **kwargs: object) -> harper_engine.HarperEngine:
        built.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("bot.coach.english.checker.HarperEngine", counting)
    english = EnglishChecker()
    english.warm_up()
    english.check(DEMO)
    assert built == [1]


def test_threads_checking_at_once_never_share_a_linter() -> None:
    english = EnglishChecker()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                english.findings(DEMO)  # no exception handler: a shared Linter would raise
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []


def test_a_failing_weir_test_stops_the_start_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = weir.WeirRule(
        "TcBroken", "(depends of)", "depends on", "x", "preposition", (("It depends of.", "No."),)
    )
    with pytest.raises(WeirpackError, match=r"TcBroken: expected 'No\.'"):
        weir.load_weirpack(harper.Linter(), (*weir.RULES, broken))

    def failing(linter: harper.Linter) -> None:
        weir.load_weirpack(linter, (broken,))

    monkeypatch.setattr(harper_engine, "load_weirpack", failing)
    english = EnglishChecker()
    # Not swallowed by check(): a broken install must not pass as "no mistakes found".
    with pytest.raises(WeirpackError):
        english.check("Hello.")
    with pytest.raises(WeirpackError):
        english.warm_up()


def test_an_unreadable_weirpack_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weir, "build_weirpack", lambda rules=weir.RULES: b"not a zip")
    with pytest.raises(WeirpackError, match="could not read"):
        weir.load_weirpack(harper.Linter())


def test_every_weir_rule_is_tested_and_fires_on_its_example() -> None:
    for rule in weir.RULES:
        assert rule.tests, rule.name
        given, expected = rule.tests[0]
        assert given != expected, rule.name
        sources = {f.source for f in checker().findings(given)}
        assert f"weir:{rule.name}" in sources, (rule.name, given, sources)


def test_every_configured_harper_rule_exists() -> None:
    # A Harper upgrade that renames a rule would silently turn our settings into no-ops.
    known = set(harper.get_default_lint_config())
    named = {*DISABLED_RULES, *ENABLED_RULES, *KEEP_RULES, *NOT_BEFORE, *HARPER_RULE_NAMES}
    assert named - known == set()


def test_the_judge_shows_the_checkers_corrections() -> None:
    brief = brief_for(PACK, PACK.pack.scenarios[0])
    feedback = RubricJudge(PACK).assess_now(brief, ["The model predict the churn every days."])
    assert [(c.wrong, c.right) for c in feedback.corrections] == [
        ("model predict", "model predicts"),
        ("every days", "every day"),
    ]
    assert len(shown_corrections(feedback)) <= MAX_CORRECTIONS
    assert feedback.rewrite is not None
    assert feedback.rewrite.better.rstrip(".") == "The model predicts the churn every day"


def test_the_judge_survives_an_answer_with_many_mistakes() -> None:
    brief = brief_for(PACK, PACK.pack.scenarios[0])
    feedback = RubricJudge(PACK).assess_now(
        brief, ["The model predict the churn every days. " * 12]
    )
    assert len(feedback.corrections) == MAX_KEPT_CORRECTIONS
