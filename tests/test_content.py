"""The shipped pack: every glossary term present, complete, and every reference resolving."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cards import term_card
from content.checks import cross_check
from content.index import PackIndex, normalize
from content.loader import DEFAULT_PACK, check_pack, load_pack
from termcoach.cli import app

GLOSSARY = {
    "feature-store": [
        "feature-store",
        "offline-store",
        "online-store",
        "feature-pipeline",
        "feature-definition",
        "training-serving-skew",
        "point-in-time-correctness",
        "feature-registry",
        "feature-group",
        "materialisation",
    ],
    "model-lifecycle": [
        "model-registry",
        "experiment-run",
        "model-version",
        "model-stage",
        "champion-challenger",
        "model-promotion",
        "model-rollback",
        "reproducibility-bundle",
        "sbom",
        "artefact-lineage",
    ],
    "drift-monitoring": [
        "data-drift",
        "concept-drift",
        "covariate-shift",
        "psi",
        "ks-test",
        "prediction-distribution-shift",
        "ground-truth-label",
        "label-latency",
        "drift-score",
        "retraining-trigger",
    ],
    "inference-infrastructure": [
        "batch-inference",
        "real-time-inference",
        "model-serving",
        "triton-inference-server",
        "onnx",
        "p99-latency",
        "cold-start",
        "model-warm-up",
        "inference-pipeline",
        "shadow-mode",
    ],
    "model-evaluation": [
        "precision",
        "recall",
        "f1-score",
        "accuracy",
        "decision-threshold",
        "false-positive",
        "false-negative",
        "confusion-matrix",
        "roc-auc",
        "calibration",
        "holdout-set",
        "ab-test",
        "online-evaluation",
        "offline-evaluation",
    ],
}
TOPICS = {
    "feature-store-design",
    "model-registry-versioning",
    "model-drift-detection",
    "experiment-tracking",
    "batch-vs-realtime-inference",
    "ml-governance-reproducibility",
    "model-evaluation",
}


def test_every_glossary_term_is_present_in_its_category(pack: PackIndex) -> None:
    for category, ids in GLOSSARY.items():
        for term_id in ids:
            assert term_id in pack.terms, f"missing term {term_id}"
            assert pack.terms[term_id].category == category


def test_seven_topics_each_with_ten_terms_and_85_terms_in_all(pack: PackIndex) -> None:
    assert set(pack.topics) == TOPICS
    for topic in pack.pack.topics:
        assert len(pack.terms_in(topic)) >= 10, topic.id
    assert len(pack.terms) >= 85
    # The baseline model is part of a learner's evaluation week too.
    assert "model-evaluation" in pack.terms["baseline-model"].topics
    for category in ("experiment-tracking", "governance"):
        assert len(pack.terms_in(pack.categories[category])) >= 8


def test_every_term_has_every_field(pack: PackIndex) -> None:
    for term in pack.pack.terms:
        assert term.definition and term.example and term.part_of_speech
        assert term.related, term.id
        assert term.confused_with.term in pack.terms
        assert len(term.confused_with.difference) > 20
        assert term.topics


def test_acronyms_have_pronunciation_hints(pack: PackIndex) -> None:
    for term_id in ("onnx", "psi", "sbom", "ks-test", "p99-latency"):
        assert pack.terms[term_id].pronunciation, term_id


def test_all_references_resolve_and_cross_check_is_clean() -> None:
    pack = load_pack(DEFAULT_PACK)
    assert cross_check(pack) == []
    ids = {t.id for t in pack.terms}
    for term in pack.terms:
        assert set(term.related) <= ids
        assert term.confused_with.term in ids


def test_british_and_american_spellings_find_the_same_term(pack: PackIndex) -> None:
    for query in ("materialisation", "materialization", "Materialization"):
        match = pack.find_term(query)
        assert match is not None and match.term.id == "materialisation"
    for query in ("artefact lineage", "artifact lineage"):
        match = pack.find_term(query)
        assert match is not None and match.term.id == "artefact-lineage"


def test_fuzzy_lookup_takes_typos_and_unique_words_not_shared_words(pack: PackIndex) -> None:
    for query in ("drift", "registry", "mlflow"):
        assert pack.find_term(query) is None, query
    for query, expected in (
        ("shadow", "shadow-mode"),
        ("model regsitry", "model-registry"),
        ("a/b test", "ab-test"),
        ("ab test", "ab-test"),
        ("a b testing", "ab-test"),
    ):
        match = pack.find_term(query)
        assert match is not None and match.term.id == expected, query
    named = [t.id for t in pack.terms_named_with("drift")]
    assert {"data-drift", "concept-drift"} <= set(named)
    assert all("drift" in " ".join(pack.terms[i].names).lower() for i in named)


def test_fuzzy_lookup_and_abbreviations(pack: PackIndex) -> None:
    cases = {
        "psi": "psi",
        "PSI": "psi",
        "trainng serving skew": "training-serving-skew",
        "concept drift": "concept-drift",
        "ks test": "ks-test",
        "Kolmogorov-Smirnov test": "ks-test",
        "onnx": "onnx",
        "triton": "triton-inference-server",
    }
    for query, expected in cases.items():
        match = pack.find_term(query)
        assert match is not None, query
        assert match.term.id == expected, query
    assert pack.find_term("zzzz qqq") is None


def test_topic_and_category_lookup(pack: PackIndex) -> None:
    area = pack.find_area("drift")
    assert area is not None
    assert pack.find_area("feature-store-design") is not None
    assert pack.find_area("Feature store design") is not None
    assert pack.find_area("xyzzy") is None


def test_normalize_folds_spelling_and_punctuation() -> None:
    assert normalize("Materialisation!") == normalize("materialization")
    assert normalize("warm-up") == normalize("Warmup")
    assert normalize("  Champion/Challenger ") == "champion challenger"


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(DEFAULT_PACK, target)
    return target


def test_check_reports_file_and_line_for_a_bad_reference(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path)
    terms = folder / "terms.yaml"
    text = terms.read_text(encoding="utf-8")
    assert "confused_with:" in text
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("related:"))
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    lines[index] = f"{indent}related: [no-such-term]"
    terms.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pack, problems = check_pack(folder)
    assert pack is None
    assert any("no-such-term" in p.message for p in problems)
    problem = next(p for p in problems if "no-such-term" in p.message)
    assert problem.file.endswith("terms.yaml")
    assert problem.line == index + 1


def test_check_reports_a_missing_field_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(Path(__file__).parent / "data" / "mini_pack", folder)
    terms = folder / "terms.yaml"
    text = terms.read_text(encoding="utf-8").replace("    part_of_speech: noun\n", "", 1)
    terms.write_text(text, encoding="utf-8")
    _, problems = check_pack(folder)
    assert problems
    assert "part_of_speech" in problems[0].message
    assert problems[0].file.endswith("terms.yaml")
    assert problems[0].line > 1


def test_check_reports_yaml_syntax_errors(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(Path(__file__).parent / "data" / "mini_pack", folder)
    (folder / "extra.yaml").write_text("terms:\n  - id: [unclosed\n", encoding="utf-8")
    _, problems = check_pack(folder)
    assert problems and "YAML" in problems[0].message
    assert problems[0].file.endswith("extra.yaml")


@pytest.mark.parametrize("args", [["content", "check"], ["content", "check", str(DEFAULT_PACK)]])
def test_cli_content_check_passes_on_the_shipped_pack(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_cli_content_check_fails_with_file_line_messages(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(Path(__file__).parent / "data" / "mini_pack", folder)
    (folder / "terms.yaml").write_text(
        (folder / "terms.yaml").read_text().replace("category: store", "category: nowhere", 1)
    )
    result = CliRunner().invoke(app, ["content", "check", str(folder)])
    assert result.exit_code == 1
    assert "terms.yaml:" in result.output and "unknown category 'nowhere'" in result.output


def test_cli_content_export_prints_json() -> None:
    result = CliRunner().invoke(app, ["content", "export", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["pack"]["id"] == "ml-platform-engineer"
    assert len(data["terms"]) >= 60


# -- fields: pronunciation, quiz gloss, tool notes, distractor exclusions --

# Terms whose meaning differs between tools: each must say which tool means what.
CONTESTED = (
    "materialisation",
    "feature-pipeline",
    "training-serving-skew",
    "feature-group",
    "prediction-distribution-shift",
    "cold-start",
    "model-warm-up",
    "real-time-inference",
    "experiment-run",
    "experiment",
    "inference-pipeline",
    "sbom",
)
TOOLS = (
    "Feast",
    "Databricks",
    "Azure",
    "Feathr",
    "Hopsworks",
    "Vertex",
    "Google",
    "MLflow",
    "W&B",
    "Evidently",
    "Triton",
    "TensorFlow",
    "KServe",
    "SageMaker",
    "CycloneDX",
    "SPDX",
)


def test_every_term_has_a_pronunciation_and_a_short_quiz_gloss(pack: PackIndex) -> None:
    for term in pack.pack.terms:
        # A stressed syllable in capitals, or an acronym said letter by letter.
        assert any(part.isupper() for part in term.pronunciation.replace("-", " ").split())
        assert 10 <= len(term.quiz_gloss) <= 100, term.id
        assert normalize(term.quiz_gloss) != normalize(term.definition), term.id


def test_contested_terms_name_the_tools(pack: PackIndex) -> None:
    for term_id in CONTESTED:
        notes = pack.terms[term_id].tool_notes
        assert notes, term_id
        assert sum(tool in notes for tool in TOOLS) >= 2, term_id


def _edit_first_term(tmp_path: Path, old: str, new: str) -> Path:
    folder = _copy_pack(tmp_path)
    terms = folder / "terms.yaml"
    text = terms.read_text(encoding="utf-8")
    assert old in text
    terms.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_check_rejects_a_long_quiz_gloss_with_its_line(tmp_path: Path) -> None:
    gloss = "x" * 101
    folder = _edit_first_term(
        tmp_path, "    quiz_gloss: ", f'    quiz_gloss: "{gloss}"\n    old_gloss: '
    )
    # The old line now carries an unknown key; put the value back under a comment instead.
    terms = folder / "terms.yaml"
    terms.write_text(terms.read_text().replace("    old_gloss: ", "    # ", 1))
    pack, problems = check_pack(folder)
    assert pack is None
    problem = next(p for p in problems if "quiz gloss" in p.message)
    assert "101 characters" in problem.message and problem.file.endswith("terms.yaml")
    line = terms.read_text().splitlines()[problem.line - 1]
    assert "quiz_gloss" in line


def test_check_rejects_an_exclusion_of_an_unknown_term(tmp_path: Path) -> None:
    folder = _edit_first_term(
        tmp_path, "    quiz_gloss: ", "    not_distractors: [no-such-term]\n    quiz_gloss: "
    )
    pack, problems = check_pack(folder)
    assert pack is None
    assert any("not_distractors term 'no-such-term' does not exist" in p.message for p in problems)


def test_cli_warns_about_long_definitions_but_passes(tmp_path: Path) -> None:
    long = "A long definition " + "with many more words " * 16
    assert len(long) > 300
    folder = _edit_first_term(
        tmp_path, "    definition: >-\n", f'    definition: "{long}"\n    old_definition: >-\n'
    )
    terms = folder / "terms.yaml"
    # Drop the old folded definition (the lines right after the marker).
    lines = terms.read_text().splitlines()
    start = lines.index("    old_definition: >-")
    end = start + 1
    while lines[end].startswith("      "):
        end += 1
    terms.write_text("\n".join(lines[:start] + lines[end:]) + "\n")
    result = CliRunner().invoke(app, ["content", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "warning: definition of 'feature-store'" in result.output
    assert "1 warning(s)" in result.output


def test_the_shipped_pack_has_no_warnings() -> None:
    result = CliRunner().invoke(app, ["content", "check"])
    assert result.exit_code == 0
    assert "warning" not in result.output


def test_term_cards_show_tool_notes_only_where_tools_differ(pack: PackIndex) -> None:

    card = term_card(pack, pack.terms["materialisation"]).text
    assert "*Tools differ:*" in card and "Databricks" in card
    assert "Tools differ" not in term_card(pack, pack.terms["psi"]).text


def test_a_learners_week_is_covered(pack: PackIndex) -> None:
    written = [e for e in pack.pack.exercises if e.kind != "drill"]
    assert len(written) >= 30
    pairs = {frozenset(p.terms) for p in pack.pack.pairs}
    for a, b in (
        ("precision", "recall"),
        ("roc-auc", "accuracy"),
        ("ab-test", "shadow-mode"),
        ("online-evaluation", "offline-evaluation"),
    ):
        assert frozenset((a, b)) in pairs, (a, b)
    for scenario_id in (
        "fraud-precision-pm",
        "incident-review-sre",
        "feature-store-migration-vp",
        "oncall-handover",
    ):
        assert scenario_id in pack.scenarios, scenario_id
