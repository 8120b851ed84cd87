"""datasets, transformers and peft pushing to and loading from the local Hub through their own Hub code."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_datasetdict_push_and_load_two_configs(local_hub, hf_api, repo_name):
    from datasets import Dataset, DatasetDict, load_dataset

    first = DatasetDict({"train": Dataset.from_dict({"q": ["a", "b", "c"], "n": [1, 2, 3]}),
                         "test": Dataset.from_dict({"q": ["d"], "n": [4]})})
    second = DatasetDict({"test": Dataset.from_dict({"text": ["سلام", "دنیا"]})})
    first.push_to_hub(repo_name, config_name="first")
    second.push_to_hub(repo_name, config_name="second")
    files = hf_api.list_repo_files(repo_name, repo_type="dataset")
    assert "README.md" in files and any(f.startswith("first/train-") for f in files)
    loaded = load_dataset(repo_name, "first")
    assert loaded["train"].to_dict() == {"q": ["a", "b", "c"], "n": [1, 2, 3]}
    assert loaded["test"]["q"] == ["d"]
    assert load_dataset(repo_name, "second")["test"]["text"] == ["سلام", "دنیا"]
    card = hf_api.dataset_info(repo_name).card_data
    assert {c["config_name"] for c in card["configs"]} == {"first", "second"}


def _tiny_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<UNK>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<PAD>", "<UNK>", "<BOS_TOKEN>", "<EOS_TOKEN>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(["سلام دنیا", "hello world", "the local hub serves files"] * 10, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<BOS_TOKEN>", eos_token="<EOS_TOKEN>",
                                   pad_token="<PAD>", unk_token="<UNK>")


def _tiny_cohere(vocab_size: int):
    import torch
    from transformers import CohereConfig, CohereForCausalLM

    torch.manual_seed(0)
    config = CohereConfig(vocab_size=vocab_size, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                          num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                          pad_token_id=0, bos_token_id=2, eos_token_id=3)
    return CohereForCausalLM(config).eval()


def test_tiny_cohere_and_lora_adapter_roundtrip(local_hub, hf_api, repo_name):
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = _tiny_tokenizer()
    model = _tiny_cohere(len(tokenizer))
    model.push_to_hub(repo_name)
    tokenizer.push_to_hub(repo_name)
    files = hf_api.list_repo_files(repo_name)
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(files)
    assert hf_api.model_info(repo_name, files_metadata=True).siblings  # LFS weights listed
    loaded = AutoModelForCausalLM.from_pretrained(repo_name).eval()
    loaded_tok = AutoTokenizer.from_pretrained(repo_name)
    ids = loaded_tok("hello world", return_tensors="pt").input_ids
    assert ids.tolist() == tokenizer("hello world", return_tensors="pt").input_ids.tolist()
    with torch.no_grad():
        assert torch.allclose(loaded(ids).logits, model(ids).logits)

    adapter_repo = repo_name + "-lora"
    peft_model = get_peft_model(loaded, LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"]))
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.fill_(0.05)  # non-zero so the adapter changes the logits
        expected = peft_model(ids).logits
    peft_model.push_to_hub(adapter_repo)
    assert {"adapter_config.json", "adapter_model.safetensors"} <= set(hf_api.list_repo_files(adapter_repo))
    base = AutoModelForCausalLM.from_pretrained(repo_name).eval()
    restored = PeftModel.from_pretrained(base, adapter_repo).eval()
    with torch.no_grad():
        assert torch.allclose(restored(ids).logits, expected, atol=1e-6)
