"""Multiple-choice evaluation (MMLU-fa, IBMSEE) with two protocols.

generate
    The paper's protocol: the paper's Persian prompt (``prompts.mc_prompt``) in the model's chat template (aya's
    for Gaokerena), greedy decoding, ``extract_choice(completion, question.choices)`` (an answer given as an
    option's text counts); no option found -> "invalid" (wrong). Each record keeps the decision trace
    (``extraction``: the reason and the mentions behind it).
    ``engine`` (``--engine``): transformers' continuous batching (``generate_batch``; default on a GPU) or static
    length-sorted batches that stop when all their rows are done (default on the CPU); the same completions.
loglikelihood
    One forward pass per question over chat-template(prompt) + ``"پاسخ صحیح گزینه ["``; the option whose letter
    token is most likely next wins (argmax of log P over A-D; " A"/"A" spellings are summed). Never invalid.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from . import stats
from .data import LoadedBenchmark, MCQuestion, load_benchmark
from .extract import INVALID, decision_trace
from .prompts import LETTERS, LOGLIKELIHOOD_ANSWER_PREFIX, mc_prompt
from .schema import BenchmarkInfo, ModelInfo, Result, utc_now

logger = logging.getLogger(__name__)

BACKENDS = ("transformers", "llama.cpp")
#: The model type of a result scored on a quantized file (the leaderboard marks it as a quant).
QUANTIZED = "quantized"


def default_model_id(model: str, adapter: str | None) -> str:
    """What the result calls the evaluated system: the adapter when there is one, else the model.

    Hub ids are kept; a local folder is named by its directory name.
    """
    target = adapter or model
    path = Path(target).expanduser()
    if path.exists():
        return path.resolve().name
    return target


def default_model_type(model_id: str, adapter: str | None) -> str:
    return "fine-tuned" if adapter or "gaokerena" in model_id.lower() else "general"


def model_url(model_id: str) -> str | None:
    if Path(model_id).expanduser().exists() or "/" not in model_id:
        return None
    import os

    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    return f"{endpoint}/{model_id}"


def model_info(
    model: str,
    adapter: str | None,
    *,
    model_id: str | None = None,
    display_name: str | None = None,
    model_type: str | None = None,
    revision: str | None = None,
) -> ModelInfo:
    """A result's ``model`` block; what is not given comes from the defaults above."""
    system_id = model_id or default_model_id(model, adapter)
    return ModelInfo(
        id=system_id,
        display_name=display_name or system_id.split("/")[-1],
        type=model_type or default_model_type(system_id, adapter),
        revision=revision,
        adapter=adapter,
        url=model_url(system_id),
    )


def run_source(model: str, adapter: str | None, data, *, limit: int | None, batch_size: int) -> dict:
    """The first keys of a result's ``config``: what was evaluated, on what, how many at a time."""
    return {
        "model_path": model,
        "adapter_path": adapter,
        "base_model": model if adapter else None,
        "dataset_path": data.source,
        "limit": limit,
        "batch_size": batch_size,
    }


def score_records(records: list[dict], *, resamples: int = stats.DEFAULT_RESAMPLES, seed: int = stats.DEFAULT_SEED):
    """(metrics, subsets) of SCHEMAS §3 from per-question records."""
    correct = [bool(r["correct"]) for r in records]
    invalid = [r["prediction"] == INVALID for r in records]
    metrics = stats.accuracy_block(correct, invalid, resamples=resamples, seed=seed)
    metrics["acc,none"] = metrics["accuracy"]
    metrics["acc_stderr,none"] = stats.mean_stderr([float(c) for c in correct])
    subsets: dict[str, dict] = {}
    for name in sorted({r["subset"] for r in records}):
        rows = [r for r in records if r["subset"] == name]
        subsets[name] = stats.accuracy_block(
            [bool(r["correct"]) for r in rows], [r["prediction"] == INVALID for r in rows],
            resamples=resamples, seed=seed,
        )  # fmt: skip
    return metrics, subsets


def _record(question: MCQuestion, prediction: str, raw: str, **extra) -> dict:
    return {
        "id": question.id,
        "subset": question.subset,
        "gold": question.gold,
        "prediction": prediction,
        "correct": prediction == question.gold,
        "raw_output": raw,
        **extra,
    }


def predict_generate(
    lm, questions: Sequence[MCQuestion], *, batch_size: int, max_new_tokens: int, engine: str = "auto"
) -> list[dict]:
    from .runner import chat_text, generate_answers

    prompts = [chat_text(lm.tokenizer, mc_prompt(q.question, q.choices)) for q in questions]
    outputs = generate_answers(lm, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size, engine=engine)
    records = []
    for q, text in zip(questions, outputs):
        trace = decision_trace(text, q.choices, q.question)
        records.append(_record(q, trace["choice"], text, extraction=trace))
    return records


