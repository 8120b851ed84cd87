"""K-QA-fa: free-form answers judged by an LLM.

Two result files (SCHEMAS §3, benchmark "kqa-fa"):

pairwise (with ``--against``)
    Each question's answer pair is judged twice, ours as A / theirs as B and then swapped. Both verdicts for ours
    -> win, both for theirs -> loss, anything else (inconsistent, a TIE verdict, an unparseable verdict) -> tie.
    ``win_rate = (wins + ties / 2) / n``; wins, ties, losses and how many pairs had an unparseable verdict are
    reported too. ``win_rate_ci95`` bootstraps the per-question scores (1, ½, 0).
kqa-metrics
    K-QA's own metrics, as its paper (Manes et al., 2024, arXiv:2401.14493) and its reference code
    (github.com/Itaymanes/K-QA, ``evaluation/metrics.py``) define them. Every must-have and nice-to-have statement
    is judged against the answer (entailed / contradicted / neutral).
    - ``Comp`` (comprehensiveness): per question, entailed must-have statements / must-have statements; ``Comp``
      is the mean over the questions (questions without must-have statements are left out; K-QA has none).
    - ``Hall`` (hallucination rate): per question, the **number** of gold statements (must-have and nice-to-have,
      as K-QA's code counts both) the answer contradicts; ``Hall`` is the mean count per question. It is a count,
      not a share, and lower is better (:data:`~hub_tools.evaluation.schema.LOWER_IS_BETTER`).
    - The project's own figure: ``answers_with_contradiction_share`` = share of answers that contradict at least
      one statement (``answers_with_must_have_contradiction_share``: at least one must-have statement). Files
      written before this change called that share ``hallucination_rate``; the schema still reads them.
    An unparseable statement verdict counts as neither entailed nor contradicted and is reported in
    ``unparseable``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from . import stats
from .data import KQAItem, load_benchmark
from .judge import UNPARSEABLE, Judge, parse_pairwise, parse_statement
from .mc import model_info, run_source
from .prompts import PAIRWISE_SYSTEM, STATEMENT_SYSTEM, kqa_prompt, pairwise_prompt, statement_prompt
from .schema import BenchmarkInfo, Result, load_result, utc_now

logger = logging.getLogger(__name__)
SUBSET = "kqa-fa"


def generate_answers(lm, items: Sequence[KQAItem], *, batch_size: int = 8, max_new_tokens: int = 512) -> list[str]:
    from .runner import chat_text, generate

    prompts = [chat_text(lm.tokenizer, kqa_prompt(item.question)) for item in items]
    return generate(lm, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size)


def load_answers(path: str | Path) -> tuple[dict[str, str], dict]:
    """Answers by question id from a previous kqa result file (its records' ``raw_output``) or a JSON / JSON-lines
    file of ``{"id", "answer"}`` objects; returns (answers, description of the source)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--against/--answers: no such file {path}")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict) and "schema_version" in data:
        result = load_result(path)
        if result.benchmark.name != "kqa-fa":
            raise ValueError(f"{path}: a {result.benchmark.name} result has no K-QA answers")
        return {r["id"]: r["raw_output"] for r in result.records}, {"file": str(path), "model": result.model.id,
                                                                     "display_name": result.model.display_name}
    if data is None:
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}: line {number} is not JSON ({err})") from None
    elif isinstance(data, list):
        rows = data
    elif isinstance(data, dict):
        rows = [{"id": key, "answer": value} for key, value in data.items()]
    else:
        raise ValueError(f"{path}: expected a result file, a JSON list or JSON lines of {{id, answer}}")
    answers = {}
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict) or "id" not in row or not ({"answer", "raw_output"} & set(row)):
            raise ValueError(f"{path}: row {number} needs 'id' and 'answer'")
        answers[str(row["id"])] = str(row.get("answer", row.get("raw_output", "")))
    return answers, {"file": str(path), "model": None}


