"""Training throughput: `gaokerena train` against a plain TRL script, and the 8B recipe's cost on a GPU.

    python bench/train_bench.py                 # CPU part always; GPU part where CUDA is available
    python bench/train_bench.py --steps 30 --repeats 3 --out artifacts/bench/train_bench.json
    python bench/train_bench.py --skip-cpu --smoke     # the GPU lever matrix's code on the CPU, tiny shape

CPU part: stage 1 (LoRA continued pretraining, packed) on the tiny aya-shaped model, once through the project's code
path (`training.cli.main(["cpt", ...])`) and once through a bare `trl.SFTTrainer` script with the same model, rows,
LoRA and trainer settings, alternating, `--repeats` times each. Tokens/s are non-padding input tokens over the
trainer's own train_runtime; the ratio project/plain should be about 1 (the project adds bookkeeping, not compute).

GPU part: the lever matrix in one run (baseline, each lever alone, all levers) on a randomly initialised model with
aya-expanse-8b's exact shape in bf16, through stage 1's actual path: documents of corpus-like lengths packed by TRL
(bfd_split) into padding-free 2 x 2048 rows, LoRA r=8 on every projection. The baseline is plain TRL with the paper
recipe's values as they ran before the levers (sdpa with a dense block-diagonal mask, gradient checkpointing, LoRA
dropout 0.05). Prints tokens/s, MFU, peak allocated and reserved memory and the ratio to that baseline.
`--smoke` runs the same matrix on the CPU with a tiny shape (the code, not the speed).
Without CUDA it prints "skipped: no CUDA device".
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from run_context import load_average, run_context  # noqa: E402 - bench/ is the script's folder


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
CORPUS_TOKENS = 54_000_000  # 60% of the ~90M-token corpus (stage 1)
QA_PAIRS = 20_000  # MF3QA train (stage 2)
QA_TOKENS_PER_PAIR = 400  # aya tokens per chat-formatted pair, an estimate for the projection
#: Dense bf16 peak FLOP/s (NVIDIA datasheets, without sparsity), matched against torch.cuda.get_device_name() in
#: this order (most specific first): "NVIDIA H100 80GB HBM3" is the SXM card, "NVIDIA H100 PCIe", "NVIDIA H100 NVL".
PEAK_BF16_FLOPS = [
    ("h200 nvl", 835e12),
    ("h200", 989e12),                    # H200 SXM (H200 NVL: 835e12, named "H200 NVL")
    ("h100 nvl", 835e12),
    ("h100 pcie", 756e12),
    ("h100 80gb hbm3", 989e12),          # H100 SXM
    ("h100", 989e12),
    ("rtx pro 6000", 503.8e12),          # RTX PRO 6000 Blackwell (Server/Workstation), dense bf16, fp32 accumulate
    ("a100", 312e12), ("l40s", 362e12), ("a10g", 70e12),
]  # fmt: skip


# --------------------------------------------------------------------------------------------- CPU: tiny model
def build_inputs(work: Path) -> tuple[Path, Path]:
    """The tiny model and a corpus dataset folder (config cpt) from the bundled Persian articles."""
    from datasets import Dataset

    from training.tiny import SAMPLE_CORPUS, init_tiny

    model = init_tiny(work / "tiny-aya")
    rows = [json.loads(line) for line in SAMPLE_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [{"id": f"article-{i:04d}", "text": row["text"], "title": row.get("title", ""), "url": row.get("url", ""),
             "source": row.get("source", "")} for i, row in enumerate(rows)]  # fmt: skip
    corpus = work / "corpus"
    (corpus / "cpt").mkdir(parents=True)
    Dataset.from_list(rows).to_parquet(str(corpus / "cpt" / "train-00000-of-00001.parquet"))
    (corpus / "README.md").write_text(
        "---\nconfigs:\n- config_name: cpt\n  data_files:\n  - split: train\n"
        "    path: cpt/train-00000-of-00001.parquet\n---\n"
    )
    return model, corpus


def _shared_flags(steps: int) -> list[str]:
    return ["--max_steps", str(steps), "--eval_strategy", "no", "--save_strategy", "no", "--logging_steps", str(steps)]


def run_project(model: Path, corpus: Path, out: Path, steps: int) -> dict:
    """Stage 1 through `gaokerena train cpt` (in-process)."""
    from training.cli import main

    recipe = ROOT / "training" / "recipes" / "tiny" / "cpt.yaml"
    argv = ["cpt", "--config", str(recipe), "--model_name_or_path", str(model), "--dataset_name", str(corpus),
            "--output_dir", str(out), "--track_emissions", "false", *_shared_flags(steps)]  # fmt: skip
    if main(argv) != 0:
        raise RuntimeError("gaokerena train cpt failed")
    meta = json.loads((out / "training_metadata.json").read_text())
    return {"tokens": meta["tokens_seen"], "seconds": meta["train_runtime_s"], "train_loss": meta["train_loss"]}


def run_plain_trl(model: Path, corpus: Path, out: Path, steps: int) -> dict:
    """The same training as a bare TRL script: recipe values read from the same YAML, no project code in the loop."""
    import torch
    import yaml
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from training.data import held_out_mask

    recipe = yaml.safe_load((ROOT / "training" / "recipes" / "tiny" / "cpt.yaml").read_text())
    train = load_dataset(str(corpus), "cpt")["train"]
    keep = [i for i, held in enumerate(held_out_mask(train["id"], recipe["eval_fraction"])) if not held]
    train = train.select(keep).select_columns(["text"])  # the rows the project trains on
    args = SFTConfig(
        output_dir=str(out), max_steps=steps, max_length=recipe["max_length"], packing=True,
        packing_strategy=recipe["packing_strategy"], per_device_train_batch_size=recipe["per_device_train_batch_size"],
        gradient_accumulation_steps=recipe["gradient_accumulation_steps"], learning_rate=recipe["learning_rate"],
        lr_scheduler_type=recipe["lr_scheduler_type"], bf16=False, gradient_checkpointing=False, eval_strategy="no",
        save_strategy="no", logging_steps=steps, report_to="none", disable_tqdm=True, seed=recipe["seed"],
        include_num_input_tokens_seen="non_padding",
        model_init_kwargs={"dtype": "float32", "attn_implementation": "sdpa"},
    )  # fmt: skip
    peft = LoraConfig(r=recipe["lora_r"], lora_alpha=recipe["lora_alpha"], lora_dropout=recipe["lora_dropout"],
                      target_modules=LORA_TARGETS, task_type="CAUSAL_LM")  # fmt: skip
    trainer = SFTTrainer(model=str(model), args=args, train_dataset=train,
                         processing_class=AutoTokenizer.from_pretrained(model), peft_config=peft)  # fmt: skip
    threads = torch.get_num_threads()
    torch.set_num_threads(recipe.get("torch_num_threads") or threads)  # as the project's run does
    try:
        output = trainer.train()
    finally:
        torch.set_num_threads(threads)
    return {"tokens": trainer.state.num_input_tokens_seen, "seconds": output.metrics["train_runtime"],
            "train_loss": output.training_loss}  # fmt: skip


def cpu_bench(steps: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="train-bench-") as tmp:
        work = Path(tmp)
        model, corpus = build_inputs(work)
        runs = {"project": [], "plain_trl": []}
        for repeat in range(repeats):
            for name, runner in (("project", run_project), ("plain_trl", run_plain_trl)):
                result = runner(model, corpus, work / f"{name}-{repeat}", steps)
                result["tokens_per_s"] = result["tokens"] / result["seconds"]
                runs[name].append(result)
    project = statistics.median(r["tokens_per_s"] for r in runs["project"])
    plain = statistics.median(r["tokens_per_s"] for r in runs["plain_trl"])
    return {
        "model": "tiny aya-shaped CohereForCausalLM (training.tiny)",
        "device": f"cpu ({os.cpu_count()} cores, {platform.processor() or platform.machine()})",
        "torch_threads": "the tiny recipe's torch_num_threads, in both variants",
        "steps": steps,
        "repeats": repeats,
        "project_tokens_per_s": round(project, 1),
        "plain_trl_tokens_per_s": round(plain, 1),
        "ratio_project_over_plain": round(project / plain, 3),
        "same_tokens_per_run": len({r["tokens"] for r in runs["project"] + runs["plain_trl"]}) == 1,
        "runs": runs,
    }


# ------------------------------------------------------------------------------------- GPU: aya-expanse-8b shape
#: The lever matrix: the paper recipe as plain TRL runs it (baseline), each lever alone, all together.
#: attention "dense" is what the recipe got before the levers (flash-attn missing -> sdpa with a dense block-diagonal
#: mask over the packed rows); "varlen" resolves flash-attn / the kernels hub kernel / flex_attention as training does.
LEVERS = {
    "baseline": {},
    "varlen_attention": {"attention": "varlen"},
    "no_gradient_checkpointing": {"gradient_checkpointing": False},
    "lora_dropout_0": {"lora_dropout": 0.0},
    "compile_decoder_layers": {"compile": True},
    "all_levers": {"attention": "varlen", "gradient_checkpointing": False, "lora_dropout": 0.0, "compile": True},
}
BASELINE = {"attention": "dense", "gradient_checkpointing": True, "lora_dropout": 0.05, "compile": False}


def _non_embedding_params(config) -> int:
    d, f, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    kv = config.num_key_value_heads * (d // config.num_attention_heads)
    attention = d * d * 2 + d * kv * 2  # q, o + k, v
    return layers * (attention + 3 * d * f)


def peak_flops(device_name: str) -> float | None:
    name = device_name.lower()
    return next((flops for key, flops in PEAK_BF16_FLOPS if key in name), None)


def packed_documents(vocab: int, tokens: int, seed: int = 0) -> list[list[int]]:
    """Pre-tokenized documents of corpus-like lengths (100-3000 tokens, long-tailed) totalling ``tokens``: TRL packs
    them with the recipe's bfd_split into padding-free rows, as it packs the corpus."""
    import random

    rng = random.Random(seed)
    documents, total = [], 0
    while total < tokens:
        length = min(3000, max(100, int(rng.lognormvariate(6.3, 0.8))))
        documents.append([rng.randrange(10, vocab) for _ in range(length)])
        total += length
    return documents


