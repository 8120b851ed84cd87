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


#: Hub kernel transformers loads for flash attention when the flash-attn wheel is missing (needs `kernels`).
FLASH_KERNEL = "kernels-community/flash-attn2"


def choose_attention(requested: str | None, *, cuda: bool, flash_attn: bool, kernels: bool) -> tuple[str | None, str]:
    """The attention implementation for ``requested`` on this machine, and why. Packed, padding-free batches need a
    varlen kernel to avoid a dense block-diagonal mask: flash-attn when installed, else transformers' hub kernel
    (``kernels``), else ``flex_attention`` (a block-sparse mask built from the position ids); ``sdpa`` only without
    a CUDA device, where none of them runs."""
    if requested not in ("flash_attention_2", "flash_attention_3"):
        return requested, "as the recipe asks"
    if not cuda:
        return "sdpa", f"{requested} needs a CUDA device"
    if flash_attn:
        return requested, "flash-attn is installed"
    if kernels:
        return FLASH_KERNEL, "flash-attn is not installed; transformers' hub kernel (kernels) instead"
    return "flex_attention", "neither flash-attn nor kernels is installed; flex_attention's varlen block mask instead"


def resolve_attn_implementation(requested: str | None) -> str | None:
    """``choose_attention`` on this machine; the choice and its reason are logged."""
    import importlib.util

    import torch
    from transformers.utils import is_flash_attn_2_available, is_flash_attn_3_available

    flash = is_flash_attn_3_available() if requested == "flash_attention_3" else is_flash_attn_2_available()
    chosen, reason = choose_attention(
        requested,
        cuda=torch.cuda.is_available(),
        flash_attn=flash,
        kernels=importlib.util.find_spec("kernels") is not None,
    )
    logger.info("attention: %s (%s)", chosen, reason)
    return chosen


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


def compile_decoder_layers(model, backend: str = "inductor") -> int:
    """``torch.compile`` each decoder layer in place (the repeated block; the loss head and the embedding stay
    eager, so a graph break there costs nothing). Returns how many layers were compiled."""
    layers = [module for module in model.modules() if type(module).__name__.endswith("DecoderLayer")]
    for layer in layers:
        layer.compile(backend=backend)
    logger.info("torch.compile (%s) on %d decoder layers", backend, len(layers))
    return len(layers)


def estimate_training_memory(config, *, batch: int, length: int, lora_params: int, gradient_checkpointing: bool,
                             lora_dropout: float = 0.0, bytes_per_value: int = 2) -> dict:
    """A pre-flight estimate (GiB) of one device's memory for LoRA training from the model shape: frozen weights,
    LoRA weights/gradients/AdamW state (fp32), and the activations kept for backward. Per token and layer a LoRA
    layer with a fused (flash/varlen) attention keeps about 8 hidden-width and 5 MLP-width values (the projections'
    inputs, q/k/v, the attention output, the MLP's gate/up/product); LoRA dropout adds a dropped copy of each
    projection's input (6 hidden + 1 MLP width). With gradient checkpointing only each layer's input is kept, plus
    one layer recomputed. TRL computes the LM head's loss in chunks: the logits are not counted."""
    hidden, inter, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
    head_dim = hidden // heads
    per_layer = hidden * (heads + 2 * kv_heads) * head_dim + heads * head_dim * hidden + 3 * hidden * inter
    weights = (per_layer * layers + config.vocab_size * hidden) * bytes_per_value
    lora = lora_params * (4 + 4 + 8)  # fp32 weights, gradients, AdamW moments
    tokens = batch * length
    values = 8 * hidden + 5 * inter + ((6 * hidden + inter) if lora_dropout > 0 else 0)
    layer_activations = tokens * values * bytes_per_value
    if gradient_checkpointing:
        activations = tokens * hidden * bytes_per_value * layers + layer_activations
    else:
        activations = layer_activations * layers
    gib = 1024**3
    return {"weights_gib": weights / gib, "lora_gib": lora / gib, "activations_gib": activations / gib,
            "total_gib": (weights + lora + activations) / gib}  # fmt: skip


def log_memory_estimate(config, training_args, model_args) -> dict:
    """Log the pre-flight memory estimate against the device's memory; warn when it does not fit."""
    import torch

    estimate = estimate_training_memory(
        config,
        batch=training_args.per_device_train_batch_size,
        length=training_args.max_length or 1024,
        lora_params=_lora_parameter_count(config, model_args),
        gradient_checkpointing=bool(training_args.gradient_checkpointing),
        lora_dropout=model_args.lora_dropout,
        bytes_per_value=4 if str(model_args.dtype) == "float32" else 2,
    )
    budget = torch.cuda.get_device_properties(0).total_memory / 1024**3 if torch.cuda.is_available() else None
    logger.info(
        "memory estimate per device: %.1f GiB (weights %.1f, LoRA %.2f, activations %.1f; gradient checkpointing "
        "%s)%s", estimate["total_gib"], estimate["weights_gib"], estimate["lora_gib"], estimate["activations_gib"],
        "on" if training_args.gradient_checkpointing else "off",
        f" of {budget:.0f} GiB" if budget else " (no CUDA device)",
    )  # fmt: skip
    if budget and estimate["total_gib"] > 0.9 * budget and not training_args.gradient_checkpointing:
        logger.warning("the estimate exceeds 90%% of the device's memory: set `gradient_checkpointing: true`")
    return estimate