def judge_pairwise(judge: Judge, items: Sequence[KQAItem], ours: Sequence[str], theirs: dict[str, str],
                   *, resamples: int = stats.DEFAULT_RESAMPLES, seed: int = stats.DEFAULT_SEED):  # fmt: skip
    """(metrics, records) for the questions both systems answered."""
    pairs = [(item, answer, theirs[item.id]) for item, answer in zip(items, ours) if item.id in theirs]
    if not pairs:
        raise ValueError("no question id is answered by both systems (check --against)")
    prompts = []
    for item, mine, other in pairs:
        prompts.append((PAIRWISE_SYSTEM, pairwise_prompt(item.question, mine, other)))
        prompts.append((PAIRWISE_SYSTEM, pairwise_prompt(item.question, other, mine)))
    raw = judge.complete(prompts)
    records, scores = [], []
    counts = {"wins": 0, "ties": 0, "losses": 0, "unparseable": 0}
    for k, (item, mine, other) in enumerate(pairs):
        first, second = raw[2 * k], raw[2 * k + 1]
        v1, v2 = parse_pairwise(first), parse_pairwise(second)
        ours_first = {"A": "ours", "B": "theirs"}.get(v1, v1)
        ours_second = {"A": "theirs", "B": "ours"}.get(v2, v2)
        if UNPARSEABLE in (v1, v2):
            outcome = "tie"
            counts["unparseable"] += 1
        elif ours_first == ours_second == "ours":
            outcome = "win"
        elif ours_first == ours_second == "theirs":
            outcome = "loss"
        else:
            outcome = "tie"
        counts[{"win": "wins", "tie": "ties", "loss": "losses"}[outcome]] += 1
        scores.append({"win": 1.0, "tie": 0.5, "loss": 0.0}[outcome])
        records.append({
            "id": item.id, "subset": SUBSET, "question": item.question, "raw_output": mine, "against_output": other,
            "verdicts": [{"order": "ours=A", "raw": first, "parsed": v1}, {"order": "ours=B", "raw": second, "parsed": v2}],
            "outcome": outcome,
        })  # fmt: skip
    n = len(pairs)
    metrics = {
        "win_rate": sum(scores) / n,
        "win_rate_ci95": stats.bootstrap_ci(scores, resamples=resamples, seed=seed),
        "n": n,
        **counts,
        "win_rate_strict": counts["wins"] / n,
        "loss_rate": counts["losses"] / n,
    }
    return metrics, records


def judge_kqa_metrics(judge: Judge, items: Sequence[KQAItem], answers: Sequence[str],
                      *, resamples: int = stats.DEFAULT_RESAMPLES, seed: int = stats.DEFAULT_SEED):  # fmt: skip
    """(metrics, records): K-QA's Comp and Hall, and the share of answers with a contradiction."""
    prompts, index = [], []
    for k, (item, answer) in enumerate(zip(items, answers)):
        for kind, statements in (("must_have", item.must_have), ("nice_to_have", item.nice_to_have)):
            for statement in statements:
                prompts.append((STATEMENT_SYSTEM, statement_prompt(item.question, answer, statement)))
                index.append((k, kind, statement))
    raw = judge.complete(prompts) if prompts else []
    per_item: list[dict] = [{"must_have": [], "nice_to_have": []} for _ in items]
    for (k, kind, statement), text in zip(index, raw):
        per_item[k][kind].append({"statement": statement, "raw": text, "verdict": parse_statement(text)})
    records, comp_values, hall_any, hall_must, hall_counts = [], [], [], [], []
    unparseable = 0
    for item, answer, verdicts in zip(items, answers, per_item):
        must, nice = verdicts["must_have"], verdicts["nice_to_have"]
        unparseable += sum(v["verdict"] == UNPARSEABLE for v in must + nice)
        entailed = sum(v["verdict"] == "entailed" for v in must)
        contradicted_must = sum(v["verdict"] == "contradicted" for v in must)
        contradicted = contradicted_must + sum(v["verdict"] == "contradicted" for v in nice)
        comp = entailed / len(must) if must else None
        if comp is not None:
            comp_values.append(comp)
        hall_any.append(1.0 if contradicted else 0.0)
        hall_must.append(1.0 if contradicted_must else 0.0)
        hall_counts.append(contradicted)
        records.append({
            "id": item.id, "subset": SUBSET, "question": item.question, "raw_output": answer,
            "comprehensiveness": comp, "contradicted_statements": contradicted, "must_have_verdicts": must,
            "nice_to_have_verdicts": nice,
        })  # fmt: skip
    n = len(items)
    metrics = {
        "Comp": sum(comp_values) / len(comp_values) if comp_values else 0.0,
        "Comp_ci95": stats.bootstrap_ci(comp_values, resamples=resamples, seed=seed),
        "Hall": sum(hall_counts) / n if n else 0.0,
        "Hall_ci95": stats.bootstrap_ci([float(c) for c in hall_counts], resamples=resamples, seed=seed),
        "answers_with_contradiction_share": sum(hall_any) / n if n else 0.0,
        "answers_with_contradiction_share_ci95": stats.bootstrap_ci(hall_any, resamples=resamples, seed=seed),
        "answers_with_must_have_contradiction_share": sum(hall_must) / n if n else 0.0,
        "contradicted_statements": sum(hall_counts),
        "n": n,
        "n_with_must_have": len(comp_values),
        "statements_judged": len(prompts),
        "unparseable": unparseable,
    }
    return metrics, records


