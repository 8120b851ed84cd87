"""Evaluation throughput: `gaokerena eval mc` (both protocols) against lm-evaluation-harness, same model, same data.

    python bench/eval_bench.py                 # short run: 48 questions on the tiny model (CPU is fine)
    python bench/eval_bench.py --full          # all 1,089 MMLU-fa questions (+ 168 IBMSEE on a GPU)
    python bench/eval_bench.py --json-out bench.json

CPU part (always): the tiny aya-shaped model (training.tiny.init_tiny) on MMLU-fa-shaped questions (the real
Persian questions from ../shared/data/gaokerena when that folder exists, else synthetic ones of similar length),
written as a built dataset folder (parquet, SCHEMAS §1) that both tools read:
  - ours, loglikelihood: one forward pass per question, next-token letter log-probs;
  - ours, generate: greedy decoding (``--max-new-tokens``) + answer extraction;
  - lm-evaluation-harness (hf backend, same model path, bench/lm_eval_tasks/mmlu_fa): multiple_choice and
    generate_until on the same parquet.
Like with like: both tools score exactly the same questions (one parquet, the harness without ``limit``), and the
model load is timed separately for both: ours around ``load_model``, the harness around building its ``HFLM``
(then passed to ``simple_evaluate`` as an object). "q/s (scoring)" excludes the load on both sides, "q/s (with
load)" includes it on both sides; the ratios (ours / harness) are printed for each. The README quotes the
scoring ratio of ``--full`` (all 1,089 MMLU-fa questions).

GPU part (only with CUDA): loglikelihood wall time for MMLU-fa (1,089) + IBMSEE (168) on a randomly initialised
aya-expanse-8b-shaped CohereForCausalLM in bfloat16 (same architecture and size as the real model; the random
weights do not change the cost); with ``--gpu-generate N`` also the generate protocol on N questions, static
length-sorted batches against transformers' continuous batching. Without CUDA it prints "skipped: no CUDA device".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from run_context import load_average, run_context  # noqa: E402 - bench/ is the script's folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

SHARED = Path(os.environ.get("GAOKERENA_SHARED_DATA") or ROOT.parent / "shared" / "data" / "gaokerena")
TASK_DIR = ROOT / "bench" / "lm_eval_tasks" / "mmlu_fa"
MMLU_SIZE, IBMSEE_SIZE = 1089, 168


# ------------------------------------------------------------------------------------------------ data
def real_questions() -> tuple[list[dict], list[dict]] | None:
    """(mmlu rows, ibmsee rows) from the authors' spreadsheets, or None when they are not here."""
    from hub_tools.xlsx import read_first_sheet

    if not (SHARED / "MMLU_fa").is_dir():
        return None

    def rows_of(path: Path, q: str, opts: list[str], ans: str, subject: str, id_fmt: str) -> list[dict]:
        table = read_first_sheet(path)
        header = [h.strip() for h in table[0]]
        out = []
        for i, row in enumerate(table[1:], start=1):
            get = {h: (row[k] if k < len(row) else "") for k, h in enumerate(header)}
            out.append({"id": id_fmt.format(i), "question": get[q], "choices": [get[o] for o in opts],
                        "answer": int(float(get[ans])) - 1, "subject": subject})  # fmt: skip
        return out

    mmlu = []
    for path in sorted((SHARED / "MMLU_fa").glob("mmlu-*_fa.xlsx")):
        subject = path.stem[len("mmlu-") : -len("_fa")]
        mmlu += rows_of(path, "question", [f"option{i}" for i in range(1, 5)], "answer", subject, subject + "-{:04d}")
    ibmsee_path = SHARED / "IBMSEE" / "ibmsee_sept2023.xlsx"
    ibmsee = (
        rows_of(ibmsee_path, "Question", [f"Option{i}" for i in range(1, 5)], "Correct answer", "medicine-1402-06",
                "medicine-1402-06-{:03d}")
        if ibmsee_path.is_file() else []
    )  # fmt: skip
    return mmlu, ibmsee


def synthetic_questions(n: int, subject: str, seed: int = 0) -> list[dict]:
    """Persian-looking questions with MMLU-fa's typical lengths (question ~30 words, options ~6 words)."""
    from training.tiny import read_sample_texts

    words = " ".join(read_sample_texts()).split()
    rng = random.Random(seed)

    def text(k: int) -> str:
        start = rng.randrange(0, max(1, len(words) - k))
        return " ".join(words[start : start + k])

    return [{"id": f"{subject}-{i:04d}", "question": text(rng.randint(12, 50)) + "؟",
             "choices": [text(rng.randint(2, 10)) for _ in range(4)], "answer": rng.randrange(4), "subject": subject}
            for i in range(1, n + 1)]  # fmt: skip


