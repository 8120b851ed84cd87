"""Every recipe parses through TrlParser into the project's dataclasses and carries the paper's values."""

from __future__ import annotations

from pathlib import Path

import pytest


RECIPES = Path(__file__).resolve().parents[2] / "training" / "recipes"
LINEAR_LAYERS = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
STAGE_RECIPES = [("cpt", RECIPES / "gaokerena-v1" / "cpt.yaml"), ("sft", RECIPES / "gaokerena-v1" / "sft.yaml"),
                 ("cpt", RECIPES / "gaokerena-v1" / "cpt-fast.yaml"),
                 ("cpt", RECIPES / "tiny" / "cpt.yaml"), ("sft", RECIPES / "tiny" / "sft.yaml")]  # fmt: skip


def parse(stage: str, recipe: Path, *flags: str):
    from training.configs import make_parser  # trl (torch, transformers): imported when a test runs, not at collection

    return make_parser(stage).parse_args_and_config(["--config", str(recipe), *flags])


@pytest.mark.parametrize(("stage", "recipe"), STAGE_RECIPES, ids=lambda value: str(value).split("recipes/")[-1])
def test_every_recipe_parses_into_the_project_dataclasses(stage, recipe):
    from training.configs import CorpusArguments, ModelArguments, QAArguments, TrainingConfig

    script_args, training_args, model_args, data_args = parse(stage, recipe)
    assert isinstance(training_args, TrainingConfig) and isinstance(model_args, ModelArguments)
    assert isinstance(data_args, CorpusArguments if stage == "cpt" else QAArguments)
    assert model_args.use_peft is True
    assert set(model_args.lora_target_modules) == LINEAR_LAYERS
    assert script_args.dataset_name and training_args.eval_strategy == "steps"
    assert training_args.report_to == [] or training_args.report_to == "none"


def test_stage_one_has_the_papers_values():
    script_args, training_args, model_args, data_args = parse("cpt", RECIPES / "gaokerena-v1" / "cpt.yaml")
    assert model_args.model_name_or_path == "CohereForAI/aya-expanse-8b"
    assert (model_args.lora_r, model_args.lora_alpha, model_args.lora_dropout) == (8, 16, 0.05)
    assert training_args.per_device_train_batch_size == 2
    assert training_args.gradient_accumulation_steps == 16
    assert training_args.gradient_checkpointing is True and training_args.bf16 is True
    assert training_args.packing is True
    assert model_args.attn_implementation == "flash_attention_2"
    assert (script_args.dataset_name, script_args.dataset_config) == ("gaokerena/medical_corpus", "cpt")


def test_stage_two_has_the_papers_values():
    script_args, training_args, model_args, data_args = parse("sft", RECIPES / "gaokerena-v1" / "sft.yaml")
    assert (model_args.lora_r, model_args.lora_alpha, model_args.lora_dropout) == (2, 2, 0.4)
    assert training_args.weight_decay == 0.5
    assert training_args.num_train_epochs == 1
    assert training_args.completion_only_loss is True and training_args.packing is False
    assert model_args.model_name_or_path == "artifacts/gaokerena-v1/cpt-merged"
    assert (script_args.dataset_name, script_args.dataset_train_split, script_args.dataset_test_split) == (
        "gaokerena/MF3QA", "train", "dev",
    )  # fmt: skip


@pytest.mark.parametrize("stage", ["cpt", "sft"])
def test_tiny_recipes_keep_the_v1_lora_values(stage):
    _, _, v1, _ = parse(stage, RECIPES / "gaokerena-v1" / f"{stage}.yaml")
    _, tiny_training, tiny, _ = parse(stage, RECIPES / "tiny" / f"{stage}.yaml")
    assert (tiny.lora_r, tiny.lora_alpha, tiny.lora_dropout) == (v1.lora_r, v1.lora_alpha, v1.lora_dropout)
    assert tiny_training.max_steps > 0 and tiny_training.max_length <= 256 and tiny_training.bf16 is False


def test_an_unknown_recipe_key_fails(tmp_path):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text((RECIPES / "tiny" / "cpt.yaml").read_text() + "\nlora_rank: 8\n")
    with pytest.raises(ValueError, match="Unknown arguments.*lora_rank"):
        parse("cpt", recipe)


def test_a_stage_two_key_in_a_stage_one_recipe_fails(tmp_path):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text((RECIPES / "tiny" / "cpt.yaml").read_text() + "\nquestion_field: question\n")
    with pytest.raises(ValueError, match="question_field"):
        parse("cpt", recipe)


