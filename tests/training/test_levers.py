"""Training levers keep the loss: each gives the default path's loss over 5 steps of stage 1 on the tiny model
(exactly, or within 1e-4 for torch.compile), and DDP over 2 CPU processes sees twice the tokens per step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


RECIPES = Path(__file__).resolve().parents[2] / "training" / "recipes"
ROOT = Path(__file__).resolve().parents[2]


def _losses(tiny_model_dir, corpus_dir, out: Path, *flags: str) -> list[float]:
    from transformers import TrainerCallback

    from training.train import make_parser, run

    class Losses(TrainerCallback):
        seen: list[float]

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self.seen.append(float(logs["loss"]))

    recorder = Losses()
    recorder.seen = []
    argv = ["--config", str(RECIPES / "tiny" / "cpt.yaml"), "--model_name_or_path", str(tiny_model_dir),
            "--dataset_name", str(corpus_dir), "--output_dir", str(out), "--max_steps", "5", "--logging_steps", "1",
            "--eval_strategy", "no", "--save_strategy", "no", "--eval_before_training", "false",
            "--track_emissions", "false", "--lora_dropout", "0", *flags]  # fmt: skip
    run("cpt", *make_parser("cpt").parse_args_and_config(argv), callbacks=[recorder])
    assert len(recorder.seen) == 5
    return recorder.seen


@pytest.fixture(scope="module")
def default_losses(tiny_model_dir, corpus_dir, tmp_path_factory):
    return _losses(tiny_model_dir, corpus_dir, tmp_path_factory.mktemp("default"))


@pytest.mark.slow  # two 5-step training runs (~50 s on a loaded 2-core machine), like the other levers
def test_gradient_checkpointing_keeps_the_loss_exactly(default_losses, tiny_model_dir, corpus_dir, tmp_path):
    assert _losses(tiny_model_dir, corpus_dir, tmp_path, "--gradient_checkpointing", "true") == default_losses


@pytest.mark.slow
def test_compiled_decoder_layers_keep_the_loss(default_losses, tiny_model_dir, corpus_dir, tmp_path):
    # aot_eager: dynamo's graph capture and AOTAutograd's joint graph, as on a GPU, without inductor's C++ build
    compiled = _losses(tiny_model_dir, corpus_dir, tmp_path, "--compile_decoder_layers", "true",
                       "--compile_backend", "aot_eager")
    assert compiled == pytest.approx(default_losses, abs=1e-4)


@pytest.mark.slow
def test_ddp_over_two_cpu_processes_sees_twice_the_tokens_per_step(tiny_model_dir, corpus_dir, tmp_path):

    common = ["cpt", "--config", str(RECIPES / "tiny" / "cpt.yaml"), "--model_name_or_path", str(tiny_model_dir),
              "--dataset_name", str(corpus_dir), "--max_steps", "2", "--eval_strategy", "no",
              "--save_strategy", "no", "--eval_before_training", "false", "--track_emissions", "false",
              "--use_cpu", "true", "--ddp_find_unused_parameters", "false"]  # fmt: skip
    from hub_tools.release.rehearse import free_port

    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    single = tmp_path / "single"
    subprocess.run([sys.executable, "-m", "training.cli", *common, "--output_dir", str(single)], check=True, env=env,
                   cwd=ROOT, capture_output=True)  # fmt: skip
    ddp = tmp_path / "ddp"
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(free_port()),
         "-m", "training.cli", *common, "--output_dir", str(ddp)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    one = json.loads((single / "training_metadata.json").read_text())
    two = json.loads((ddp / "training_metadata.json").read_text())
    assert one["global_step"] == two["global_step"] == 2
    # each process packs its own rows (bfd_split leaves a few tokens unused per row): twice, to a few percent
    assert two["tokens_seen"] / two["global_step"] == pytest.approx(2 * one["tokens_seen"] / one["global_step"],
                                                                    rel=0.08)


def test_varlen_attention_is_chosen_in_order_and_explained():
    from training.train import FLASH_KERNEL, choose_attention

    assert choose_attention("flash_attention_2", cuda=True, flash_attn=True, kernels=True) == (
        "flash_attention_2", "flash-attn is installed")
    assert choose_attention("flash_attention_2", cuda=True, flash_attn=False, kernels=True)[0] == FLASH_KERNEL
    assert choose_attention("flash_attention_2", cuda=True, flash_attn=False, kernels=False)[0] == "flex_attention"
    assert choose_attention("flash_attention_2", cuda=False, flash_attn=True, kernels=True) == (
        "sdpa", "flash_attention_2 needs a CUDA device")
    assert choose_attention("sdpa", cuda=True, flash_attn=True, kernels=True) == ("sdpa", "as the recipe asks")


def test_the_memory_estimate_follows_the_model_shape():
    """aya-expanse-8b at the recipe's 2 x 2048: ~50 GiB without checkpointing (dropout 0.05), less without dropout,
    and checkpointing keeps only the layers' inputs."""
    from transformers import CohereConfig

    from hub_tools.aya import AYA_EXPANSE_8B_SHAPE
    from training.train import estimate_training_memory

    config = CohereConfig(**AYA_EXPANSE_8B_SHAPE)
    common = dict(batch=2, length=2048, lora_params=21_000_000)
    full = estimate_training_memory(config, gradient_checkpointing=False, lora_dropout=0.05, **common)
    no_dropout = estimate_training_memory(config, gradient_checkpointing=False, lora_dropout=0.0, **common)
    checkpointed = estimate_training_memory(config, gradient_checkpointing=True, lora_dropout=0.05, **common)
    assert 14.5 < full["weights_gib"] < 15.5
    assert 45 < full["total_gib"] < 55 and no_dropout["total_gib"] < full["total_gib"]
    assert checkpointed["activations_gib"] < full["activations_gib"] / 10 and checkpointed["total_gib"] < 20