def write_built_dataset(rows: list[dict], root: Path, config: str = "all") -> Path:
    import datasets

    features = datasets.Features({
        "id": datasets.Value("string"), "question": datasets.Value("string"),
        "choices": datasets.Sequence(datasets.Value("string"), length=4),
        "answer": datasets.ClassLabel(names=["A", "B", "C", "D"]), "subject": datasets.Value("string"),
    })  # fmt: skip
    (root / config).mkdir(parents=True, exist_ok=True)
    parquet = root / config / "test-00000-of-00001.parquet"
    datasets.Dataset.from_list(rows, features=features).to_parquet(str(parquet))
    (root / "README.md").write_text(
        f"---\nconfigs:\n- config_name: {config}\n  data_files:\n  - split: test\n    path: {config}/test-*\n"
        "  default: true\n---\n",
        encoding="utf-8",
    )
    return parquet


def lm_eval_task_dir(parquet: Path, tmp: Path) -> Path:
    """Copies of the shipped task yamls pointing at ``parquet``."""
    out = tmp / "lm_eval_tasks"
    out.mkdir(exist_ok=True)
    for yaml_file in TASK_DIR.glob("*.yaml"):
        text = yaml_file.read_text(encoding="utf-8")
        text = text.replace("artifacts/mmlu-fa/all/test-00000-of-00001.parquet", str(parquet))
        (out / yaml_file.name).write_text(text, encoding="utf-8")
    return out


# ------------------------------------------------------------------------------------------------ runs
def run_ours(model_dir: Path, dataset_dir: Path, protocol: str, batch_size: int, max_new_tokens: int) -> dict:
    from hub_tools.evaluation.data import load_benchmark
    from hub_tools.evaluation.mc import evaluate_mc
    from hub_tools.evaluation.runner import load_model

    t0 = time.perf_counter()
    lm = load_model(str(model_dir), device="cpu")
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()  # reading the dataset counts as scoring work on both sides (the harness reads it too)
    data = load_benchmark("mmlu-fa", str(dataset_dir), "all")
    result = evaluate_mc(model=str(model_dir), benchmark="mmlu-fa", protocol=protocol, loaded=lm, data=data,
                         batch_size=batch_size, max_new_tokens=max_new_tokens, resamples=200)  # fmt: skip
    scoring_s = time.perf_counter() - t1
    n = result.metrics["n"]
    return {"tool": "gaokerena eval", "protocol": protocol, "n": n, "accuracy": result.metrics["accuracy"],
            "invalid": result.metrics["invalid"], "wall_s": scoring_s, "questions_per_s": n / scoring_s,
            "with_load_questions_per_s": n / (scoring_s + load_s), "load_s": load_s}  # fmt: skip


def run_lm_eval(model_dir: Path, task_dir: Path, task: str, n: int, batch_size: int, max_new_tokens: int) -> dict:
    """The harness on the same parquet (all its rows: no ``limit``), its model load timed apart from the scoring."""
    import logging

    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    logging.getLogger("lm_eval").setLevel(logging.WARNING)
    kwargs = {"gen_kwargs": {"max_gen_toks": max_new_tokens}} if task.endswith("generate") else {}
    t0 = time.perf_counter()
    lm = HFLM(pretrained=str(model_dir), dtype="float32", device="cpu", batch_size=batch_size)
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    out = simple_evaluate(
        model=lm, tasks=[task], task_manager=TaskManager(include_path=str(task_dir)), batch_size=batch_size,
        device="cpu", bootstrap_iters=0, log_samples=False, **kwargs,
    )  # fmt: skip
    wall = time.perf_counter() - t1
    metrics = out["results"][task]
    acc = next((v for k, v in metrics.items() if k.startswith(("acc,", "exact_match,"))), None)
    scored = int(out.get("n-samples", {}).get(task, {}).get("effective", n))
    if scored != n:
        raise RuntimeError(f"lm-eval scored {scored} questions, ours {n}: not the same questions")
    return {"tool": "lm-eval " + __import__("lm_eval").__version__, "protocol": task, "n": scored, "accuracy": acc,
            "wall_s": wall, "questions_per_s": n / wall, "with_load_questions_per_s": n / (wall + load_s),
            "load_s": load_s}  # fmt: skip