def evaluate_kqa(
    *,
    model: str,
    judge: Judge,
    revision: str | None = None,
    adapter: str | None = None,
    dataset: str | None = None,
    config: str | None = None,
    dataset_revision: str | None = None,
    dataset_id: str | None = None,
    against: str | None = None,
    answers: str | None = None,
    metrics: bool = True,
    limit: int | None = None,
    batch_size: int = 8,
    max_new_tokens: int = 512,
    display_name: str | None = None,
    model_type: str | None = None,
    model_id: str | None = None,
    dtype: str = "auto",
    device: str | None = None,
    resamples: int = stats.DEFAULT_RESAMPLES,
    seed: int = stats.DEFAULT_SEED,
    loaded=None,
) -> list[Result]:
    """Answer K-QA-fa (or reuse ``answers``), then judge: kqa-metrics (unless ``metrics=False``) and, with
    ``against``, pairwise. Returns the results (not yet saved)."""
    from .runner import hardware, load_model, versions

    data = load_benchmark("kqa-fa", dataset, config, revision=dataset_revision, dataset_id=dataset_id, limit=limit)
    if not data.items:
        raise ValueError(f"{data.source} has no K-QA questions")
    start = time.perf_counter()
    lm = None
    if answers:
        given, _ = load_answers(answers)
        missing = [item.id for item in data.items if item.id not in given]
        if missing:
            raise ValueError(f"{answers}: no answer for {len(missing)} question(s), e.g. {missing[:3]}")
        ours = [given[item.id] for item in data.items]
    else:
        lm = loaded or load_model(model, revision=revision, adapter=adapter, dtype=dtype, device=device)
        ours = generate_answers(lm, data.items, batch_size=batch_size, max_new_tokens=max_new_tokens)
    generation_s = time.perf_counter() - start
    common_config = {
        **run_source(model, adapter, data, limit=limit, batch_size=batch_size),
        "answers_from": answers, "decoding": {"do_sample": False, "max_new_tokens": max_new_tokens},
        "prompt": "hub_tools.evaluation.prompts.kqa_prompt in the model's chat template",
        "judge": judge.describe(), "bootstrap": {"resamples": resamples, "seed": seed},
        "hardware": hardware(lm), "generation_wall_time_s": round(generation_s, 3),
    }  # fmt: skip

    def make(protocol: str, metric_values: dict, records: list[dict], extra_config: dict) -> Result:
        return Result(
            model=model_info(model, adapter, model_id=model_id, display_name=display_name, model_type=model_type,
                             revision=revision),  # fmt: skip
            benchmark=BenchmarkInfo(name="kqa-fa", dataset_id=data.dataset_id, config=data.config, split=data.split,
                                    dataset_revision=data.revision),  # fmt: skip
            protocol=protocol,
            metrics=metric_values,
            subsets={},
            records=records,
            config={**common_config, **extra_config},
            versions=versions(),
            created_at=utc_now(),
            source="gaokerena eval",
        )

    results = []
    if metrics:
        t0 = time.perf_counter()
        values, records = judge_kqa_metrics(judge, data.items, ours, resamples=resamples, seed=seed)
        results.append(make("kqa-metrics", values, records, {"judge_wall_time_s": round(time.perf_counter() - t0, 3)}))
    if against:
        theirs, source = load_answers(against)
        t0 = time.perf_counter()
        values, records = judge_pairwise(judge, data.items, ours, theirs, resamples=resamples, seed=seed)
        results.append(make("pairwise", values, records,
                            {"against": source, "judge_wall_time_s": round(time.perf_counter() - t0, 3)}))  # fmt: skip
    if not results:
        raise ValueError("nothing to judge: give --against for the pairwise win rate, or keep the K-QA metrics on")
    return results