def run_variant(name: str, levers: dict, *, shape: dict, device: str, steps: int, seq_len: int, batch: int,
                tokenizer, warmup: int = 2) -> dict:
    """One cell of the lever matrix: stage 1's actual path (packed bfd_split, padding-free, the recipe's length and
    batch) on a randomly initialised model of ``shape`` in bf16, through ``trl.SFTTrainer``."""
    import gc

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import CohereConfig, CohereForCausalLM, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from training.train import compile_decoder_layers, estimate_training_memory, resolve_attn_implementation

    settings = {**BASELINE, **levers}
    cuda = device.startswith("cuda")
    attn = resolve_attn_implementation("flash_attention_2") if settings["attention"] == "varlen" else "sdpa"
    config = CohereConfig(**shape, pad_token_id=0, bos_token_id=5, eos_token_id=6, dtype="bfloat16")
    config._attn_implementation = attn
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)  # build in bf16 directly: no 32 GB fp32 detour for the 8B shape
    try:
        with torch.device(device):
            model = CohereForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    tokens = batch * seq_len * (steps + warmup + 1)
    dataset = Dataset.from_dict({"input_ids": packed_documents(config.vocab_size, int(tokens * 1.1))})
    with tempfile.TemporaryDirectory(prefix="train-bench-gpu-") as tmp:
        args = SFTConfig(
            output_dir=str(Path(tmp) / "out"), max_steps=steps + warmup, per_device_train_batch_size=batch,
            gradient_accumulation_steps=1, learning_rate=2e-4, bf16=cuda, max_length=seq_len, packing=True,
            packing_strategy="bfd_split", gradient_checkpointing=settings["gradient_checkpointing"],
            gradient_checkpointing_kwargs={"use_reentrant": False}, eval_strategy="no", save_strategy="no",
            logging_steps=1, report_to="none", disable_tqdm=True, include_num_input_tokens_seen="non_padding",
            use_cpu=not cuda, ddp_find_unused_parameters=False,
        )  # fmt: skip
        peft = LoraConfig(r=8, lora_alpha=16, lora_dropout=settings["lora_dropout"], target_modules=LORA_TARGETS,
                          task_type="CAUSAL_LM")  # fmt: skip
        timer = make_step_timer(warmup=warmup, cuda=cuda)
        trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                             peft_config=peft, callbacks=[timer])  # fmt: skip
        if settings["compile"]:
            compile_decoder_layers(trainer.model, backend="inductor" if cuda else "aot_eager")
        if cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        tokens_before = [0]

        class Tokens(TrainerCallback):
            def on_step_begin(self, args, state, control, **kwargs):
                if state.global_step == warmup:
                    tokens_before[0] = state.num_input_tokens_seen

        trainer.add_callback(Tokens())
        trainer.train()
        timed_tokens = trainer.state.num_input_tokens_seen - tokens_before[0]
    lora_params = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    estimate = estimate_training_memory(config, batch=batch, length=seq_len, lora_params=lora_params,
                                        gradient_checkpointing=settings["gradient_checkpointing"],
                                        lora_dropout=settings["lora_dropout"])  # fmt: skip
    result = {
        "variant": name,
        "levers": settings,
        "attn_implementation": attn,
        "timed_steps": timer.steps,
        "tokens_per_s": round(timed_tokens / timer.seconds, 1) if timer.seconds else None,
        "peak_allocated_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None,
        "peak_reserved_gib": round(torch.cuda.max_memory_reserved() / 2**30, 2) if cuda else None,
        "estimated_gib": round(estimate["total_gib"], 1),
        "final_loss": trainer.state.log_history[-2].get("loss") if len(trainer.state.log_history) > 1 else None,
    }
    del trainer, model
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
    return result