def predict_loglikelihood(
    lm, questions: Sequence[MCQuestion], *, batch_size: int, answer_prefix: str = LOGLIKELIHOOD_ANSWER_PREFIX
) -> list[dict]:
    from .llama_backend import LlamaCppModel
    from .runner import chat_text, letter_token_ids, next_token_logprobs

    candidates = letter_token_ids(lm.tokenizer, LETTERS)
    contexts = [chat_text(lm.tokenizer, mc_prompt(q.question, q.choices), answer_prefix) for q in questions]
    if isinstance(lm, LlamaCppModel):
        scores = lm.next_token_logprobs(contexts, candidates)
    else:
        scores = next_token_logprobs(lm, contexts, candidates, batch_size=batch_size)
    records = []
    for q, score in zip(questions, scores):
        best = max(LETTERS, key=lambda letter: (score[letter], -LETTERS.index(letter)))
        rounded = {letter: round(value, 6) for letter, value in score.items()}
        records.append(_record(q, best, json.dumps(rounded), logprobs=rounded))
    return records


def evaluate_mc(
    *,
    model: str,
    benchmark: str,
    protocol: str,
    revision: str | None = None,
    adapter: str | None = None,
    dataset: str | None = None,
    config: str | None = None,
    dataset_revision: str | None = None,
    dataset_id: str | None = None,
    limit: int | None = None,
    batch_size: int = 8,
    max_new_tokens: int = 512,
    answer_prefix: str = LOGLIKELIHOOD_ANSWER_PREFIX,
    display_name: str | None = None,
    model_type: str | None = None,
    model_id: str | None = None,
    dtype: str = "auto",
    device: str | None = None,
    resamples: int = stats.DEFAULT_RESAMPLES,
    seed: int = stats.DEFAULT_SEED,
    loaded=None,
    data: LoadedBenchmark | None = None,
    engine: str = "auto",
    backend: str = "transformers",
) -> Result:
    """Run one benchmark × protocol and return the result (not yet saved). ``backend="llama.cpp"``: ``model`` is a
    GGUF file scored through llama.cpp's logits (:mod:`hub_tools.evaluation.llama_backend`; loglikelihood only)."""
    from .runner import generation_engine, hardware, load_model, versions

    if protocol not in ("generate", "loglikelihood"):
        raise ValueError(f"unknown protocol {protocol!r} (generate or loglikelihood)")
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} ({' or '.join(BACKENDS)})")
    if backend == "llama.cpp" and (protocol != "loglikelihood" or adapter):
        raise ValueError("the llama.cpp backend scores the loglikelihood protocol of a GGUF file (no --adapter)")
    data = data or load_benchmark(
        benchmark, dataset, config, revision=dataset_revision, dataset_id=dataset_id, limit=limit
    )
    if not data.items:
        raise ValueError(f"{data.source} ({data.config}) has no questions to evaluate")
    if loaded is not None:
        lm = loaded
    elif backend == "llama.cpp":
        from .llama_backend import load_gguf

        lm = load_gguf(model)
    else:
        lm = load_model(model, revision=revision, adapter=adapter, dtype=dtype, device=device)
    start = time.perf_counter()
    if protocol == "generate":
        records = predict_generate(lm, data.items, batch_size=batch_size, max_new_tokens=max_new_tokens,
                                   engine=engine)  # fmt: skip
    else:
        records = predict_loglikelihood(lm, data.items, batch_size=batch_size, answer_prefix=answer_prefix)
    wall = time.perf_counter() - start
    metrics, subsets = score_records(records, resamples=resamples, seed=seed)
    run_config = {
        **run_source(model, adapter, data, limit=limit, batch_size=batch_size),
        "prompt": "paper (hub_tools.evaluation.prompts.mc_prompt) in the model's chat template",
        "decoding": {"do_sample": False, "max_new_tokens": max_new_tokens} if protocol == "generate" else None,
        "generation_engine": generation_engine(lm, engine) if protocol == "generate" else None,
        "answer_prefix": answer_prefix if protocol == "loglikelihood" else None,
        "extraction": ("hub_tools.evaluation.extract.extract_choice(text, choices, question)" if protocol == "generate"
                       else "argmax"),
        "bootstrap": {"resamples": resamples, "seed": seed},
        "device": lm.device,
        "dtype": lm.dtype,
        "hardware": hardware(lm),
        "wall_time_s": round(wall, 3),
        "questions_per_s": round(len(records) / wall, 3) if wall > 0 else None,
    }
    if backend == "llama.cpp":
        run_config["backend"] = {"name": "llama.cpp", "quant": lm.quant, "file": Path(model).name}
        display_name = display_name or f"{Path(model).stem.removesuffix('-' + lm.quant)} · {lm.quant} (GGUF)"
        model_type = model_type or QUANTIZED
    return Result(
        model=model_info(model, adapter, model_id=model_id, display_name=display_name, model_type=model_type,
                         revision=revision),  # fmt: skip
        benchmark=BenchmarkInfo(
            name=benchmark, dataset_id=data.dataset_id, config=data.config, split=data.split,
            dataset_revision=data.revision, pass_mark=data.pass_mark,
        ),  # fmt: skip
        protocol=protocol,
        metrics=metrics,
        subsets=subsets,
        records=records,
        config=run_config,
        versions=versions(),
        created_at=utc_now(),
        source="gaokerena eval",
    )
