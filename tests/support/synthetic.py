"""A small but real release, built from a tiny base model in seconds: for the release tests and the benchmark.

    manifest_path = build_synthetic_release(tmp / "release", base_model_dir=tiny, base_model_id="gaokerena/tiny-base")

Everything in it is loadable the way the release verifies it: parquet datasets with a card declaring their
configs, two LoRA adapters made with PEFT on the tiny model (stage 2 on the merged stage 1), the merged models
saved with ``save_pretrained``, SCHEMAS §2 training metadata, SCHEMAS §3 result files and a Space folder.
``payload_mb`` adds incompressible rows to the corpus dataset, to give the benchmark tens of megabytes to move.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml


NAMESPACE = "gaokerena"


def build_synthetic_release(
    root: Path,
    *,
    base_model_dir: Path,
    base_model_id: str,
    version: str = "v1.0",
    payload_mb: float = 0.0,
    seed: int = 0,
    suffix: str = "",
) -> Path:
    """Write artifacts under ``root`` and ``root/manifest.yaml`` describing them; return the manifest path.

    ``suffix`` is appended to every repo name, so tests sharing one Hub do not share repos.
    """
    ns, sx = NAMESPACE, suffix
    root = Path(root)
    write_dataset(root / "datasets" / "mmlu-fa", {"anatomy": 6, "all": 10}, seed=seed)
    write_dataset(root / "datasets" / "corpus", {"default": 12, "cpt": 7}, seed=seed + 1, payload_mb=payload_mb)
    write_models(root, base_model_dir=base_model_dir, seed=seed)
    write_results(root / "results", model_id=f"{ns}/gaokerena-v1{sx}")
    write_space(root / "space")
    manifest = {
        "namespace": NAMESPACE,
        "version": version,
        "root": ".",
        "base_model": base_model_id,
        "artifacts": {
            "mmlu-fa": {"type": "dataset", "repo_id": f"{ns}/MMLU-fa{sx}", "source": "datasets/mmlu-fa"},
            "corpus": {"type": "dataset", "repo_id": f"{ns}/medical_corpus{sx}", "source": "datasets/corpus"},
            "cpt-lora": {"type": "adapter", "repo_id": f"{ns}/gaokerena-v1-cpt-lora{sx}", "source": "train/cpt"},
            "cpt-merged": {"type": "model", "repo_id": f"{ns}/gaokerena-v1-cpt{sx}", "source": "merged/cpt",
                           "stages": ["cpt-lora"]},
            "sft-lora": {"type": "adapter", "repo_id": f"{ns}/gaokerena-v1-sft-lora{sx}", "source": "train/sft",
                         "base_model": f"{ns}/gaokerena-v1-cpt{sx}"},
            "model": {"type": "model", "repo_id": f"{ns}/gaokerena-v1{sx}", "source": "merged/sft",
                      "stages": ["cpt-lora", "sft-lora"], "results": "results"},
            "results": {"type": "results", "repo_id": f"{ns}/leaderboard-results{sx}", "source": "results"},
            "space": {"type": "space", "repo_id": f"{ns}/gaokerena-chat{sx}", "source": "space",
                      "variables": {"MODEL_ID": f"{ns}/gaokerena-v1{sx}", "REVISION": version}},
        },
    }  # fmt: skip
    path = root / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_dataset(folder: Path, configs: dict[str, int], *, seed: int = 0, payload_mb: float = 0.0) -> Path:
    """Parquet configs (split ``test``) and a README whose front matter declares them (SCHEMAS §1 layout)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for index, (config, rows) in enumerate(configs.items()):
        texts = [f"پرسش {seed}-{config}-{i}: علائم بیماری {i} چیست؟" for i in range(rows)]
        if payload_mb and index == 0:
            texts += _incompressible_rows(int(payload_mb * 1024 * 1024), seed)
        table = pa.table({"id": [f"{config}-{i}" for i in range(len(texts))], "text": texts})
        (folder / config).mkdir(exist_ok=True)
        pq.write_table(table, folder / config / "test-00000-of-00001.parquet")
        entries.append({"config_name": config, "data_files": [{"split": "test", "path": f"{config}/test-*.parquet"}]})
    entries[0]["default"] = True
    front = {"license": "cc-by-nc-sa-4.0", "language": ["fa"], "configs": entries}
    body = f"# {folder.name}\n\nA synthetic dataset for the release tests.\n"
    (folder / "README.md").write_text(f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n\n{body}", encoding="utf-8")
    (folder / "build_report.json").write_text(json.dumps({"configs": configs}, indent=2) + "\n", encoding="utf-8")
    return folder


def _incompressible_rows(total_bytes: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    row = 64 * 1024
    return ["".join(rng.choices("0123456789abcdef", k=row)) for _ in range(max(1, total_bytes // row))]


def write_models(root: Path, *, base_model_dir: Path, seed: int = 0) -> dict[str, Path]:
    """Stage-1 LoRA on the tiny base, its merge, stage-2 LoRA on that merge, the final merge (all save_pretrained)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model_dir)
    paths = {}
    model = AutoModelForCausalLM.from_pretrained(base_model_dir)
    for index, stage in enumerate(("cpt", "sft")):
        torch.manual_seed(seed + index)
        config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
        peft_model = get_peft_model(model, config)
        adapter_dir = root / "train" / stage
        peft_model.save_pretrained(adapter_dir)
        tokenizer.save_pretrained(adapter_dir)
        (adapter_dir / "checkpoints" / "checkpoint-1").mkdir(parents=True, exist_ok=True)
        (adapter_dir / "checkpoints" / "checkpoint-1" / "optimizer.pt").write_bytes(b"never published")
        data = root / "datasets" / ("corpus" if stage == "cpt" else "mmlu-fa")
        write_training_metadata(adapter_dir, stage=stage, base_model=str(base_model_dir), dataset=str(data))
        model = peft_model.merge_and_unload()
        merged_dir = root / "merged" / stage
        model.save_pretrained(merged_dir)
        tokenizer.save_pretrained(merged_dir)
        (merged_dir / "merge_metadata.json").write_text(
            json.dumps({"base_model": str(base_model_dir), "adapters": [str(adapter_dir)], "dtype": "float32",
                        "max_abs_logit_diff": 0.0, "verified": True}, indent=2) + "\n", encoding="utf-8")  # fmt: skip
        paths[stage] = adapter_dir
        paths[f"merged-{stage}"] = merged_dir
    return paths


def write_training_metadata(folder: Path, *, stage: str, base_model: str, dataset: str) -> None:
    metadata = {
        "stage": stage,
        "base_model": base_model,
        "recipe": {"learning_rate": 1e-4},
        "recipe_path": f"training/recipes/tiny/{stage}.yaml",
        "datasets": [{"name": dataset, "config": "cpt" if stage == "cpt" else "all", "split": "train" if stage == "cpt"
                      else "test", "rows": 7, "fingerprint": "0" * 16}],
        "lora": {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0, "target_modules": ["q_proj", "v_proj"]},
        "hyperparameters": {"learning_rate": 1e-4, "per_device_train_batch_size": 2, "gradient_accumulation_steps": 1,
                            "num_train_epochs": 1, "max_steps": 2, "weight_decay": 0.0, "max_length": 128,
                            "packing": stage == "cpt", "seed": 42},
        "tokens_seen": 512,
        "train_loss": 7.5,
        "eval_loss": None,
        "wall_time_s": 1.25,
        "hardware": {"device": "cpu", "gpu_name": None, "gpu_count": 0, "cpu_count": os.cpu_count()},
        "versions": {"torch": "2.13.0", "transformers": "5.23.0", "trl": "1.16.0", "peft": "0.21.2",
                     "datasets": "5.2.0"},
        "git_commit": None,
        "co2_eq_emissions": {"emissions": 0.01 if stage == "cpt" else 0.02, "source": "codecarbon",
                             "training_type": "pre-training" if stage == "cpt" else "fine-tuning",
                             "geographical_location": "Iran", "hardware_used": "CPU"},
    }  # fmt: skip
    (folder / "training_metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")


def result_document(model_id: str, benchmark: str, protocol: str, accuracy: float, *, config: str = "all") -> dict:
    n = 20
    correct = round(accuracy * n)
    accuracy = correct / n
    return {
        "schema_version": 1,
        "model": {"id": model_id, "revision": None, "adapter": None, "display_name": model_id.split("/")[-1],
                  "type": "fine-tuned", "url": None},
        "benchmark": {"name": benchmark,
                      "dataset_id": f"{NAMESPACE}/{'MMLU-fa' if benchmark == 'mmlu-fa' else 'IBMSEE'}",
                      "dataset_revision": None, "config": config, "split": "test",
                      **({"pass_mark": 0.36} if benchmark == "ibmsee" else {})},
        "protocol": protocol,
        "metrics": {"accuracy": accuracy, "n": n, "correct": correct, "invalid": 0,
                    "ci95": [accuracy - 0.1, accuracy + 0.1],
                    "acc,none": accuracy, "acc_stderr,none": 0.05},
        "subsets": {},
        "records": [],
        "config": {},
        "versions": {},
        "created_at": "2025-01-01T00:00:00Z",
        "source": "gaokerena eval",
    }  # fmt: skip


def write_results(folder: Path, *, model_id: str) -> Path:
    """Three result files for ``model_id`` and one for another model (which its card must not show)."""
    folder.mkdir(parents=True, exist_ok=True)
    documents = [
        result_document(model_id, "mmlu-fa", "generate", 0.40),
        result_document(model_id, "mmlu-fa", "loglikelihood", 0.45),
        result_document(model_id, "ibmsee", "generate", 0.4, config="medicine-1402-06"),
        result_document("CohereForAI/aya-expanse-8b", "mmlu-fa", "generate", 0.35),
    ]
    from hub_tools.evaluation.schema import result_filename

    for document in documents:
        name = result_filename(document)
        (folder / "results").mkdir(exist_ok=True)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        (folder / "results" / name).write_text(text, encoding="utf-8")
    return folder


def write_space(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    front = {"title": "Gaokerena chat", "sdk": "gradio", "app_file": "app.py", "license": "cc-by-nc-sa-4.0"}
    (folder / "README.md").write_text(f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n\nSynthetic Space.\n")
    (folder / "app.py").write_text("print('synthetic space')\n")
    (folder / "__pycache__").mkdir(exist_ok=True)
    (folder / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"never published")
    return folder
