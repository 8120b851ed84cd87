"""Result files for the Space's tests, made and written by `gaokerena eval`'s own code: per-question records scored
by ``hub_tools.evaluation.mc.score_records`` into a ``schema.Result``, saved by ``Result.save`` (which validates).

    from resultfiles import make_result, write_results
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from hub_tools.evaluation.mc import model_info, score_records
from hub_tools.evaluation.schema import BenchmarkInfo, Result, ibmsee_pass_mark, result_filename


# Named once per test session, so no two sessions (or a repo another test makes) share them on one Hub.
_SESSION = uuid.uuid4().hex[:8]
TINY_REPO = f"tester/tiny-aya-{_SESSION}"
RESULTS_REPO = f"tester/leaderboard-results-{_SESSION}"
SUBJECTS = (
    "anatomy", "clinical_knowledge", "college_biology", "college_medicine", "medical_genetics",
    "professional_medicine",
)  # fmt: skip
LETTERS = "ABCD"
DEFAULT_N = {"mmlu-fa": 600, "ibmsee": 168}


def _records(benchmark: str, accuracy: float, n: int, spread: bool) -> list[dict[str, Any]]:
    """``n`` multiple-choice records, ``round(accuracy * n)`` of them correct (spread over the MMLU subjects
    around ``accuracy`` when ``spread``), a few invalid answers among the wrong ones."""
    subjects = SUBJECTS if benchmark == "mmlu-fa" else ("medicine-1402-06",)
    per = [n // len(subjects) + (1 if i < n % len(subjects) else 0) for i in range(len(subjects))]
    records = []
    for s, (subject, size) in enumerate(zip(subjects, per)):
        acc = min(1.0, max(0.0, accuracy + ((s - 2.5) / 50 if spread and benchmark == "mmlu-fa" else 0)))
        right = round(acc * size)
        for i in range(size):
            gold = LETTERS[i % 4]
            wrong = "invalid" if i % 7 == 0 else LETTERS[(i + 1) % 4]
            prediction = gold if i < right else wrong
            records.append({"id": f"{benchmark}-{subject}-{i}", "subset": subject, "gold": gold,
                            "prediction": prediction, "correct": prediction == gold,
                            "raw_output": f"پاسخ {prediction}"})
    return records


def make_result(
    model_id: str,
    benchmark: str = "mmlu-fa",
    protocol: str = "generate",
    accuracy: float = 0.5,
    *,
    display_name: str | None = None,
    model_type: str = "fine-tuned",
    revision: str | None = None,
    config: str | None = None,
    created_at: str = "2025-06-01T00:00:00Z",
    n: int | None = None,
    kqa: dict[str, float] | None = None,
    source: str = "gaokerena eval",
) -> Result:
    """One evaluation result as `gaokerena eval` builds it (``n`` questions; per-subject for MMLU-fa)."""
    config = config or {"mmlu-fa": "all", "ibmsee": "medicine-1402-06", "kqa-fa": "default"}[benchmark]
    model = model_info(model_id, None, model_id=model_id, display_name=display_name or model_id.split("/")[-1],
                       model_type=model_type, revision=revision)
    bench = BenchmarkInfo(name=benchmark, dataset_id=f"gaokerena/{benchmark}", config=config,
                          pass_mark=ibmsee_pass_mark(config) if benchmark == "ibmsee" else None)
    if kqa:
        metrics: dict[str, Any] = {"n": n or 201}
        for name, value in kqa.items():
            metrics[name] = value
            high = value + 0.05 if name == "Hall" else min(1.0, value + 0.05)  # Hall is a count, not a share
            metrics[f"{name}_ci95"] = [max(0.0, value - 0.05), high]
        return Result(model=model, benchmark=bench, protocol=protocol, metrics=metrics, created_at=created_at,
                      source=source)
    records = _records(benchmark, accuracy, n or DEFAULT_N[benchmark], spread=config == "all")
    if benchmark == "ibmsee":
        records = [{**r, "subset": config} for r in records]
    if config in SUBJECTS:
        records = [{**r, "subset": config} for r in records]
    metrics, subsets = score_records(records, resamples=50)
    return Result(model=model, benchmark=bench, protocol=protocol, metrics=metrics, subsets=subsets,
                  records=records, config={"max_new_tokens": 16}, versions={"transformers": "5.23.0"},
                  created_at=created_at, source=source)


def result_json(*args, **kwargs) -> dict[str, Any]:
    """:func:`make_result` as the JSON object the file holds."""
    return make_result(*args, **kwargs).to_dict()


def file_name(data: dict[str, Any] | Result) -> str:
    """`<model_slug>__<benchmark>__<protocol>.json`, as `gaokerena eval` names it."""
    return result_filename(data)


def write_results(folder: Path, results: list[Result | dict[str, Any]]) -> list[Path]:
    """Save each result into ``folder`` with ``Result.save`` (validated, named by ``result_filename``)."""
    paths = []
    for result in results:
        result = result if isinstance(result, Result) else Result.from_dict(result)
        paths.append(result.save(folder))
    return paths


def standard_results() -> list[Result]:
    """Three models, both multiple-choice protocols, IBMSEE on each side of the pass mark, K-QA-fa, a paper
    re-score, and a gibberish model with 8 IBMSEE questions (below the leaderboard's minimum n)."""
    return [
        make_result("gaokerena/gaokerena-v1.0", "mmlu-fa", "generate", 0.48, display_name="Gaokerena"),
        make_result("gaokerena/gaokerena-v1.0", "mmlu-fa", "loglikelihood", 0.52, display_name="Gaokerena"),
        make_result("gaokerena/gaokerena-v1.0", "ibmsee", "generate", 0.47, display_name="Gaokerena"),
        make_result("gaokerena/gaokerena-v1.0", "kqa-fa", "kqa-metrics", display_name="Gaokerena",
                    kqa={"Comp": 0.61, "Hall": 0.35, "answers_with_contradiction_share": 0.12}),
        make_result("CohereLabs/aya-expanse-8b", "mmlu-fa", "generate", 0.44, display_name="aya-expanse-8b",
                    model_type="base", source="paper import"),
        make_result("CohereLabs/aya-expanse-8b", "ibmsee", "generate", 0.25, display_name="aya-expanse-8b",
                    model_type="base", source="paper import"),
        make_result("medmobile+gemma2b", "mmlu-fa", "generate", 0.30, display_name="MedMobile + translator",
                    model_type="translation-pipeline"),
        make_result("someone/gibberish", "ibmsee", "generate", 0.5, display_name="Gibberish", model_type="general",
                    n=8),
    ]
