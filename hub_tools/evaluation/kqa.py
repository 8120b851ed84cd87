"""K-QA-fa: free-form answers judged by an LLM.

Result files (SCHEMAS §3, benchmark "kqa-fa"); the protocol names the judging mode, and the leaderboard keeps each
mode in its own columns (scores of different modes are never ranked together):

pairwise (with ``--against``)
    Each question's answer pair is judged twice, ours as A / theirs as B and then swapped. Both verdicts for ours
    -> win, both for theirs -> loss, anything else (inconsistent, a TIE verdict, an unparseable verdict) -> tie.
    ``win_rate = (wins + ties / 2) / n``; wins, ties, losses and how many pairs had an unparseable verdict are
    reported too. ``win_rate_ci95`` bootstraps the per-question scores (1, ½, 0).
kqa (``--judge-mode kqa``, the default)
    K-QA's own protocol (Manes et al., 2024, arXiv:2401.14493; github.com/Itaymanes/K-QA, ``run_eval.py`` and
    ``evaluation/metrics.py``): two separate yes/no questions per statement, "does the answer entail it?" (asked of
    must-have statements only) and "does the answer contradict it?" (asked of must-have and nice-to-have
    statements), so one statement can count both ways. With N the number of questions in the dataset (the fixed
    denominator, K-QA's ``N_QUESTIONS``; with ``--limit`` it stays the full count) and n the questions answered:
    - ``Comp`` = sum over answered questions of (entailed must-have / must-have) / N; a question without must-have
      statements adds nothing to the sum and still counts in N, as in K-QA. ``Comp_norm`` = the mean of that
      share over the answered questions that have must-have statements (pandas' mean skips K-QA's NaN).
    - ``Hall`` = contradicted statements (must-have and nice-to-have) / N; ``Hall_norm`` = the same count / n.
      ``Hall`` is a count per question, not a share, and lower is better
      (:data:`~hub_tools.evaluation.schema.LOWER_IS_BETTER`).
    On a complete run (n = N) ``Comp``/``Hall`` are K-QA's published metrics computed on this judge's verdicts; the
    judge (model and prompts) differs from K-QA's GPT-4 prompts, so the figures are not K-QA's published numbers.
kqa-3way (``--judge-mode kqa-3way``)
    The project's single three-way verdict per statement (entailed / contradicted / neutral): a statement is
    entailed or contradicted, never both. The same formulas and names as ``kqa`` on those verdicts. Its figures
    are comparable only with other ``kqa-3way`` figures.
Both metric modes also report the project's own figure: ``answers_with_contradiction_share`` = share of answers
that contradict at least one statement (``answers_with_must_have_contradiction_share``: at least one must-have
statement). Files written before the modes carry protocol ``kqa-metrics`` (one three-way verdict, Comp averaged
over the judged questions that had must-have statements); the schema still reads them and the leaderboard shows
them under their own protocol. An unparseable verdict counts as neither entailed nor contradicted (K-QA reads a
reply without "true" as false) and is reported in ``unparseable``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from . import stats
from .data import KQAItem, load_benchmark
from .judge import UNPARSEABLE, Judge, parse_pairwise, parse_statement, parse_yes_no
from .mc import model_info, run_source
from .prompts import (
    PAIRWISE_SYSTEM,
    STATEMENT_SYSTEM,
    YES_NO_SYSTEM,
    kqa_prompt,
    pairwise_prompt,
    statement_prompt,
    yes_no_prompt,
)
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


MODES = ("kqa", "kqa-3way")


def _statement_prompts(items: Sequence[KQAItem], answers: Sequence[str], mode: str):
    """(prompts, index): one prompt per question asked; index = (item, kind, statement number, relation)."""
    prompts, index = [], []
    for k, (item, answer) in enumerate(zip(items, answers)):
        for kind, statements in (("must_have", item.must_have), ("nice_to_have", item.nice_to_have)):
            for j, statement in enumerate(statements):
                if mode == "kqa-3way":
                    prompts.append((STATEMENT_SYSTEM, statement_prompt(item.question, answer, statement)))
                    index.append((k, kind, j, "three-way"))
                    continue
                relations = ("entailed", "contradicted") if kind == "must_have" else ("contradicted",)
                for relation in relations:  # K-QA asks "entails?" of must-have statements only
                    user = yes_no_prompt(item.question, answer, statement, relation)
                    prompts.append((YES_NO_SYSTEM[relation], user))
                    index.append((k, kind, j, relation))
    return prompts, index


def judge_statements(judge: Judge, items: Sequence[KQAItem], answers: Sequence[str], mode: str = "kqa") -> list[dict]:
    """Per question, every statement with its judgement: ``{"must_have": [...], "nice_to_have": [...]}``, each
    statement ``{"statement", "entailed": bool, "contradicted": bool, "unparseable": int, "raw": {...},
    "parsed": {...}}``."""
    if mode not in MODES:
        raise ValueError(f"unknown K-QA judging mode {mode!r} (choose from {', '.join(MODES)})")
    prompts, index = _statement_prompts(items, answers, mode)
    raw = judge.complete(prompts) if prompts else []
    per_item: list[dict] = [
        {kind: [{"statement": st, "raw": {}, "parsed": {}} for st in getattr(item, kind)]
         for kind in ("must_have", "nice_to_have")}
        for item in items
    ]  # fmt: skip
    for (k, kind, j, relation), text in zip(index, raw):
        entry = per_item[k][kind][j]
        entry["raw"][relation] = text
        entry["parsed"][relation] = parse_statement(text) if relation == "three-way" else parse_yes_no(text, relation)
    for verdicts in per_item:
        for entry in verdicts["must_have"] + verdicts["nice_to_have"]:
            parsed = entry["parsed"]
            if "three-way" in parsed:
                entry["entailed"] = parsed["three-way"] == "entailed"
                entry["contradicted"] = parsed["three-way"] == "contradicted"
            else:
                entry["entailed"] = parsed.get("entailed") == "yes"
                entry["contradicted"] = parsed.get("contradicted") == "yes"
            entry["unparseable"] = sum(value == UNPARSEABLE for value in parsed.values())
    return per_item


def kqa_scores(per_item: Sequence[dict], n_total: int | None = None) -> dict:
    """K-QA's formulas (``evaluation/metrics.py``) on per-question judgements: Comp, Comp_norm, Hall, Hall_norm,
    N_contra, N_answered_questions, with ``n_total`` (default: the questions given) as the fixed denominator."""
    n = len(per_item)
    total = n if n_total is None else n_total
    if total < n:
        raise ValueError(f"the fixed denominator ({total}) is below the questions answered ({n})")
    recalls = [_recall(v["must_have"]) for v in per_item]
    contra = sum(_contradicted(v) for v in per_item)
    known = [r for r in recalls if r is not None]
    return {
        "Comp": sum(known) / total if total else 0.0,
        "Comp_norm": sum(known) / len(known) if known else 0.0,
        "Hall": contra / total if total else 0.0,
        "Hall_norm": contra / n if n else 0.0,
        "N_contra": contra,
        "N_answered_questions": n,
        "N_questions": total,
    }


def _recall(must: Sequence[dict]) -> float | None:
    return sum(bool(v["entailed"]) for v in must) / len(must) if must else None


def _contradicted(verdicts: dict) -> int:
    return sum(bool(v["contradicted"]) for v in verdicts["must_have"] + verdicts["nice_to_have"])


def judge_kqa_metrics(judge: Judge, items: Sequence[KQAItem], answers: Sequence[str], *, mode: str = "kqa",
                      n_total: int | None = None, resamples: int = stats.DEFAULT_RESAMPLES,
                      seed: int = stats.DEFAULT_SEED):  # fmt: skip
    """(metrics, records): K-QA's Comp/Hall (and their ``_norm`` forms) in the given judging mode, and the share of
    answers with a contradiction."""
    per_item = judge_statements(judge, items, answers, mode)
    scores = kqa_scores(per_item, n_total)
    n, total = scores["N_answered_questions"], scores["N_questions"]
    records, recall_values, hall_any, hall_must, contra_counts = [], [], [], [], []
    for item, answer, verdicts in zip(items, answers, per_item):
        recall = _recall(verdicts["must_have"])
        if recall is not None:
            recall_values.append(recall)
        contradicted = _contradicted(verdicts)
        contradicted_must = sum(bool(v["contradicted"]) for v in verdicts["must_have"])
        hall_any.append(1.0 if contradicted else 0.0)
        hall_must.append(1.0 if contradicted_must else 0.0)
        contra_counts.append(float(contradicted))
        records.append({
            "id": item.id, "subset": SUBSET, "question": item.question, "raw_output": answer,
            "comprehensiveness": recall, "contradicted_statements": contradicted,
            "must_have_verdicts": verdicts["must_have"], "nice_to_have_verdicts": verdicts["nice_to_have"],
        })  # fmt: skip
    share = n / total if total else 0.0  # the fixed denominator scales the per-question means
    comp_values = [r if r is not None else 0.0 for r in (rec["comprehensiveness"] for rec in records)]

    def scaled(values: list[float], factor: float) -> list[float]:
        lo, hi = stats.bootstrap_ci(values, resamples=resamples, seed=seed)
        return [lo * factor, hi * factor]

    metrics = {
        **{key: scores[key] for key in ("Comp", "Comp_norm", "Hall", "Hall_norm")},
        "Comp_ci95": scaled(comp_values, share),
        "Comp_norm_ci95": scaled(recall_values, 1.0),
        "Hall_ci95": scaled(contra_counts, share),
        "Hall_norm_ci95": scaled(contra_counts, 1.0),
        "N_contra": scores["N_contra"],
        "N_answered_questions": n,
        "N_questions": total,
        "answers_with_contradiction_share": sum(hall_any) / n if n else 0.0,
        "answers_with_contradiction_share_ci95": stats.bootstrap_ci(hall_any, resamples=resamples, seed=seed),
        "answers_with_must_have_contradiction_share": sum(hall_must) / n if n else 0.0,
        "contradicted_statements": scores["N_contra"],
        "n": n,
        "n_with_must_have": len(recall_values),
        "statements_judged": sum(len(v["must_have"]) + len(v["nice_to_have"]) for v in per_item),
        "judge_questions": sum(len(e["parsed"]) for v in per_item for e in v["must_have"] + v["nice_to_have"]),
        "unparseable": sum(e["unparseable"] for v in per_item for e in v["must_have"] + v["nice_to_have"]),
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
    mode: str = "kqa",
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
    """Answer K-QA-fa (or reuse ``answers``), then judge: K-QA's metrics in ``mode`` ("kqa" or "kqa-3way", the
    result's protocol; unless ``metrics=False``) and, with ``against``, pairwise. Returns the results (not yet
    saved)."""
    from .runner import hardware, load_model, versions

    if metrics and mode not in MODES:
        raise ValueError(f"unknown K-QA judging mode {mode!r} (choose from {', '.join(MODES)})")
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
            config={**common_config, "judge_mode": protocol, **extra_config},
            versions=versions(),
            created_at=utc_now(),
            source="gaokerena eval",
        )

    results = []
    if metrics:
        t0 = time.perf_counter()
        values, records = judge_kqa_metrics(judge, data.items, ours, mode=mode, n_total=data.total,
                                            resamples=resamples, seed=seed)  # fmt: skip
        results.append(make(mode, values, records, {"judge_wall_time_s": round(time.perf_counter() - t0, 3)}))
    if against:
        theirs, source = load_answers(against)
        t0 = time.perf_counter()
        values, records = judge_pairwise(judge, data.items, ours, theirs, resamples=resamples, seed=seed)
        results.append(make("pairwise", values, records,
                            {"against": source, "judge_wall_time_s": round(time.perf_counter() - t0, 3)}))  # fmt: skip
    if not results:
        raise ValueError("nothing to judge: give --against for the pairwise win rate, or keep the K-QA metrics on")
    return results
