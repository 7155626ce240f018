"""Words the English checker never corrects: the pack's terms and a fixed list of tool names.

Harper knows neither `MLflow` nor `feature store`'s British cousin `materialisation`, and some of
its rules "correct" product names (`Feast` -> `Feasts`). The glossary is used twice:

* its words go into Harper's dictionary, so they are not misspellings, and
* every place where a name occurs in the text is protected: a correction that would change the
  name's letters, or glue letters to it, is dropped, whichever rule made it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if (
    TYPE_CHECKING
):  # the content index pulls in rapidfuzz and the pack models; only the judge needs it
    from content.index import PackIndex

# Tools and products the learners write about; the pack's terms come on top. Lowercase spellings
# are listed where learners use them, because Harper's dictionary is case-sensitive.
TOOL_NAMES: tuple[str, ...] = (
    "Feast", "MLflow", "W&B", "Weights & Biases", "wandb", "Evidently", "NannyML", "Triton", "ONNX",
    "Vertex AI", "Vertex", "Databricks", "SageMaker", "Hopsworks", "Hudi", "Kubernetes", "kubectl",
    "k8s", "BigQuery", "PagerDuty", "XGBoost", "LightGBM", "CatBoost", "PyTorch", "TensorFlow",
    "Kubeflow", "Airflow", "Dagster", "Prefect", "Spark", "Redis", "Postgres", "Snowflake",
    "Grafana", "Prometheus", "Datadog", "Terraform", "Helm", "Docker", "S3", "GCS", "numpy",
    "NumPy", "pandas", "scikit-learn", "sklearn", "SciPy", "Jupyter", "GitHub", "GitLab", "Kafka",
    "Flink", "Seldon", "KServe", "BentoML", "DVC", "Argo", "Ray", "Tecton", "Arize", "Fiddler",
    "Great Expectations", "Optuna", "Hugging Face", "Azure ML", "AWS", "GCP", "Azure",
)  # fmt: skip

# Acronyms and engineering words Harper's dictionary lacks, in the spellings learners use.
JARGON: tuple[str, ...] = (
    "PSI", "AUC", "ROC", "KS", "F1", "RMSE", "MAE", "MAPE", "SHAP", "LIME", "KL", "JS", "TTL",
    "SLA", "SLO", "SLI", "GPU", "GPUs", "CPU", "CPUs", "MLOps", "LLM", "LLMs", "API", "APIs", "SDK",
    "p50", "p95", "p99", "yaml", "YAML", "json", "JSON", "csv", "parquet", "Parquet", "protobuf",
    "gRPC", "REST", "dataset", "datasets", "backfill", "backfills", "hyperparameter",
    "hyperparameters", "autoscale", "autoscales", "autoscaling", "hotfix", "hotfixes", "dataframe",
    "dataframes", "upsert", "upserts", "materialize", "materialized", "materialization", "retrain",
    "retrains", "retrained", "retraining", "embeddings", "tokenizer", "onnx", "mlflow", "pytorch",
    "autoscaler", "autoscalers", "opset", "isotonic", "cron",
)  # fmt: skip

# Words of a name, as Harper's dictionary needs them, and as names are matched in the text.
_WORD = re.compile(r"[A-Za-z0-9]+")
# "PSI (Population Stability Index)" is also written "PSI" and spelled out; "SBOM (ML)" is not
# written "ML": a short bracketed part is a qualifier (as in content.index.PackIndex).
_BRACKETED = re.compile(r"^(.*?)\s*\((.*)\)\s*$")


def pack_glossary(pack: PackIndex) -> list[str]:
    """Every term name and alias in the pack, in pack order.

    Args:
        pack: The content pack's index.

    Returns:
        The names to pass to `EnglishChecker(glossary=...)`; the tool names are added there.
    """
    return [name for term in pack.pack.terms for name in term.names]


def _spellings(name: str) -> Iterator[str]:
    """The name, and its parts when it has a bracketed expansion or qualifier."""
    yield name
    for outside, inside in _BRACKETED.findall(name):
        if outside.strip():
            yield outside.strip()
        if len(inside.strip()) > 3:
            yield inside.strip()


@dataclass(frozen=True, slots=True)
class Span:
    """A protected range of the text, `[start, end)`.

    Attributes:
        start: Where it starts.
        end: Where it ends (exclusive).
        inflectable: A lowercase term of the pack, written in lower case (`run`, `feature
            store`): its words may be inflected by a grammar fix (`a job run` -> `a job runs`),
            because there the word is used as an ordinary verb or noun. Product names, jargon
            and capitalised names are never changed at all.
    """

    start: int
    end: int
    inflectable: bool = False


class Glossary:
    """Names never corrected: their words for Harper, their occurrences in a text.

    Args:
        names: Term names, aliases and product names; the fixed tool names and jargon are always
            added.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        phrases: set[tuple[str, ...]] = set()
        strict: set[tuple[str, ...]] = set()
        words: set[str] = set()
        for fixed, group in ((True, (*TOOL_NAMES, *JARGON)), (False, tuple(names))):
            for spelling in (s for name in group for s in _spellings(name)):
                parts = tuple(_WORD.findall(spelling))
                if not parts:
                    continue
                phrases.add(tuple(p.lower() for p in parts))
                if fixed or not spelling.islower():
                    strict.add(tuple(p.lower() for p in parts))
                # A word with a letter goes into Harper's dictionary as written and in lower case
                # (learners write `mlflow`); plain numbers need no entry.
                words.update(p for p in parts if not p.isdigit())
                words.update(p.lower() for p in parts if not p.isdigit())
        self.phrases = frozenset(phrases)
        self._strict = frozenset(strict)
        # Most words of a text start no name: one set look-up skips them.
        self._first_words = frozenset(p[0] for p in phrases)
        self.words = frozenset(words)
        self.lower_words = frozenset(w.lower() for w in words)
        self.longest = max((len(p) for p in phrases), default=1)

    def spans(self, text: str) -> list[Span]:
        """Every occurrence of a name in `text`, matched word by word and case-insensitively.

        `A/B test`, `a/b test` and `W&B` match as their words (`a b test`, `w b`); the match runs
        from the first word's start to the last word's end. Occurrences may overlap.
        """
        tokens = list(_WORD.finditer(text))
        lowered = [t.group(0).lower() for t in tokens]
        found: list[Span] = []
        for i in range(len(tokens)):
            if lowered[i] not in self._first_words:
                continue
            for n in range(1, min(self.longest, len(tokens) - i) + 1):
                phrase = tuple(lowered[i : i + n])
                if phrase in self.phrases and self._adjacent(text, tokens, i, n):
                    start, end = tokens[i].start(), tokens[i + n - 1].end()
                    inflectable = phrase not in self._strict and text[start:end].islower()
                    found.append(Span(start, end, inflectable))
        return found

    @staticmethod
    def _adjacent(text: str, tokens: list[re.Match[str]], i: int, n: int) -> bool:
        """Whether the n words from i form one phrase (only spaces or joiners between them)."""
        # "W&B", "A/B test", "training-serving skew", "as-of join": joiners inside a name; a
        # sentence end between two words ("... ONNX. Format ...") breaks the phrase.
        for a, b in zip(tokens[i : i + n - 1], tokens[i + 1 : i + n], strict=True):
            gap = text[a.end() : b.start()]
            if len(gap) > 3 or any(ch not in " &/-_'" for ch in gap):
                return False
        return True
