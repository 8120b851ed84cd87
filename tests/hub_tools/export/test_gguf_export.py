"""GGUF export of the tiny aya-shaped model: exact metadata, tensors, names, errors; then llama.cpp checks it."""

from __future__ import annotations

import json
import shutil

import pytest


needs_llama_cpp = pytest.mark.llama_cpp  # skipped with the reason where llama-cpp-python is missing (conftest)

EXPECTED_KEYS = {
    "GGUF.version", "GGUF.tensor_count", "GGUF.kv_count",
    "general.architecture", "general.name", "general.type", "general.file_type", "general.quantization_version",
    "command-r.block_count", "command-r.context_length", "command-r.embedding_length",
    "command-r.feed_forward_length", "command-r.attention.head_count", "command-r.attention.head_count_kv",
    "command-r.rope.freq_base", "command-r.rope.scaling.type", "command-r.attention.layer_norm_epsilon",
    "command-r.logit_scale", "command-r.vocab_size",
    "tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.token_type",
    "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
    "tokenizer.ggml.eot_token_id", "tokenizer.ggml.padding_token_id", "tokenizer.ggml.unknown_token_id",
    "tokenizer.ggml.seperator_token_id", "tokenizer.ggml.mask_token_id", "tokenizer.ggml.add_bos_token",
    "tokenizer.ggml.add_eos_token", "tokenizer.chat_template",
}  # fmt: skip


def _fields(path):
    import gguf

    reader = gguf.GGUFReader(path)
    return reader, {key: field.contents() for key, field in reader.fields.items()}


def test_f16_metadata_is_exact(tiny_f16, tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    config = json.loads((tiny_model_dir / "config.json").read_text())
    reader, meta = _fields(tiny_f16)
    assert set(meta) == EXPECTED_KEYS
    assert tiny_f16.name == "tiny-aya-F16.gguf"
    assert meta["general.architecture"] == "command-r" and meta["tokenizer.ggml.pre"] == "command-r"
    assert meta["tokenizer.ggml.model"] == "gpt2" and meta["general.file_type"] == 1
    assert meta["command-r.logit_scale"] == pytest.approx(config["logit_scale"])
    assert meta["command-r.block_count"] == config["num_hidden_layers"]
    assert meta["command-r.attention.head_count_kv"] == config["num_key_value_heads"]
    tokens = meta["tokenizer.ggml.tokens"]
    assert len(tokens) == config["vocab_size"] == len(tokenizer)
    assert tokens[meta["tokenizer.ggml.eos_token_id"]] == "<|END_OF_TURN_TOKEN|>"
    assert tokens[meta["tokenizer.ggml.bos_token_id"]] == "<BOS_TOKEN>"
    assert meta["tokenizer.ggml.add_bos_token"] is True and meta["tokenizer.ggml.add_eos_token"] is False
    assert meta["tokenizer.chat_template"] == tokenizer.chat_template
    types = meta["tokenizer.ggml.token_type"]
    assert types[tokenizer.convert_tokens_to_ids("<|START_OF_TURN_TOKEN|>")] == 3  # CONTROL
    assert sum(t == 1 for t in types) == len(tokenizer) - len(tokenizer.added_tokens_decoder)  # NORMAL
    names = {t.name: t for t in reader.tensors}
    assert "output.weight" not in names  # tied: llama.cpp reuses token_embd
    assert len(names) == 2 + 8 * config["num_hidden_layers"]  # norm, q, k, v, o, gate, up, down
    assert names["token_embd.weight"].tensor_type.name == "F16"
    assert names["output_norm.weight"].tensor_type.name == "F32"


def test_unsupported_architecture_is_a_clear_error(tiny_model_dir, tmp_path, capsys):
    from hub_tools.export.cli import main

    model = tmp_path / "llama"
    shutil.copytree(tiny_model_dir, model)
    config = json.loads((model / "config.json").read_text())
    config["architectures"] = ["LlamaForCausalLM"]
    (model / "config.json").write_text(json.dumps(config))
    assert main(["gguf", "--model", str(model), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "LlamaForCausalLM" in err and "not supported" in err and "CohereForCausalLM" in err
    assert main(["gguf", "--model", str(tiny_model_dir), "--out", str(tmp_path / "out"), "--quant", "q9"]) == 2
    assert "unknown quant 'q9'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@needs_llama_cpp
def test_quant_files_are_named_and_typed(tiny_quants):
    assert {q: p.name for q, p in tiny_quants.items()} == {
        "f16": "tiny-aya-F16.gguf", "q8_0": "tiny-aya-Q8_0.gguf", "q4_k_m": "tiny-aya-Q4_K_M.gguf"}
    _, meta = _fields(tiny_quants["q4_k_m"])
    assert meta["general.file_type"] == 15 and meta["tokenizer.ggml.pre"] == "command-r"
    assert tiny_quants["q8_0"].stat().st_size < tiny_quants["f16"].stat().st_size


@needs_llama_cpp
def test_llama_cpp_agrees_with_transformers(tiny_quants, tiny_model_dir):
    from hub_tools.export.check import check_gguf, load_reference, reference_logits

    tokenizer, model = load_reference(tiny_model_dir)
    reference = (tokenizer, reference_logits(tokenizer, model))
    f16 = check_gguf(tiny_quants["f16"], reference=reference)
    q8 = check_gguf(tiny_quants["q8_0"], reference=reference)
    for report in (f16, q8):
        assert report.tokenization_ok, report.mismatches
        assert report.template_matches, report.mismatches
    assert f16.agreement >= 0.95, f16.summary()
    assert q8.agreement >= 0.85, q8.summary()
    # Argmax alone is weak on a random model (mostly the input token, tied embeddings): the logits must match too.
    assert f16.relative_logit_error < 0.01, f16.summary()
    assert q8.relative_logit_error < 0.05, q8.summary()


@needs_llama_cpp
def test_the_check_catches_a_wrong_logit_scale(tiny_model_dir, tmp_path):
    from hub_tools.export.check import check_gguf
    from hub_tools.export.gguf import write_f16

    wrong = tmp_path / "wrong"
    shutil.copytree(tiny_model_dir, wrong)
    config = json.loads((wrong / "config.json").read_text())
    config["logit_scale"] *= 4
    (wrong / "config.json").write_text(json.dumps(config))
    path = write_f16(wrong, tmp_path / "wrong-F16.gguf", name="wrong", progress=False)
    report = check_gguf(path, tiny_model_dir)
    assert report.tokenization_ok and report.template_matches
    assert report.relative_logit_error > 1.0, report.summary()


@needs_llama_cpp
def test_verify_prints_the_figures(tiny_model_dir, tmp_path, capsys):
    from hub_tools.export.cli import main

    assert main(["gguf", "--model", str(tiny_model_dir), "--out", str(tmp_path), "--quant", "q8_0", "--verify",
                 "--name", "gaokerena-tiny"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["gaokerena-tiny-Q8_0.gguf"]  # F16 intermediate removed
    assert "gaokerena-tiny-Q8_0.gguf: tokenization 6/6 texts identical" in out
    assert "next-token argmax agrees on" in out and "chat template renders the same ids" in out
