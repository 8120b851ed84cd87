"""The whole tiny pipeline through the real commands: init-tiny → cpt → merge → sft → merge; then resuming.

Everything runs in-process through ``training.cli.main`` / ``training.merge.main`` (the code behind `gaokerena train`
and `gaokerena merge`) on the tiny aya-shaped model and the fixture datasets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


RECIPES = Path(__file__).resolve().parents[2] / "training" / "recipes"

SCHEMA_KEYS = {
    "stage", "base_model", "recipe", "recipe_path", "datasets", "lora", "hyperparameters", "tokens_seen",
    "train_loss", "eval_loss", "wall_time_s", "hardware", "versions", "git_commit", "co2_eq_emissions",
}  # fmt: skip
HYPERPARAMETER_KEYS = {
    "learning_rate", "per_device_train_batch_size", "gradient_accumulation_steps", "num_train_epochs", "max_steps",
    "weight_decay", "max_length", "packing", "seed",
}  # fmt: skip


def _train(stage: str, model: Path, dataset: Path, out: Path, *flags: str) -> dict:
    from training.cli import main

    recipe = RECIPES / "tiny" / f"{stage}.yaml"
    argv = [stage, "--config", str(recipe), "--model_name_or_path", str(model), "--dataset_name", str(dataset),
            "--output_dir", str(out), *flags]  # fmt: skip
    assert main(argv) == 0
    return json.loads((out / "training_metadata.json").read_text(encoding="utf-8"))


def _merge(base: Path, adapter: Path, out: Path) -> dict:
    from training.merge import main

    assert main(["--base", str(base), "--adapter", str(adapter), "--out", str(out), "--max-shard-size", "200KB"]) == 0
    return json.loads((out / "merge_metadata.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pipeline(tiny_model_dir, corpus_dir, mf3qa_dir, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("pipeline")
    runs = {"root": root}
    runs["cpt"] = _train("cpt", tiny_model_dir, corpus_dir, root / "cpt")
    runs["cpt_merge"] = _merge(tiny_model_dir, root / "cpt", root / "cpt-merged")
    # Twice the tiny recipe's steps at twice its rate: on the 40 fixture rows stage 2 then lowers the dev loss >= 5%
    # and keeps the multiple-choice answer form (the recipe's lighter run keeps it on the rehearsal's 14 MF3QA rows).
    runs["sft"] = _train("sft", root / "cpt-merged", mf3qa_dir, root / "sft", "--max_steps", "16",
                         "--learning_rate", "1e-2", "--eval_steps", "8", "--save_steps", "8")
    runs["sft_merge"] = _merge(root / "cpt-merged", root / "sft", root / "merged")
    return runs


@pytest.mark.parametrize("stage", ["cpt", "sft"])
def test_training_metadata_follows_the_schema(pipeline, stage):
    meta = pipeline[stage]
    assert SCHEMA_KEYS <= set(meta)
    assert meta["stage"] == stage
    assert set(meta["hyperparameters"]) == HYPERPARAMETER_KEYS
    assert set(meta["lora"]) == {"r", "lora_alpha", "lora_dropout", "target_modules"}
    assert meta["lora"]["r"] == {"cpt": 8, "sft": 2}[stage]
    assert meta["recipe_path"].endswith(f"tiny/{stage}.yaml")
    assert meta["tokens_seen"] > 0 and meta["train_loss"] > 0 and meta["eval_loss"] > 0
    assert meta["wall_time_s"] > 0
    assert set(meta["hardware"]) == {"device", "gpu_name", "gpu_count", "cpu_count"}
    assert {"torch", "transformers", "trl", "peft", "datasets"} <= set(meta["versions"])
    co2 = meta["co2_eq_emissions"]
    assert co2["source"] == "codecarbon" and "IRN" in co2["geographical_location"]
    assert co2["training_type"] == {"cpt": "pre-training", "sft": "fine-tuning"}[stage]
    assert isinstance(co2["emissions"], float) and co2["emissions"] >= 0
    assert co2["hardware_used"]
    for source in meta["datasets"]:
        assert {"name", "config", "split", "rows", "fingerprint"} <= set(source) and source["rows"] > 0
    json.dumps(meta)  # all plain JSON


def test_cpt_validates_on_a_held_out_slice_of_the_corpus(pipeline, corpus_dir):
    from datasets import load_dataset

    train, held_out = pipeline["cpt"]["datasets"]
    assert train["config"] == held_out["config"] == "cpt"
    assert "held-out" in held_out["selection"] and held_out["rows"] >= 1
    assert train["rows"] + held_out["rows"] == load_dataset(str(corpus_dir), "cpt")["train"].num_rows


def test_sft_validates_on_the_dev_split(pipeline):
    assert [source["split"] for source in pipeline["sft"]["datasets"]] == ["train", "dev"]


def test_adapters_and_checkpoints_are_where_the_schema_says(pipeline):
    for stage in ("cpt", "sft"):
        out = pipeline["root"] / stage
        assert (out / "adapter_config.json").is_file() and (out / "adapter_model.safetensors").is_file()
        assert (out / "tokenizer_config.json").is_file() and (out / "emissions.csv").is_file()
        assert sorted(p.name for p in (out / "checkpoints").iterdir() if p.name.startswith("checkpoint-"))
        adapter = json.loads((out / "adapter_config.json").read_text())
        assert not {"lm_head", "embed_tokens"} & set(adapter["target_modules"])


@pytest.mark.parametrize("name", ["cpt_merge", "sft_merge"])
def test_merges_verify_and_keep_embeddings_tied(pipeline, name):
    meta = pipeline[name]
    assert meta["verified"] is True and meta["dtype"] == "float32"
    assert meta["max_abs_logit_diff"] <= 1e-4
    assert meta["tie_word_embeddings"] is True and meta["ties_preserved"] is True
    assert {"base_model", "adapters", "dtype", "max_abs_logit_diff", "verified"} <= set(meta)


def test_merged_model_is_sharded_tied_and_chat_ready(pipeline):
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    merged = pipeline["root"] / "merged"
    index = json.loads((merged / "model.safetensors.index.json").read_text())
    assert len(set(index["weight_map"].values())) > 1
    assert "lm_head.weight" not in index["weight_map"]
    tokenizer = AutoTokenizer.from_pretrained(merged)
    model = AutoModelForCausalLM.from_pretrained(merged)
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    eos = tokenizer.convert_tokens_to_ids("<|END_OF_TURN_TOKEN|>")
    assert GenerationConfig.from_pretrained(merged).eos_token_id == eos
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "علائم دیابت چیست؟"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    assert tokenizer.decode(prompt["input_ids"][0]).endswith("<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>")
    output = model.generate(**prompt, max_new_tokens=4, do_sample=False)
    assert output.shape[1] > prompt["input_ids"].shape[1]


def test_sft_adapter_changed_the_model(pipeline):
    """The stage-2 merge is not a no-op: the adapter learned something."""
    from safetensors.torch import load_file

    weights = load_file(str(pipeline["root"] / "sft" / "adapter_model.safetensors"))
    assert any(float(tensor.abs().max()) > 0 for name, tensor in weights.items() if "lora_B" in name)


class _Crash(Exception):
    pass


def test_an_interrupted_run_resumes_from_its_last_checkpoint(tiny_model_dir, mf3qa_dir, tmp_path):
    from transformers import TrainerCallback

    from training.train import make_parser, run

    class CrashAfterStep3(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 3:
                raise _Crash("simulated kill after step 3")

    class FirstStep(TrainerCallback):
        steps: list[int] = []

        def on_step_end(self, args, state, control, **kwargs):
            self.steps.append(state.global_step)

    out = tmp_path / "sft"
    argv = ["--config", str(RECIPES / "tiny" / "sft.yaml"), "--model_name_or_path", str(tiny_model_dir),
            "--dataset_name", str(mf3qa_dir), "--output_dir", str(out), "--max_steps", "6", "--save_steps", "2",
            "--eval_steps", "6", "--track_emissions", "false"]  # fmt: skip
    with pytest.raises(_Crash):
        run("sft", *make_parser("sft").parse_args_and_config(argv), callbacks=[CrashAfterStep3()])
    assert (out / "checkpoints" / "checkpoint-2").is_dir() and not (out / "training_metadata.json").exists()

    first = FirstStep()
    meta = run("sft", *make_parser("sft").parse_args_and_config(argv), callbacks=[first])
    assert meta["resumed_from_checkpoint"].endswith("checkpoint-2")
    assert first.steps[0] == 3 and meta["global_step"] == 6
    state = json.loads((out / "checkpoints" / "checkpoint-6" / "trainer_state.json").read_text())
    assert state["global_step"] == 6 and state["num_input_tokens_seen"] == meta["tokens_seen"]
    assert meta["co2_eq_emissions"]["emissions"] is None  # tracking switched off by the flag

    # A finished run is not trained again (transformers would add one step past max_steps) ...
    adapter = (out / "adapter_model.safetensors").read_bytes()
    again = run("sft", *make_parser("sft").parse_args_and_config(argv), callbacks=[_no_training_allowed()])
    assert again == meta and (out / "adapter_model.safetensors").read_bytes() == adapter
    # ... and one stopped between its last checkpoint and the final save gets that checkpoint's adapter.
    (out / "training_metadata.json").unlink()
    (out / "adapter_model.safetensors").unlink()
    restored = run("sft", *make_parser("sft").parse_args_and_config(argv), callbacks=[_no_training_allowed()])
    assert restored["global_step"] == 6 and restored["tokens_seen"] == meta["tokens_seen"]
    assert (out / "adapter_model.safetensors").read_bytes() == adapter
    assert restored["eval_loss"] == pytest.approx(meta["eval_loss"])


def _no_training_allowed():
    from transformers import TrainerCallback

    class NoTraining(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            raise _Crash("a finished run must not train again")

    return NoTraining()


# ------------------------------------------------------------------------------------------- learning you can see
def test_cpt_lowers_the_held_out_corpus_loss_by_five_percent(pipeline):
    meta = pipeline["cpt"]
    assert meta["eval_loss_before"] > meta["eval_loss"]
    assert meta["eval_loss_reduction"] >= 0.05, meta


def test_sft_lowers_the_answer_only_dev_loss_by_five_percent(pipeline):
    meta = pipeline["sft"]
    assert meta["eval_loss_reduction"] >= 0.05, meta
    assert meta["eval_loss_reduction"] == pytest.approx(1 - meta["eval_loss"] / meta["eval_loss_before"], abs=1e-6)


def test_the_sft_model_answers_multiple_choice_in_a_parsable_form(pipeline):
    from hub_tools.evaluation import mc
    from hub_tools.evaluation.data import MCQuestion
    from hub_tools.evaluation.runner import load_model

    names = ["دیابت", "آسم", "میگرن", "آنفولانزا", "اگزما", "سنگ کلیه", "کم‌خونی", "سرماخوردگی"]
    questions = [
        MCQuestion(id=f"q{i}", question=f"کدام گزینه از علائم {name} است؟", subset="fixture", answer=i % 4,
                   choices=["تب و سرفه", "سردرد", "خستگی", "درد شکم"])
        for i, name in enumerate(names)
    ]  # fmt: skip
    lm = load_model(str(pipeline["root"] / "merged"), device="cpu")
    records = mc.predict_generate(lm, questions, batch_size=4, max_new_tokens=12)
    invalid = sum(record["prediction"] == "invalid" for record in records)
    assert invalid / len(records) < 0.5, [record["raw_output"] for record in records]


def test_a_prompt_in_the_loss_is_caught_before_training(tiny_model_dir, mf3qa_dir, tmp_path):
    """A deliberately broken loss mask (the whole conversation in the loss) fails the stage-2 pre-flight check; the
    recipe's own mask passes it."""
    from training import configs, data
    from training.train import build_trainer, check_answer_only_loss, make_parser

    argv = ["--config", str(RECIPES / "tiny" / "sft.yaml"), "--model_name_or_path", str(tiny_model_dir),
            "--dataset_name", str(mf3qa_dir), "--output_dir", str(tmp_path / "sft"), "--track_emissions", "false"]
    script_args, training_args, model_args, qa_args = make_parser("sft").parse_args_and_config(argv)
    stage_data = data.load_qa(script_args, qa_args)
    check_answer_only_loss(build_trainer(model_args, training_args, stage_data))

    script_args, training_args, model_args, qa_args = make_parser("sft").parse_args_and_config(
        argv + ["--completion_only_loss", "false"]
    )
    with pytest.raises(configs.RecipeError, match="prompt tokens are in the loss"):
        check_answer_only_loss(build_trainer(model_args, training_args, stage_data))


def test_loss_mask_problems_are_named():
    from training.train import loss_mask_problem

    ids = [5, 8, 10, 7, 8, 11, 40, 41, 9]  # <BOS> <START> <USER> q <START> <CHATBOT> answer answer <END>
    assert loss_mask_problem(ids, [-100] * 6 + [40, 41, 9], 11) is None
    assert "prompt tokens" in loss_mask_problem(ids, ids, 11)
    assert "no answer token" in loss_mask_problem(ids, [-100] * 9, 11)
    assert "no assistant turn" in loss_mask_problem(ids[:4], ids[:4], 11)
