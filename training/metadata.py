"""What a run records next to its outputs: training_metadata.json (SCHEMAS.md §2) and its building blocks."""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import subprocess
from importlib import metadata as importlib_metadata
from pathlib import Path


VERSIONED_PACKAGES = ("torch", "transformers", "trl", "peft", "datasets", "accelerate", "codecarbon")


def jsonable(value):
    """``value`` with enums, paths and other objects turned into JSON types (dicts/lists walked)."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def dataclass_values(instance) -> dict:
    """All fields of a parsed recipe dataclass; ``TrainingArguments.to_dict`` masks tokens."""
    values = instance.to_dict() if hasattr(instance, "to_dict") else dataclasses.asdict(instance)
    return jsonable(values)


def versions() -> dict:
    found = {}
    for name in VERSIONED_PACKAGES:
        try:
            found[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_commit(path: Path | None = None) -> str | None:
    """The commit of the checkout holding ``path`` (default: this package); ``None`` outside a git checkout."""
    path = Path(path or Path(__file__).resolve().parent)
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip() or None


def hardware() -> dict:
    import torch

    cuda = torch.cuda.is_available()
    return {
        "device": "cuda" if cuda else "cpu",
        "gpu_name": torch.cuda.get_device_name(0) if cuda else None,
        "gpu_count": torch.cuda.device_count() if cuda else 0,
        "cpu_count": os.cpu_count(),
    }


def lora_block(model_args) -> dict:
    targets = model_args.lora_target_modules
    return {
        "r": model_args.lora_r,
        "lora_alpha": model_args.lora_alpha,
        "lora_dropout": model_args.lora_dropout,
        "target_modules": [targets] if isinstance(targets, str) else list(targets or []),
    }


def hyperparameters(training_args) -> dict:
    names = (
        "learning_rate", "per_device_train_batch_size", "gradient_accumulation_steps", "num_train_epochs",
        "max_steps", "weight_decay", "max_length", "packing", "seed",
    )  # fmt: skip
    return {name: jsonable(getattr(training_args, name)) for name in names}


def write_json(path: Path, data: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
