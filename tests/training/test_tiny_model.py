"""The tiny aya-shaped model: Cohere architecture, aya's tokens and chat template, deterministic, loads offline."""

from __future__ import annotations

import hashlib
import json

import pytest

from hub_tools.aya import AYA_EXPANSE_CHAT_TEMPLATE, SPECIAL_TOKENS
from training.tiny import init_tiny


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_loads_with_the_auto_classes_as_a_tied_cohere_model(tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer, CohereForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert isinstance(model, CohereForCausalLM)
    assert model.config.tie_word_embeddings is True
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    assert (model.config.num_attention_heads, model.config.num_key_value_heads) == (4, 2)
    assert model.config.vocab_size == len(tokenizer) and 1000 <= len(tokenizer) <= 2048
    assert all(
        tokenizer.convert_tokens_to_ids(token) != tokenizer.unk_token_id
        for token in SPECIAL_TOKENS
        if token != "<UNK>"
    )


def test_chat_template_is_aya_expanses(tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert tokenizer.chat_template == AYA_EXPANSE_CHAT_TEMPLATE
    messages = [{"role": "system", "content": "دستیار"}, {"role": "user", "content": " سلام "},
                {"role": "assistant", "content": "درود"}]  # fmt: skip
    assert tokenizer.apply_chat_template(messages, tokenize=False) == (
        "<BOS_TOKEN><|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>دستیار<|END_OF_TURN_TOKEN|>"
        "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>سلام<|END_OF_TURN_TOKEN|>"
        "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>درود<|END_OF_TURN_TOKEN|>"
    )
    prompt = tokenizer.apply_chat_template(messages[1:2], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|END_OF_TURN_TOKEN|><|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>")
    ids = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
    assert ids.count(tokenizer.bos_token_id) == 1  # the template's BOS, not a second one from the tokenizer


def test_generation_config_stops_at_end_of_turn(tiny_model_dir):
    from transformers import AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    eos = tokenizer.convert_tokens_to_ids("<|END_OF_TURN_TOKEN|>")
    assert GenerationConfig.from_pretrained(tiny_model_dir).eos_token_id == eos == tokenizer.eos_token_id
    assert json.loads((tiny_model_dir / "config.json").read_text())["eos_token_id"] == eos


def test_tokenizer_round_trips_persian_text(tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    text = "کم‌خونی فقر آهن در ۲۰ درصد زنان دیده می‌شود."
    ids = tokenizer(text)["input_ids"]
    assert ids[0] == tokenizer.bos_token_id
    assert tokenizer.decode(ids, skip_special_tokens=True) == text
    assert len(ids) < len(text.encode("utf-8")) / 2  # BPE merges, not bytes


@pytest.mark.slow  # builds and pretrains the tiny model a second time (~25 s on a loaded 2-core machine)
def test_same_seed_same_files(tiny_model_dir, tmp_path):
    again = init_tiny(tmp_path / "again", seed=0)
    for name in ("model.safetensors", "tokenizer.json", "config.json", "generation_config.json"):
        assert _digest(again / name) == _digest(tiny_model_dir / name), name


def test_a_missing_corpus_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="Persian sample corpus"):
        init_tiny(tmp_path / "model", corpus=tmp_path / "nope.jsonl")


def test_init_tiny_command(tmp_path, capsys):
    from training.cli import main

    assert main(["init-tiny", "--out", str(tmp_path / "tiny"), "--seed", "1", "--pretrain-steps", "2"]) == 0
    assert (tmp_path / "tiny" / "model.safetensors").is_file() and "tiny model written" in capsys.readouterr().out


def test_the_tiny_model_is_a_small_real_language_model(tiny_model_dir):
    """Briefly pretrained: its loss on a Persian sentence from the corpus is well under ln(vocab) (a uniform guess)."""
    import math

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    ids = tokenizer("دیابت نوع دو شایع‌ترین شکل دیابت در بزرگسالان است.", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        loss = model(input_ids=ids, labels=ids).loss.item()
    assert loss < 0.8 * math.log(len(tokenizer))


def test_every_aya_special_token_is_special_so_no_reply_shows_one(tiny_model_dir):
    """`make demo` replies once showed a literal <EOS_TOKEN>: the tokenizer did not mark it special."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert set(SPECIAL_TOKENS) <= set(tokenizer.all_special_tokens)
    ids = tokenizer("سلام")["input_ids"] + [tokenizer.convert_tokens_to_ids(token) for token in SPECIAL_TOKENS]
    assert tokenizer.decode(ids, skip_special_tokens=True) == "سلام"

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "درمان سرماخوردگی چیست؟"}],
                                           add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.inference_mode():  # no end-of-turn stop: the reply runs on through the tokens pretraining taught
        out = model.generate(**prompt, max_new_tokens=200, do_sample=False, eos_token_id=None)
    generated = out[0, prompt["input_ids"].shape[1]:].tolist()
    reply = tokenizer.decode(generated, skip_special_tokens=True)
    assert reply.strip()
    assert not any(token in reply for token in SPECIAL_TOKENS), reply
