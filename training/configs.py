"""The recipe dataclasses: TRL's own (`ScriptArguments`, `SFTConfig`, `ModelConfig`) plus the few project fields.

A recipe YAML sets the defaults of these dataclasses through ``trl.TrlParser``; command-line flags override them and
keys that no dataclass knows fail. Checks that need no model or data run in ``__post_init__``, so a bad recipe fails
before any download or GPU work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import trl

from hub_tools.aya import TIED_MODULES


class RecipeError(ValueError):
    """A recipe asks for something this run cannot do (reported without a traceback by the CLI)."""


@dataclass
class ModelArguments(trl.ModelConfig):
    """``trl.ModelConfig``; the project trains LoRA adapters only, never the tied embeddings."""

    def __post_init__(self):
        super().__post_init__()
        if not self.model_name_or_path:
            raise RecipeError(
                "`model_name_or_path` is required: a Hub id (CohereForAI/aya-expanse-8b) or a local folder"
            )
        if not self.use_peft:
            raise RecipeError("the Gaokerena recipes train LoRA adapters: set `use_peft: true`")
        targets = self.lora_target_modules
        targets = [targets] if isinstance(targets, str) else list(targets or [])
        touched = [name for name in targets + list(self.lora_modules_to_save or []) if name in TIED_MODULES]
        if touched:
            raise RecipeError(
                f"LoRA must not target or save {touched}: aya ties lm_head to embed_tokens; target the attention and "
                "MLP projections (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj) or 'all-linear'"
            )


def _has_accelerator() -> bool:
    import torch

    return (
        torch.cuda.is_available()
        or (hasattr(torch, "xpu") and torch.xpu.is_available())
        or torch.backends.mps.is_available()
    )


@dataclass
class TrainingConfig(trl.SFTConfig):
    """``trl.SFTConfig`` plus emissions tracking (codecarbon's offline tracker, no network) and a CPU thread count."""

    track_emissions: bool = field(
        default=True, metadata={"help": "Measure energy and CO2eq with codecarbon's OfflineEmissionsTracker."}
    )
    torch_num_threads: int | None = field(
        default=None,
        metadata={
            "help": "CPU threads for torch during the run (restored afterwards); 1 suits tiny models on busy "
            "machines, where more threads only contend. Default: torch's own choice."
        },
    )
    compile_decoder_layers: bool = field(
        default=False,
        metadata={
            "help": "torch.compile each decoder layer (a training lever; the paper's recipe runs eager). Unlike "
            "`torch_compile`, which compiles the whole PEFT model, only the repeated block is compiled."
        },
    )
    compile_backend: str = field(
        default="inductor",
        metadata={"help": "torch.compile backend for `compile_decoder_layers` (inductor; aot_eager in CPU tests)."},
    )
    eval_before_training: bool = field(
        default=True,
        metadata={
            "help": "Evaluate once before training, so that training_metadata.json and the model card report the "
            "held-out loss before and after (stage 1: the corpus slice; stage 2: the answer-only loss on dev)."
        },
    )
    emissions_country_iso_code: str = field(
        default="IRN",
        metadata={
            "help": "ISO 3166-1 alpha-3 code of the country whose grid carbon intensity applies (codecarbon's "
            "offline tracker needs one; default IRN, Iran, where the Gaokerena authors work)."
        },
    )

    def __post_init__(self):
        if self.bf16 is not False and not self.use_cpu and not _has_accelerator():
            # No GPU at all: training runs on the CPU anyway, where bf16 is CPU autocast. Saying so lets a bf16 recipe
            # parse (and the tiny recipes run) on a CPU-only machine instead of failing in TrainingArguments.
            self.use_cpu = True
        super().__post_init__()
        if self.include_num_input_tokens_seen == "no":  # tokens_seen in training_metadata.json needs the count
            self.include_num_input_tokens_seen = "non_padding"
        if self.torch_num_threads is not None and self.torch_num_threads < 1:
            raise RecipeError(f"`torch_num_threads` must be at least 1, got {self.torch_num_threads}")
        if not re.fullmatch(r"[A-Z]{3}", self.emissions_country_iso_code or ""):
            raise RecipeError(
                f"`emissions_country_iso_code` must be a 3-letter upper-case ISO code such as IRN or DEU, "
                f"got {self.emissions_country_iso_code!r}"
            )


@dataclass
class _SampleLimits:
    max_train_samples: int | None = field(
        default=None, metadata={"help": "Keep only the first N training rows (smoke runs)."}
    )
    max_eval_samples: int | None = field(
        default=None, metadata={"help": "Keep only the first N evaluation rows (smoke runs)."}
    )

    def __post_init__(self):
        for name in ("max_train_samples", "max_eval_samples"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise RecipeError(f"`{name}` must be a positive number of rows or null, got {value}")


@dataclass
class CorpusArguments(_SampleLimits):
    """Stage 1 (continued pretraining) data: the ``text`` column of the corpus' ``cpt`` config."""

    eval_fraction: float = field(
        default=0.01,
        metadata={
            "help": "Share of the corpus held out for validation when the dataset has no `dataset_test_split` "
            "split. Rows are chosen by a hash of their id, so the slice does not depend on row order or seed."
        },
    )

    def __post_init__(self):
        super().__post_init__()
        if not 0.0 < self.eval_fraction < 0.5:
            raise RecipeError(f"`eval_fraction` must be in (0, 0.5), got {self.eval_fraction}")


@dataclass
class QAArguments(_SampleLimits):
    """Stage 2 (instruction tuning) data: question/answer pairs turned into aya chat turns."""

    question_field: str = field(default="question", metadata={"help": "Column holding the user's question."})
    answer_field: str = field(default="answer", metadata={"help": "Column holding the reference answer."})
    system_prompt: str | None = field(
        default=None, metadata={"help": "Optional system turn put before every question (none in Gaokerena v1)."}
    )

    def __post_init__(self):
        super().__post_init__()
        if not self.question_field or not self.answer_field or self.question_field == self.answer_field:
            raise RecipeError("`question_field` and `answer_field` must name two different columns")


STAGE_DATA_ARGUMENTS = {"cpt": CorpusArguments, "sft": QAArguments}


def dataclass_types(stage: str) -> tuple[type, ...]:
    """The dataclasses a stage's recipe fills, in the order ``TrlParser`` returns them."""
    if stage not in STAGE_DATA_ARGUMENTS:
        raise ValueError(f"unknown stage {stage!r}: expected one of {sorted(STAGE_DATA_ARGUMENTS)}")
    return (trl.ScriptArguments, TrainingConfig, ModelArguments, STAGE_DATA_ARGUMENTS[stage])


def make_parser(stage: str, prog: str | None = None) -> trl.TrlParser:
    """The ``TrlParser`` for ``cpt`` or ``sft``: ``parse_args_and_config(argv)`` returns the four dataclasses."""
    return trl.TrlParser(dataclass_types(stage), prog=prog)


def validate_stage(stage: str, script_args, training_args: TrainingConfig, data_args) -> None:
    """Cross-dataclass checks that need no model or data; raises ``ValueError`` with the expected shape."""
    if not script_args.dataset_name:
        raise RecipeError("`dataset_name` is required: a built dataset folder or a Hub dataset id")
    if stage == "sft":
        if training_args.completion_only_loss is False:
            raise RecipeError(
                "stage 2 computes the loss on the answers only: leave `completion_only_loss` unset or true"
            )
        if training_args.packing:
            raise RecipeError("stage 2 trains on single question/answer conversations: set `packing: false`")
    if training_args.chat_template_path:
        raise RecipeError(
            "`chat_template_path` is not supported: aya's tokenizer already carries its chat template, and cloning "
            "another one adds tokens and makes TRL train lm_head, which aya ties to embed_tokens"
        )
    if stage == "cpt" and training_args.assistant_only_loss:
        raise RecipeError("stage 1 trains on raw text: `assistant_only_loss` does not apply")