def run_gpu(mmlu: list[dict], ibmsee: list[dict], tokenizer_dir: Path, batch_size: int, generate_n: int = 0,
            max_new_tokens: int = 128) -> dict:
    import torch
    from transformers import AutoTokenizer, CohereConfig, CohereForCausalLM

    from hub_tools.evaluation.data import LoadedBenchmark, MCQuestion
    from hub_tools.evaluation.mc import evaluate_mc
    from hub_tools.evaluation.runner import LoadedModel
    from hub_tools.aya import AYA_EXPANSE_8B_SHAPE

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)  # its ids are a subset of the 256k vocabulary
    config = CohereConfig(**AYA_EXPANSE_8B_SHAPE, pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                          eos_token_id=tok.eos_token_id)  # fmt: skip
    t0 = time.perf_counter()
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)  # build in bf16 directly: ~16 GB instead of a 32 GB fp32 detour
    try:
        with torch.device("cuda"):
            model = CohereForCausalLM(config).eval()
    finally:
        torch.set_default_dtype(previous)
    init_s = time.perf_counter() - t0
    lm = LoadedModel(model=model, tokenizer=tok, device="cuda", dtype="bfloat16", model_path="random-aya-expanse-8b",
                     revision=None, adapter=None, eos_token_ids=[tok.eos_token_id], pad_token_id=tok.pad_token_id,
                     load_seconds=init_s)  # fmt: skip
    out = {"device": torch.cuda.get_device_name(0), "params_b": round(model.num_parameters() / 1e9, 2),
           "init_s": round(init_s, 1), "batch_size": batch_size}  # fmt: skip
    total = 0.0
    for name, rows, subset_key in (("mmlu-fa", mmlu, "subject"), ("ibmsee", ibmsee, "subject")):
        if not rows:
            continue
        items = [MCQuestion(id=r["id"], question=r["question"], choices=r["choices"], answer=r["answer"],
                            subset=r[subset_key]) for r in rows]  # fmt: skip
        data = LoadedBenchmark(name=name, dataset_id=name, source="bench", config="all", split="test", revision=None,
                               items=items, pass_mark=0.36 if name == "ibmsee" else None)  # fmt: skip
        torch.cuda.synchronize()
        t1 = time.perf_counter()
        evaluate_mc(model="random", benchmark=name, protocol="loglikelihood", loaded=lm, data=data,
                    batch_size=batch_size, resamples=100)  # fmt: skip
        torch.cuda.synchronize()
        wall = time.perf_counter() - t1
        total += wall
        out[name] = {"n": len(items), "wall_s": round(wall, 2), "questions_per_s": round(len(items) / wall, 1)}
    out["total_wall_s"] = round(total, 2)
    if generate_n:
        out["generate"] = gpu_generate(lm, mmlu[:generate_n], batch_size=8, max_new_tokens=max_new_tokens)
    out["peak_memory_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 1)
    return out


def ratios(runs: list[dict]) -> dict:
    """ours / harness per protocol, scoring-only and with load, for runs on the same questions."""
    ours = {r["protocol"]: r for r in runs if r["tool"] == "gaokerena eval"}
    theirs = {("loglikelihood" if r["protocol"] == "mmlu_fa" else "generate"): r for r in runs if r["tool"] != "gaokerena eval"}
    out = {}
    for protocol, mine in ours.items():
        other = theirs.get(protocol)
        if other is None:
            continue
        assert mine["n"] == other["n"], (mine["n"], other["n"])
        out[protocol] = {"n": mine["n"], "scoring": mine["questions_per_s"] / other["questions_per_s"],
                         "with_load": mine["with_load_questions_per_s"] / other["with_load_questions_per_s"]}  # fmt: skip
    return out


def gpu_generate(lm, rows: list[dict], *, batch_size: int, max_new_tokens: int) -> dict:
    """The generate protocol on ``rows`` with each engine (hub_tools.evaluation.runner.GENERATION_ENGINES): static
    length-sorted batches as before, and transformers' continuous batching. The random weights never stop early, so
    both decode exactly ``max_new_tokens`` per question."""
    import torch

    from hub_tools.evaluation.data import MCQuestion
    from hub_tools.evaluation.mc import predict_generate

    items = [MCQuestion(id=r["id"], question=r["question"], choices=r["choices"], answer=r["answer"],
                        subset=r["subject"]) for r in rows]  # fmt: skip
    out = {"n": len(items), "max_new_tokens": max_new_tokens, "static_batch_size": batch_size}
    sync = torch.cuda.synchronize if lm.device.startswith("cuda") else (lambda: None)
    for engine in ("static", "continuous"):
        sync()
        start = time.perf_counter()
        records = predict_generate(lm, items, batch_size=batch_size, max_new_tokens=max_new_tokens, engine=engine)
        sync()
        wall = time.perf_counter() - start
        out[engine] = {"wall_s": round(wall, 2), "questions_per_s": round(len(items) / wall, 2),
                       "invalid": sum(r["prediction"] == "invalid" for r in records)}  # fmt: skip
    out["speedup_continuous"] = round(out["static"]["wall_s"] / out["continuous"]["wall_s"], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=48, help="questions for the CPU part (default 48)")
    parser.add_argument("--full", action="store_true", help="all MMLU-fa questions (CPU) and the full GPU run")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--gpu-batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=16, help="generation length for the generate runs")
    parser.add_argument("--skip-lm-eval", action="store_true")
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--gpu-only", action="store_true", help="skip the CPU part (bench/gpu_all.sh)")
    parser.add_argument("--gpu-generate", type=int, default=0,
                        help="also time the generate protocol on this many questions, static vs continuous batching")
    parser.add_argument("--gpu-max-new-tokens", type=int, default=128, help="new tokens per question (GPU generate)")
    args = parser.parse_args(argv)
    load_before = load_average()

    import torch

    from training.tiny import init_tiny

    torch.set_num_threads(max(1, min(8, os.cpu_count() or 1)))
    report: dict = {"runs": []}
    with tempfile.TemporaryDirectory(prefix="eval-bench-") as tmp_name:
        tmp = Path(tmp_name)
        model_dir = init_tiny(tmp / "tiny")
        real = real_questions()
        mmlu_all, ibmsee_all = real if real else (synthetic_questions(MMLU_SIZE, "anatomy"),
                                                  synthetic_questions(IBMSEE_SIZE, "medicine-1402-06", seed=1))  # fmt: skip
        report["data"] = "real MMLU-fa/IBMSEE questions (../shared)" if real else "synthetic Persian questions"
        n = len(mmlu_all) if args.full else min(args.questions, len(mmlu_all))
        rng = random.Random(0)
        rows = mmlu_all if args.full else rng.sample(mmlu_all, n)
        dataset_dir = tmp / "mmlu-fa"
        parquet = write_built_dataset(rows, dataset_dir)
        task_dir = lm_eval_task_dir(parquet, tmp)
        print(f"data: {report['data']}; CPU part on the tiny model, {n} questions, batch {args.batch_size}")

        for protocol in () if args.gpu_only else ("loglikelihood", "generate"):
            report["runs"].append(run_ours(model_dir, dataset_dir, protocol, args.batch_size, args.max_new_tokens))
            if not args.skip_lm_eval:
                task = "mmlu_fa" if protocol == "loglikelihood" else "mmlu_fa_generate"
                report["runs"].append(run_lm_eval(model_dir, task_dir, task, n, args.batch_size, args.max_new_tokens))

        print(f"\n{'tool':<22} {'protocol':<18} {'n':>5} {'q/s (scoring)':>14} {'q/s (with load)':>16} {'wall s':>8}")
        for run in report["runs"]:
            print(f"{run['tool']:<22} {run['protocol']:<18} {run['n']:>5} {run['questions_per_s']:>14.1f} "
                  f"{run['with_load_questions_per_s']:>16.1f} {run['wall_s']:>8.2f}")  # fmt: skip
        report["ratios"] = ratios(report["runs"])
        for protocol, ratio in report["ratios"].items():
            print(f"ratio ours / lm-eval, {protocol}: scoring {ratio['scoring']:.1f}x, with load {ratio['with_load']:.1f}x"
                  f" (same {ratio['n']} questions)")

        print("\nGPU part (loglikelihood, random aya-expanse-8b-shaped model, bfloat16):")
        if torch.cuda.is_available():
            gpu_mmlu = mmlu_all if args.full else mmlu_all[:256]
            gpu_ibmsee = ibmsee_all if args.full else ibmsee_all[:64]
            report["gpu"] = run_gpu(gpu_mmlu, gpu_ibmsee, model_dir, args.gpu_batch_size, args.gpu_generate,
                                    args.gpu_max_new_tokens)  # fmt: skip
            for key, value in report["gpu"].items():
                print(f"  {key}: {value}")
        else:
            report["gpu"] = "skipped: no CUDA device"
            print("  skipped: no CUDA device")
    if args.json_out:
        report.update(run_context(load_before))
        args.json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
