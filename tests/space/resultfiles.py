"""Result files in the SCHEMAS §3 shape, written the way `gaokerena eval` writes them (test helpers).

    from resultfiles import result_json, write_results
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


TINY_REPO = "tester/tiny-aya"
RESULTS_REPO = "tester/leaderboard-results"
SUBJECTS = {
    "anatomy": 135, "clinical_knowledge": 265, "college_biology": 144, "college_medicine": 173,
    "medical_genetics": 100, "professional_medicine": 272,
}  # fmt: skip


def result_json(
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
    n_records: int = 4,
    kqa: dict[str, float] | None = None,
) -> dict[str, Any]:
    """One evaluation result file as SCHEMAS §3 describes it (subject scores spread around ``accuracy``)."""
    config = config or {"mmlu-fa": "all", "ibmsee": "sept2023", "kqa-fa": "default"}[benchmark]
    subsets: dict[str, Any] = {}
    if benchmark == "mmlu-fa":
        for i, (name, n) in enumerate(SUBJECTS.items()):
            acc = min(1.0, max(0.0, accuracy + (i - 2.5) / 50))
            subsets[name] = {"accuracy": acc, "n": n, "correct": round(acc * n), "invalid": 0,
                             "ci95": [max(0.0, acc - 0.08), min(1.0, acc + 0.08)]}
    metrics: dict[str, Any] = {"accuracy": accuracy, "n": 1089, "correct": round(accuracy * 1089), "invalid": 3,
                               "ci95": [accuracy - 0.03, accuracy + 0.03], "acc,none": accuracy,
                               "acc_stderr,none": 0.015}
    if kqa:
        metrics = {"n": 201}
        for name, value in kqa.items():
            metrics[name] = value
            metrics[f"{name}_ci95"] = [value - 0.05, value + 0.05]
    bench = {"name": benchmark, "dataset_id": f"gaokerena/{benchmark}", "dataset_revision": None, "config": config,
             "split": "test"}
    if benchmark == "ibmsee":
        bench["pass_mark"] = 0.36
    letters = "ABCD"
    records = [{"id": f"{benchmark}-{i}", "subset": "anatomy", "gold": letters[i % 4],
                "prediction": letters[(i * 3) % 4] if i % 5 else "invalid", "correct": i % 2 == 0,
                "raw_output": f"پاسخ {letters[i % 4]}"} for i in range(n_records)]
    return {
        "schema_version": 1,
        "model": {"id": model_id, "revision": revision, "adapter": None,
                  "display_name": display_name or model_id.split("/")[-1], "type": model_type, "url": None},
        "benchmark": bench, "protocol": protocol, "metrics": metrics, "subsets": subsets, "records": records,
        "config": {"max_new_tokens": 16}, "versions": {"transformers": "5.23.0"}, "created_at": created_at,
        "source": "gaokerena eval",
    }


def file_name(data: dict[str, Any]) -> str:
    """`<model_slug>__<benchmark>__<protocol>.json`."""
    return f"{data['model']['id'].replace('/', '--')}__{data['benchmark']['name']}__{data['protocol']}.json"


def write_results(folder: Path, results: list[dict[str, Any]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for data in results:
        path = folder / file_name(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def standard_results() -> list[dict[str, Any]]:
    """Three models, both multiple-choice protocols, IBMSEE on each side of the pass mark, K-QA-fa."""
    return [
        result_json("gaokerena/gaokerena-v1.0", "mmlu-fa", "generate", 0.48, display_name="Gaokerena"),
        result_json("gaokerena/gaokerena-v1.0", "mmlu-fa", "loglikelihood", 0.52, display_name="Gaokerena"),
        result_json("gaokerena/gaokerena-v1.0", "ibmsee", "generate", 0.41, display_name="Gaokerena"),
        result_json("gaokerena/gaokerena-v1.0", "kqa-fa", "kqa-metrics", display_name="Gaokerena",
                    kqa={"comprehensiveness": 0.61, "hallucination_rate": 0.12}),
        result_json("CohereLabs/aya-expanse-8b", "mmlu-fa", "generate", 0.44, display_name="aya-expanse-8b",
                    model_type="base"),
        result_json("CohereLabs/aya-expanse-8b", "ibmsee", "generate", 0.33, display_name="aya-expanse-8b",
                    model_type="base"),
        result_json("medmobile+gemma2b", "mmlu-fa", "generate", 0.30, display_name="MedMobile + translator",
                    model_type="translation-pipeline"),
    ]