def gpu_bench(
    steps: int, seq_len: int = 2048, batch: int = 2, shape: dict | None = None, device: str = "cuda",
    variants: list[str] | None = None,
) -> dict:
    """The lever matrix on an aya-expanse-8b-shaped model (bf16, LoRA r=8 on every projection, stage 1's packed
    padding-free path at the recipe's 2 x 2048). ``shape``/``device`` allow a smoke run on a CPU with a small shape;
    the numbers mean something only with the defaults on a GPU."""
    import torch

    from hub_tools.aya import AYA_EXPANSE_8B_SHAPE

    shape = shape or AYA_EXPANSE_8B_SHAPE
    cuda = device.startswith("cuda")
    name = torch.cuda.get_device_name(0) if cuda else "cpu (smoke run)"
    peak = peak_flops(name) if cuda else None
    from transformers import CohereConfig

    config = CohereConfig(**shape)
    dense = _non_embedding_params(config)
    attention = 6 * config.num_hidden_layers * config.hidden_size * seq_len  # causal: half of the 12*L*d*s
    flops_lora = 4 * (dense + config.hidden_size * config.vocab_size) + attention  # fwd + input grads; W frozen
    from training.tiny import read_sample_texts, train_tokenizer

    tokenizer = train_tokenizer(read_sample_texts())  # any tokenizer: the documents are token ids already
    rows = []
    for variant in variants or list(LEVERS):
        try:
            row = run_variant(variant, LEVERS[variant], shape=shape, device=device, steps=steps, seq_len=seq_len,
                              batch=batch, tokenizer=tokenizer)  # fmt: skip
        except (RuntimeError, ValueError, NotImplementedError) as error:  # recorded in the results, not hidden
            print(f"  {variant:26} FAILED: {type(error).__name__}: {str(error)[:300]}", flush=True)
            rows.append({"variant": variant, "error": f"{type(error).__name__}: {error}"[:2000], "tokens_per_s": None})
            if cuda:
                torch.cuda.empty_cache()
            continue
        row["mfu"] = round(flops_lora * row["tokens_per_s"] / peak, 4) if peak and row["tokens_per_s"] else None
        rows.append(row)
        print(f"  {variant:26} {row['tokens_per_s']:>10} tok/s  MFU {row['mfu']}  peak alloc "
              f"{row['peak_allocated_gib']} / reserved {row['peak_reserved_gib']} GiB ({row['attn_implementation']})",
              flush=True)  # fmt: skip
    base = next((r["tokens_per_s"] for r in rows if r["variant"] == "baseline"), None)
    for row in rows:
        row["ratio_to_plain_trl"] = round(row["tokens_per_s"] / base, 3) if base and row["tokens_per_s"] else None
    best = next((r for r in rows if r["variant"] == "all_levers"), rows[-1])
    best = best if best.get("tokens_per_s") else {"tokens_per_s": None}
    cpt_hours = CORPUS_TOKENS / best["tokens_per_s"] / 3600 if best["tokens_per_s"] else None
    return {
        "model": "aya-expanse-8b shape, random init (hidden 4096, 32 layers, 32/8 heads, ffn 14336, vocab 256k, tied)"
        if shape is AYA_EXPANSE_8B_SHAPE else f"small smoke shape {shape}",
        "device": f"{torch.cuda.device_count()} x {name}" if cuda else name,
        "peak_bf16_flops": peak,
        "path": "stage 1 as the recipe runs it: packed (bfd_split), padding-free, per-device 2 x 2048, LoRA r=8",
        "baseline": "plain trl.SFTTrainer with the paper recipe's values (sdpa, gradient checkpointing, dropout 0.05)",
        "sequence_length": seq_len,
        "per_device_batch": batch,
        "variants": rows,
        "projected_cpt_hours_all_levers": round(cpt_hours, 2) if cpt_hours else None,
    }