def test_command_line_flags_override_the_recipe():
    script_args, training_args, model_args, _ = parse(
        "cpt", RECIPES / "gaokerena-v1" / "cpt.yaml",
        "--lora_r", "4", "--dataset_name", "/data/corpus", "--learning_rate", "1e-5", "--output_dir", "/tmp/x",
    )  # fmt: skip
    assert model_args.lora_r == 4 and model_args.lora_alpha == 16
    assert script_args.dataset_name == "/data/corpus"
    assert training_args.learning_rate == 1e-5 and training_args.output_dir == "/tmp/x"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--lora_target_modules", "q_proj", "lm_head"], "lm_head"),
        (["--use_peft", "false"], "use_peft"),
        (["--emissions_country_iso_code", "iran"], "3-letter"),
        (["--eval_fraction", "0.9"], "eval_fraction"),
        (["--max_train_samples", "0"], "max_train_samples"),
    ],
)
def test_invalid_values_fail_at_parse_time(flags, message):
    from training.configs import RecipeError

    with pytest.raises(RecipeError, match=message):
        parse("cpt", RECIPES / "tiny" / "cpt.yaml", *flags)


def test_qlora_on_cpu_fails_before_any_heavy_work(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device: QLoRA is allowed")
    from training.cli import main

    # The dataset does not exist: the run must stop at the hardware check, before loading data or weights.
    code = main(["cpt", "--config", str(RECIPES / "tiny" / "cpt.yaml"), "--load_in_4bit", "true",
                 "--dataset_name", "/nonexistent/corpus", "--model_name_or_path", "/nonexistent/model"])  # fmt: skip
    assert code == 2
    assert "QLoRA" in capsys.readouterr().err


def test_cli_reports_an_unknown_key_without_a_traceback(tmp_path, capsys):
    from training.cli import main

    recipe = tmp_path / "bad.yaml"
    recipe.write_text((RECIPES / "tiny" / "sft.yaml").read_text() + "\nepochs: 3\n")
    assert main(["sft", "--config", str(recipe)]) == 2
    assert "epochs" in capsys.readouterr().err


def test_flash_attention_falls_back_to_sdpa_without_flash_attn():
    import torch
    from transformers.utils import is_flash_attn_2_available

    from training.train import resolve_attn_implementation

    expected = "flash_attention_2" if torch.cuda.is_available() and is_flash_attn_2_available() else "sdpa"
    assert resolve_attn_implementation("flash_attention_2") == expected
    assert resolve_attn_implementation("eager") == "eager"


@pytest.mark.parametrize("name", ["ddp", "fsdp", "zero3"])
def test_accelerate_configs_load_with_accelerates_loader(name):
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(RECIPES / "accelerate_configs" / f"{name}.yaml"))
    assert config.mixed_precision == "bf16"
    assert config.num_processes >= 2
    expected = {"ddp": "MULTI_GPU", "fsdp": "FSDP", "zero3": "DEEPSPEED"}[name]
    assert str(config.distributed_type).endswith(expected)


def test_the_fast_stage_1_recipe_differs_from_the_papers_only_by_its_levers():
    from training.metadata import dataclass_values

    paper = [dataclass_values(args) for args in parse("cpt", RECIPES / "gaokerena-v1" / "cpt.yaml")]
    fast = [dataclass_values(args) for args in parse("cpt", RECIPES / "gaokerena-v1" / "cpt-fast.yaml")]
    changed = {key for a, b in zip(paper, fast) for key in a if a[key] != b[key]}
    levers = {"lora_dropout", "gradient_checkpointing", "compile_decoder_layers"}
    follow = {"activation_checkpointing", "activation_checkpointing_kwargs", "gradient_checkpointing_kwargs",
              "output_dir", "logging_dir"}  # what the levers' values and the output folder imply
    assert levers <= changed <= levers | follow, changed - levers - follow
    assert fast[2]["lora_dropout"] == 0.0 and paper[2]["lora_dropout"] == 0.05
    assert paper[1]["ddp_find_unused_parameters"] is False and fast[1]["ddp_find_unused_parameters"] is False
    text = (RECIPES / "gaokerena-v1" / "cpt-fast.yaml").read_text(encoding="utf-8")
    assert "DEVIATION FROM THE PAPER" in text
