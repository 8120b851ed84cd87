"""Training throughput: `gaokerena train` against a plain TRL script, and the 8B recipe's cost on a GPU.

    python bench/train_bench.py                 # CPU part always; GPU part where CUDA is available
    python bench/train_bench.py --steps 30 --repeats 3 --out artifacts/bench/train_bench.json

CPU part: stage 1 (LoRA continued pretraining, packed) on the tiny aya-shaped model, once through the project's code
path (`training.cli.main(["cpt", ...])`) and once through a bare `trl.SFTTrainer` script with the same model, rows,
LoRA and trainer settings, alternating, `--repeats` times each. Tokens/s are non-padding input tokens over the
trainer's own train_runtime; the ratio project/plain should be about 1 (the project adds bookkeeping, not compute).

GPU part: LoRA continued pretraining of a randomly initialised model with aya-expanse-8b's exact shape (bf16, LoRA
r=8 on every projection, gradient checkpointing, 2 packed 2048-token sequences per step) through the same
`SFTTrainer`, whose fused LM head computes the loss in chunks and never materialises the (batch, 2048, 256000)
logits. Reports tokens/s, MFU, peak memory, and the projected hours for the
full recipe (~54M corpus tokens in stage 1, ~20k QA pairs in stage 2).
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


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
CORPUS_TOKENS = 54_000_000  # 60% of the ~90M-token corpus (stage 1)
QA_PAIRS = 20_000  # MF3QA train (stage 2)
QA_TOKENS_PER_PAIR = 400  # aya tokens per chat-formatted pair, an estimate for the projection
#: Dense bf16 peak FLOP/s by device name fragment (NVIDIA datasheets, without sparsity).
PEAK_BF16_FLOPS = {"H200": 989e12, "H100 SXM": 989e12, "H100 80GB HBM3": 989e12, "H100 PCIe": 756e12,
                   "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10G": 70e12}  # fmt: skip


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
def _non_embedding_params(config) -> int:
    d, f, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    kv = config.num_key_value_heads * (d // config.num_attention_heads)
    attention = d * d * 2 + d * kv * 2  # q, o + k, v
    return layers * (attention + 3 * d * f)


def gpu_bench(
    steps: int, seq_len: int = 2048, batch: int = 2, shape: dict | None = None, device: str = "cuda"
) -> dict:
    """LoRA stage 1 on a randomly initialised aya-expanse-8b-shaped model (bf16, packed sequences).

    ``shape`` and ``device`` exist for a smoke run of this code on a CPU with a small shape; the numbers mean
    something only with the defaults on a GPU.
    """
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoTokenizer, CohereConfig, CohereForCausalLM
    from transformers.utils import is_flash_attn_2_available
    from trl import SFTConfig, SFTTrainer

    from training.tiny import AYA_EXPANSE_8B_SHAPE, init_tiny

    cuda = device.startswith("cuda")
    attn = "flash_attention_2" if cuda and is_flash_attn_2_available() else "sdpa"
    config = CohereConfig(**(shape or AYA_EXPANSE_8B_SHAPE), pad_token_id=0, bos_token_id=5, eos_token_id=255001,
                          attn_implementation=attn, dtype="bfloat16")  # fmt: skip
    torch.manual_seed(0)
    with torch.device(device):
        torch.set_default_dtype(torch.bfloat16)
        model = CohereForCausalLM(config)
        torch.set_default_dtype(torch.float32)
    n_params = sum(p.numel() for p in model.parameters())

    # Already packed, already tokenized rows: TRL skips tokenization; every row is a full 2048-token sequence.
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(10, config.vocab_size, (batch * (steps + 3), seq_len), generator=generator)
    dataset = Dataset.from_dict({"input_ids": ids.tolist()})
    with tempfile.TemporaryDirectory(prefix="train-bench-gpu-") as tmp:
        tokenizer = AutoTokenizer.from_pretrained(init_tiny(Path(tmp) / "tok"))  # any tokenizer: data is pre-tokenized
        args = SFTConfig(
            output_dir=str(Path(tmp) / "out"), max_steps=steps + 3, per_device_train_batch_size=batch,
            gradient_accumulation_steps=1, learning_rate=2e-4, bf16=True, gradient_checkpointing=True,
            gradient_checkpointing_kwargs={"use_reentrant": False}, max_length=seq_len, packing=False,
            eval_strategy="no", save_strategy="no", logging_steps=1, report_to="none", disable_tqdm=True,
            include_num_input_tokens_seen="all", use_cpu=not cuda,
        )  # fmt: skip
        peft = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.05, target_modules=LORA_TARGETS, task_type="CAUSAL_LM")
        timer = make_step_timer(warmup=3, cuda=cuda)
        trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                             peft_config=peft, callbacks=[timer])  # fmt: skip
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        trainer.train()
    tokens_per_s = batch * seq_len * timer.steps / timer.seconds
    dense = _non_embedding_params(config)
    attention = 12 * config.num_hidden_layers * config.hidden_size * seq_len  # fwd+bwd score/value matmuls per token
    flops_lora = 4 * (dense + config.hidden_size * config.vocab_size) + attention  # fwd + input grads; W is frozen
    flops_6n = 6 * (dense + config.hidden_size * config.vocab_size) + attention  # the usual 6N convention
    name = torch.cuda.get_device_name(0) if cuda else "cpu (smoke run)"
    peak = next((flops for key, flops in PEAK_BF16_FLOPS.items() if key in name), None)
    cpt_hours = CORPUS_TOKENS / tokens_per_s / 3600
    sft_hours = QA_PAIRS * QA_TOKENS_PER_PAIR / tokens_per_s / 3600
    return {
        "model": "aya-expanse-8b shape, random init (hidden 4096, 32 layers, 32/8 heads, ffn 14336, vocab 256k, tied)",
        "parameters": n_params,
        "device": f"{torch.cuda.device_count()} x {name}" if cuda else name,
        "attn_implementation": attn,
        "loss": "TRL fused LM head: per-token log-probs in chunks, no (batch, seq, 256000) logits tensor",
        "sequence_length": seq_len,
        "per_device_batch": batch,
        "timed_steps": timer.steps,
        "tokens_per_s": round(tokens_per_s, 1),
        "mfu_lora_flops": round(flops_lora * tokens_per_s / peak, 4) if peak else None,
        "mfu_6n_convention": round(flops_6n * tokens_per_s / peak, 4) if peak else None,
        "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None,
        "projected_hours": {
            "cpt_54M_tokens": round(cpt_hours, 2),
            "sft_20k_pairs": round(sft_hours, 2),
            "total_one_gpu": round(cpt_hours + sft_hours, 2),
        },  # fmt: skip
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="optimizer steps per CPU run (default 20)")
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each variant (default 2)")
    parser.add_argument("--gpu-steps", type=int, default=10, help="timed steps of the GPU part (default 10)")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "train_bench.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    result = {"cpu": cpu_bench(args.steps, args.repeats)}
    cpu = result["cpu"]
    print(f"cpu  project {cpu['project_tokens_per_s']} tok/s | plain TRL {cpu['plain_trl_tokens_per_s']} tok/s | "
          f"ratio {cpu['ratio_project_over_plain']} ({cpu['device']})")  # fmt: skip
    if torch.cuda.is_available():
        result["gpu"] = gpu_bench(args.gpu_steps)
        gpu = result["gpu"]
        print(f"gpu  {gpu['tokens_per_s']} tok/s | MFU {gpu['mfu_lora_flops']} (6N: {gpu['mfu_6n_convention']}) | "
              f"peak {gpu['peak_memory_gib']} GiB | projected {gpu['projected_hours']} ({gpu['device']})")  # fmt: skip
    else:
        result["gpu"] = "skipped: no CUDA device"
        print("gpu  skipped: no CUDA device")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