def _lora_parameter_count(config, model_args) -> int:
    hidden, inter, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    head_dim = hidden // config.num_attention_heads
    q, kv = config.num_attention_heads * head_dim, config.num_key_value_heads * head_dim
    shapes = {"q_proj": (hidden, q), "k_proj": (hidden, kv), "v_proj": (hidden, kv), "o_proj": (q, hidden),
              "gate_proj": (hidden, inter), "up_proj": (hidden, inter), "down_proj": (inter, hidden)}  # fmt: skip
    targets = model_args.lora_target_modules or []
    targets = list(shapes) if targets in ("all-linear", ["all-linear"]) else list(targets)
    return layers * sum(model_args.lora_r * (shapes[name][0] + shapes[name][1]) for name in targets if name in shapes)


def loss_mask_problem(input_ids: list[int], labels: list[int], answer_start_id: int) -> str | None:
    """What is wrong with one stage-2 row's loss mask, or ``None``: the loss must cover the assistant's answer (the
    tokens after the last ``<|CHATBOT_TOKEN|>``) and nothing before it (the question, the template)."""
    if answer_start_id not in input_ids:
        return "the row has no assistant turn (<|CHATBOT_TOKEN|>): the chat template was not applied"
    start = len(input_ids) - input_ids[::-1].index(answer_start_id)
    in_prompt = sum(label != -100 for label in labels[:start])
    in_answer = sum(label != -100 for label in labels[start:])
    if in_prompt:
        return f"{in_prompt} of the {start} prompt tokens are in the loss (the question and template must be masked)"
    if not in_answer:
        return "no answer token is in the loss"
    return None


def check_answer_only_loss(trainer, rows: int = 4) -> None:
    """Collate the first training rows exactly as training will, and fail before training when the loss would cover
    the prompt or miss the answer (a broken chat template or completion mask trains silently otherwise)."""
    from hub_tools.aya import CHATBOT_TOKEN, AyaTokenError, token_id

    try:
        answer_start = token_id(trainer.processing_class, CHATBOT_TOKEN)
    except AyaTokenError as error:
        raise configs.RecipeError(f"stage 2 loss mask: {error}") from error
    dataset = trainer.train_dataset
    batch = trainer.data_collator([dataset[index] for index in range(min(rows, len(dataset)))])
    for index, (ids, labels) in enumerate(zip(batch["input_ids"].tolist(), batch["labels"].tolist())):
        problem = loss_mask_problem(ids, labels, answer_start)
        if problem:
            raise configs.RecipeError(f"stage 2 loss mask, training row {index}: {problem}")
    logger.info("loss mask checked on %d rows: answer tokens only", min(rows, len(dataset)))


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
def torch_threads(count: int | None):
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
    with torch_threads(training_args.torch_num_threads):
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
    log_memory_estimate(trainer.model.config, training_args, model_args)
    if training_args.compile_decoder_layers:
        compile_decoder_layers(trainer.model, backend=training_args.compile_backend)
    if stage == "sft":
        check_answer_only_loss(trainer)
    started = time.perf_counter()
    with track_emissions(
        output_dir,
        stage=stage,
        country_iso_code=training_args.emissions_country_iso_code,
        enabled=training_args.track_emissions and trainer.is_world_process_zero(),
    ) as emissions:
        before = _eval_before_training(trainer, training_args, stage_data)
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
        **learning_figures(before, eval_metrics.get("eval_loss")),
        "co2_eq_emissions": emissions,
        "resumed_from_checkpoint": resume_from,
        "output_dir": str(output_dir),
    }
    metadata.write_json(output_dir / "training_metadata.json", result)
    logger.info("%s finished: %s", stage, {k: result[k] for k in ("train_loss", "eval_loss", "tokens_seen")})
    return result


def _eval_before_training(trainer, training_args, stage_data) -> float | None:
    """The held-out loss of the untrained adapter (LoRA B starts at zero: the base model's own loss), measured on the
    same evaluation set and loss mask as the final one; ``None`` without evaluation data or when switched off."""
    if stage_data.eval is None or not training_args.eval_before_training:
        return None
    loss = trainer.evaluate(metric_key_prefix="eval_before")["eval_before_loss"]
    logger.info("held-out loss before training: %.4f", loss)
    return float(loss)


def learning_figures(before: float | None, after: float | None) -> dict:
    """``eval_loss_before`` and ``eval_loss_reduction`` (the relative drop, 0.05 = 5% lower) of training_metadata.json;
    ``None`` where either loss was not measured."""
    reduction = None if before is None or after is None or before <= 0 else round(1.0 - after / before, 6)
    return {"eval_loss_before": before, "eval_loss_reduction": reduction}


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
