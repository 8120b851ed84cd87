"""Both LoRA stages on ``trl.SFTTrainer``: stage 1 (``cpt``) packs raw corpus text, stage 2 (``sft``) trains on
MF3QA conversations with the loss on the answers only.

    gaokerena train cpt --config training/recipes/gaokerena-v1/cpt.yaml
    python -m training.cli sft --config training/recipes/tiny/sft.yaml --model_name_or_path artifacts/tiny/cpt-merged

OUTPUT_DIR receives the adapter, the tokenizer, training_metadata.json (SCHEMAS.md §2) and emissions.csv;
checkpoints go to OUTPUT_DIR/checkpoints, and a rerun of an interrupted run resumes from the last one.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
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
        model_args.model_name_or_path,
        revision=model_args.model_revision,
        trust_remote_code=training_args.trust_remote_code,
    )
    training_args.model_init_kwargs = _model_init_kwargs(model_args, training_args)
    if stage_data.eval is None and training_args.eval_strategy != "no":
        logger.warning("no evaluation data: eval_strategy %s switched to no", training_args.eval_strategy)
        training_args.eval_strategy = "no"
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


@contextmanager
def _torch_threads(count: int | None):
    import torch

    previous = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _finished_state(checkpoint: str | None, training_args) -> dict | None:
    """The trainer state of ``checkpoint`` when it is this run's last step (resuming would train one step too many)."""
    state_file = Path(checkpoint) / "trainer_state.json" if checkpoint else None
    if state_file is None or not state_file.is_file():
        return None
    state = json.loads(state_file.read_text(encoding="utf-8"))
    step = state.get("global_step", 0)
    if training_args.max_steps > 0:
        return state if step >= training_args.max_steps else None
    same_epochs = state.get("num_train_epochs") == training_args.num_train_epochs
    return state if same_epochs and 0 < state.get("max_steps", 0) <= step else None


def _restore_finished(trainer, checkpoint: str, state: dict):
    """Load a finished run's adapter from its last checkpoint; a stand-in for ``trainer.train()``'s output."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file
    from transformers.trainer_utils import TrainOutput

    set_peft_model_state_dict(trainer.model, load_file(str(Path(checkpoint) / "adapter_model.safetensors")))
    trainer.state.global_step = state["global_step"]
    trainer.state.num_input_tokens_seen = state.get("num_input_tokens_seen", 0)
    losses = [entry["loss"] for entry in state.get("log_history", []) if "loss" in entry]
    train_loss = sum(losses) / len(losses) if losses else float("nan")
    logger.info("%s had finished at step %d: restored its adapter", checkpoint, state["global_step"])
    return TrainOutput(state["global_step"], train_loss, {"train_runtime": 0.0})


def run(stage, script_args, training_args, model_args, data_args, *, recipe_path=None, callbacks=None) -> dict | None:
    """Train one stage; returns the training metadata (``None`` on the non-main processes of a distributed run)."""
    configs.validate_stage(stage, script_args, training_args, data_args)
    check_environment(model_args)
    with _torch_threads(training_args.torch_num_threads):
        return _run(stage, script_args, training_args, model_args, data_args, recipe_path, callbacks)


def _run(stage, script_args, training_args, model_args, data_args, recipe_path, callbacks) -> dict | None:
    output_dir = Path(training_args.output_dir)
    if output_dir.name == CHECKPOINT_SUBDIR:  # the same parsed arguments run a second time
        output_dir = output_dir.parent
    training_args.output_dir = str(output_dir / CHECKPOINT_SUBDIR)
    parsed = {"script_args": script_args, "training_args": training_args, "model_args": model_args}
    recipe = {name: metadata.dataclass_values(args) for name, args in {**parsed, "data_args": data_args}.items()}
    recipe["training_args"]["output_dir"] = str(output_dir)
    recipe["recipe_path"] = str(recipe_path) if recipe_path else None

    resume_from = _resume_checkpoint(training_args)
    finished = _finished_state(resume_from, training_args)
    if (
        finished
        and (output_dir / "training_metadata.json").is_file()
        and (output_dir / "adapter_config.json").is_file()
    ):
        logger.info("%s already trained to step %d in %s: nothing to do", stage, finished["global_step"], output_dir)
        return _saved_metadata(output_dir) if training_args.process_index == 0 else None
    with training_args.main_process_first(desc="loading the datasets"):
        stage_data = load_stage_data(stage, script_args, training_args, data_args)
    trainer = build_trainer(model_args, training_args, stage_data, callbacks=callbacks)
    started = time.perf_counter()
    with track_emissions(
        output_dir,
        stage=stage,
        country_iso_code=training_args.emissions_country_iso_code,
        enabled=training_args.track_emissions and trainer.is_world_process_zero(),
    ) as emissions:
        if finished:  # stopped after its last checkpoint, before saving: take the adapter from there
            train_output = _restore_finished(trainer, resume_from, finished)
        else:
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
        "recipe_path": recipe.pop("recipe_path"),
        "datasets": stage_data.sources,
        "lora": metadata.lora_block(model_args),
        "hyperparameters": metadata.hyperparameters(training_args),
        **_outcome(trainer, train_output, eval_metrics, wall_time),
        "co2_eq_emissions": emissions,
        "resumed_from_checkpoint": resume_from,
        "output_dir": str(output_dir),
    }
    metadata.write_json(output_dir / "training_metadata.json", result)
    logger.info("%s finished: %s", stage, {k: result[k] for k in ("train_loss", "eval_loss", "tokens_seen")})
    return result


def _saved_metadata(output_dir: Path) -> dict:
    return json.loads((output_dir / "training_metadata.json").read_text(encoding="utf-8"))


def _outcome(trainer, train_output, eval_metrics: dict, wall_time: float) -> dict:
    """Tokens, losses, time, machine and software of a finished run (training_metadata.json)."""
    return {
        "tokens_seen": int(trainer.state.num_input_tokens_seen),
        "train_loss": float(train_output.training_loss),
        "eval_loss": float(eval_metrics["eval_loss"]) if "eval_loss" in eval_metrics else None,
        "wall_time_s": round(wall_time, 3),
        "train_runtime_s": round(float(train_output.metrics.get("train_runtime", 0.0)), 3),
        "global_step": int(trainer.state.global_step),
        "hardware": metadata.hardware(),
        "versions": metadata.versions(),
        "git_commit": metadata.git_commit(),
    }
