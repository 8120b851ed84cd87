"""`gaokerena merge` on the tiny model: logits verified, shards written, tied embeddings kept, bad inputs refused."""

from __future__ import annotations

import json

import pytest

from training.merge import main


@pytest.fixture(scope="module")
def random_adapter(tiny_model_dir, tmp_path_factory):
    """A LoRA adapter with random (non-zero) A and B on every projection: merging it changes the model a lot."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    config = LoraConfig(r=4, lora_alpha=8, init_lora_weights=False, task_type="CAUSAL_LM", target_modules=targets)
    out = tmp_path_factory.mktemp("adapter")
    get_peft_model(model, config).save_pretrained(out)
    return out


def _logits(path, text="علائم دیابت چیست؟"):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    with torch.inference_mode():
        return AutoModelForCausalLM.from_pretrained(path)(**tokenizer(text, return_tensors="pt")).logits


def test_merge_verifies_and_writes_a_sharded_tied_model(tiny_model_dir, random_adapter, tmp_path, capsys):
    out = tmp_path / "merged"
    assert main(["--base", str(tiny_model_dir), "--adapter", str(random_adapter), "--out", str(out),
                 "--max-shard-size", "100KB", "--verify-prompts", "3"]) == 0  # fmt: skip
    meta = json.loads((out / "merge_metadata.json").read_text())
    assert meta["verified"] is True and meta["verify_prompts"] == 3
    assert meta["max_abs_logit_diff"] <= meta["tolerance"] and meta["reload_max_abs_logit_diff"] == 0.0
    assert meta["ties_preserved"] is True and meta["adapters"] == [str(random_adapter)]
    assert len(list(out.glob("model-0000*-of-0000*.safetensors"))) > 1
    assert (out / "chat_template.jinja").is_file() or "chat_template" in (out / "tokenizer_config.json").read_text()
    assert (_logits(out) - _logits(tiny_model_dir)).abs().max() > 1e-3  # the adapter really is in the weights
    assert '"verified": true' in capsys.readouterr().out


def test_a_failed_verification_exits_non_zero(tiny_model_dir, random_adapter, tmp_path, capsys):
    code = main(["--base", str(tiny_model_dir), "--adapter", str(random_adapter), "--out", str(tmp_path / "m"),
                 "--tolerance", "1e-15"])  # fmt: skip
    assert code == 1
    assert "verification FAILED" in capsys.readouterr().err
    assert json.loads((tmp_path / "m" / "merge_metadata.json").read_text())["verified"] is False


def test_a_4bit_base_is_refused(tiny_model_dir, random_adapter, tmp_path, capsys):
    import shutil

    base = tmp_path / "base-4bit"
    shutil.copytree(tiny_model_dir, base)
    config = json.loads((base / "config.json").read_text())
    config["quantization_config"] = {
        "quant_method": "bitsandbytes",
        "load_in_4bit": True,
        "bnb_4bit_quant_type": "nf4",
    }
    (base / "config.json").write_text(json.dumps(config))
    assert main(["--base", str(base), "--adapter", str(random_adapter), "--out", str(tmp_path / "m")]) == 2
    assert "4-bit" in capsys.readouterr().err and not (tmp_path / "m").exists()


def test_an_adapter_on_the_tied_embeddings_is_refused(tiny_model_dir, tmp_path, capsys):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    adapter = tmp_path / "adapter"
    get_peft_model(
        model, LoraConfig(r=2, target_modules=["q_proj", "lm_head"], task_type="CAUSAL_LM")
    ).save_pretrained(adapter)
    assert main(["--base", str(tiny_model_dir), "--adapter", str(adapter), "--out", str(tmp_path / "m")]) == 2
    assert "lm_head" in capsys.readouterr().err