def make_step_timer(warmup: int, cuda: bool = True):
    """A callback timing optimizer steps after ``warmup`` steps (CUDA-synchronised on GPUs)."""
    import torch
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.steps, self.seconds, self._start = 0, 0.0, None

        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step >= warmup:
                if cuda:
                    torch.cuda.synchronize()
                self._start = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            if self._start is not None:
                if cuda:
                    torch.cuda.synchronize()
                self.seconds += time.perf_counter() - self._start
                self.steps += 1
                self._start = None

    return StepTimer()


SMOKE_SHAPE = dict(
    vocab_size=2048, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, max_position_embeddings=2048, logit_scale=1.0, tie_word_embeddings=True,
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="optimizer steps per CPU run (default 20)")
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each variant (default 2)")
    parser.add_argument("--gpu-steps", type=int, default=8, help="timed steps per lever variant on the GPU (default 8)")
    parser.add_argument("--variants", nargs="+", choices=list(LEVERS), default=None,
                        help="lever variants to run (default: all)")  # fmt: skip
    parser.add_argument("--skip-cpu", action="store_true", help="skip the CPU part (project vs plain TRL, tiny)")
    parser.add_argument("--smoke", action="store_true",
                        help="run the lever matrix on the CPU with a tiny shape (checks the code, not the speed)")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "train_bench.json")
    args = parser.parse_args(argv)
    load_before = load_average()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    result = {}
    if not args.skip_cpu:
        result["cpu"] = cpu = cpu_bench(args.steps, args.repeats)
        print(f"cpu  project {cpu['project_tokens_per_s']} tok/s | plain TRL {cpu['plain_trl_tokens_per_s']} tok/s | "
              f"ratio {cpu['ratio_project_over_plain']} ({cpu['device']})")  # fmt: skip
    if args.smoke:
        print("lever matrix, CPU smoke run (tiny shape; the figures mean nothing):")
        result["gpu_smoke"] = gpu_bench(2, seq_len=128, batch=2, shape=SMOKE_SHAPE, device="cpu",
                                        variants=args.variants)  # fmt: skip
    if torch.cuda.is_available():
        print(f"lever matrix on {torch.cuda.get_device_name(0)} (aya-expanse-8b shape, bf16):")
        result["gpu"] = gpu = gpu_bench(args.gpu_steps, variants=args.variants)
        print(f"gpu  all levers: projected stage 1 {gpu['projected_cpt_hours_all_levers']} h ({gpu['device']})")
    else:
        result["gpu"] = "skipped: no CUDA device"
        print("gpu  skipped: no CUDA device")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result.update(run_context(load_before))
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
