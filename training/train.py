"""Both LoRA stages on ``trl.SFTTrainer``: stage 1 (``cpt``) packs raw corpus text, stage 2 (``sft``) trains on
MF3QA conversations with the loss on the answers only.

    gaokerena train cpt --config training/recipes/gaokerena-v1/cpt.yaml
    python -m training.cli sft --config training/recipes/tiny/sft.yaml --model_name_or_path artifacts/tiny-cpt-merged

OUTPUT_DIR receives the adapter, the tokenizer, training_metadata.json (SCHEMAS.md §2) and emissions.csv;
checkpoints go to OUTPUT_DIR/checkpoints, and a rerun of an interrupted run resumes from the last one.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from training import configs, data, metadata
from training.emissions import track_emissions


logger = logging.getLogger(__name__)

make_parser = configs.make_parser

CHECKPOINT_SUBDIR = "checkpoints"


def resolve_attn_implementation(requested: str | None) -> str | None:
    """``flash_attention_2`` where flash-attn and a CUDA GPU exist, ``sdpa`` otherwise (logged)."""
    import torch

    if requested not in ("flash_attention_2", "flash_attention_3"):
        return requested
    from transformers.utils import is_flash_attn_2_available, is_flash_attn_3_available

    available = is_flash_attn_3_available() if requested == "flash_attention_3" else is_flash_attn_2_available()
    if torch.cuda.is_available() and available:
        return requested
    reason = "no CUDA device" if not torch.cuda.is_available() else "flash-attn is not installed"
    logger.info("attn_implementation %s unavailable (%s): using sdpa", requested, reason)
    return "sdpa"


def check_environment(model_args) -> None:
    """Fail before any heavy work when the recipe needs hardware this machine lacks."""
    import torch

    if model_args.load_in_4bit or model_args.load_in_8bit:
        if not torch.cuda.is_available():
            raise configs.RecipeError(
                "QLoRA (load_in_4bit / load_in_8bit) needs a CUDA GPU and bitsandbytes; this machine has no CUDA "
                "device. Drop `--load_in_4bit` to train plain LoRA on the full-precision base."
            )
        from transformers.utils import is_bitsandbytes_available

        if not is_bitsandbytes_available():
            raise configs.RecipeError("QLoRA needs bitsandbytes: `pip install bitsandbytes`")


def load_stage_data(stage: str, script_args, training_args, data_args) -> data.StageData:
    if stage == "cpt":
        return data.load_corpus(script_args, training_args, data_args)
    return data.load_qa(script_args, data_args)


def _model_init_kwargs(model_args, training_args) -> dict:
    kwargs = dict(
        revision=model_args.model_revision,
        attn_implementation=resolve_attn_implementation(model_args.attn_implementation),
        dtype=model_args.dtype,
    )
    if model_args.load_in_4bit or model_args.load_in_8bit:
        from trl import get_kbit_device_map

        kwargs["device_map"] = get_kbit_device_map()
    kwargs.update(training_args.model_init_kwargs or {})
    return kwargs


def build_trainer(model_args, training_args, stage_data: data.StageData, callbacks=None):
    """An ``SFTTrainer`` that loads the base model, wraps it in LoRA and tokenizes (and packs) the data."""
    from transformers import AutoTokenizer
    from trl import SFTTrainer, get_peft_config, get_quantization_config

    tokenizer = AutoTokenizer.from_pretrained(
        model_args.model_name_or_path, revision=model_args.model_revision, trust_remote_code=training_args.trust_remote_code
    )
    training_args.model_init_kwargs = _model_init_kwargs(model_args, training_args)
    return SFTTrainer(
        model=model_args.model_name_or_path,
        args=training_args,
        train_dataset=stage_data.train,
        eval_dataset=stage_data.eval,
        processing_class=tokenizer,
        peft_config=get_peft_config(model_args),
        quantization_config=get_quantization_config(model_args),
        callbacks=callbacks,
    )


def _resume_checkpoint(training_args) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    if training_args.resume_from_checkpoint:
        return training_args.resume_from_checkpoint
    checkpoint_dir = Path(training_args.output_dir)
    last = get_last_checkpoint(str(checkpoint_dir)) if checkpoint_dir.is_dir() else None
    if last:
        logger.info("resuming from %s", last)
    return last


def run(stage, script_args, training_args, model_args, data_args, *, recipe_path=None, callbacks=None) -> dict | None:
    """Train one stage; returns the training metadata (``None`` on the non-main processes of a distributed run)."""
    configs.validate_stage(stage, script_args, training_args, data_args)
    check_environment(model_args)
    output_dir = Path(training_args.output_dir)
    training_args.output_dir = str(output_dir / CHECKPOINT_SUBDIR)
    recipe = {name: metadata.dataclass_values(args) for name, args in (
        ("script_args", script_args), ("training_args", training_args), ("model_args", model_args), ("data_args", data_args)
    )}  # fmt: skip
    recipe["training_args"]["output_dir"] = str(output_dir)

    stage_data = load_stage_data(stage, script_args, training_args, data_args)
    trainer = build_trainer(model_args, training_args, stage_data, callbacks=callbacks)
    resume_from = _resume_checkpoint(training_args)
    started = time.perf_counter()
    with track_emissions(
        output_dir,
        stage=stage,
        country_iso_code=training_args.emissions_country_iso_code,
        enabled=training_args.track_emissions and trainer.is_world_process_zero(),
    ) as emissions:
        train_output = trainer.train(resume_from_checkpoint=resume_from)
        eval_metrics = trainer.evaluate() if stage_data.eval is not None else {}
    wall_time = time.perf_counter() - started
    trainer.save_model(str(output_dir))
    if not trainer.is_world_process_zero():
        return None
    result = {
        "stage": stage,
        "base_model": model_args.model_name_or_path,
        "recipe": recipe,
        "recipe_path": str(recipe_path) if recipe_path else None,
        "datasets": stage_data.sources,
        "lora": metadata.lora_block(model_args),
        "hyperparameters": metadata.hyperparameters(training_args),
        "tokens_seen": int(trainer.state.num_input_tokens_seen),
        "train_loss": float(train_output.training_loss),
        "eval_loss": float(eval_metrics["eval_loss"]) if "eval_loss" in eval_metrics else None,
        "wall_time_s": round(wall_time, 3),
        "train_runtime_s": round(float(train_output.metrics.get("train_runtime", 0.0)), 3),
        "hardware": metadata.hardware(),
        "versions": metadata.versions(),
        "git_commit": metadata.git_commit(),
        "co2_eq_emissions": emissions,
        "global_step": int(trainer.state.global_step),
        "resumed_from_checkpoint": resume_from,
        "output_dir": str(output_dir),
    }
    metadata.write_json(output_dir / "training_metadata.json", result)
    logger.info("%s finished: %s", stage, {k: result[k] for k in ("train_loss", "eval_loss", "tokens_seen")})
    return result
