"""The GGUF repo's card and Ollama files: exact metadata keys, the quant table read from real GGUF files."""

from __future__ import annotations

import json

import pytest
import yaml

from hub_tools.cards.gguf import GGUFFileInfo, build_gguf_card, describe_gguf_files
from hub_tools.export.ollama import OLLAMA_TEMPLATE, ollama_files
from space.chat import DEFAULT_SYSTEM_PROMPT
from space.safety import DISCLAIMER_FA


GGUF_KEYS = {"base_model", "base_model_relation", "language", "library_name", "license", "pipeline_tag", "tags"}


@pytest.fixture(scope="module")
def f16_folder(tiny_model_dir, tmp_path_factory):
    from hub_tools.export.gguf import write_f16

    folder = tmp_path_factory.mktemp("gguf-card")
    write_f16(tiny_model_dir, folder / "gaokerena-v1-F16.gguf", name="gaokerena-v1", progress=False)
    return folder


def _front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_gguf_card_metadata_is_exact(f16_folder):
    files = describe_gguf_files(f16_folder)
    card = str(build_gguf_card(repo_id="gaokerena/gaokerena-v1-GGUF", version="v1.0",
                               base_model="gaokerena/gaokerena-v1", files=files))  # fmt: skip
    front = _front_matter(card)
    assert set(front) == GGUF_KEYS
    assert front["base_model"] == "gaokerena/gaokerena-v1" and front["base_model_relation"] == "quantized"
    assert front["library_name"] == "gguf" and front["license"] == "cc-by-nc-sa-4.0" and front["language"] == ["fa"]
    assert {"gguf", "llama.cpp", "ollama", "medical", "persian"} <= set(front["tags"]) and "lora" not in front["tags"]
    (info,) = files
    assert info.quant == "F16" and info.size == (f16_folder / "gaokerena-v1-F16.gguf").stat().st_size
    assert info.ram > info.size
    assert f"| [`gaokerena-v1-F16.gguf`](https://huggingface.co/gaokerena/gaokerena-v1-GGUF/blob/main/" in card
    assert f"| F16 | {info.size_label} | {info.ram_label} |" in card
    assert "ollama run hf.co/gaokerena/gaokerena-v1-GGUF:F16" in card
    assert "llama-cli -hf gaokerena/gaokerena-v1-GGUF:F16" in card and "lms get gaokerena/gaokerena-v1-GGUF" in card
    assert "medical disclaimer" in card and "@article{ghassabi2025gaokerena" in card and "CC BY-NC-SA 4.0" in card


def test_card_recommends_q4_k_m_when_present():
    files = [GGUFFileInfo(f"m-{q}.gguf", q, size, size * 2) for q, size in (("Q8_0", 8 << 30), ("Q4_K_M", 5 << 30))]
    card = str(build_gguf_card(repo_id="gaokerena/m-GGUF", version="v1.0", base_model="gaokerena/m", files=files,
                               hub_url="http://127.0.0.1:8080"))  # fmt: skip
    assert "ollama run 127.0.0.1:8080/gaokerena/m-GGUF:Q4_K_M" in card
    assert "| Q4_K_M | 5.00 GB | 10.00 GB | recommended for most computers |" in card


def test_ollama_files_carry_the_aya_format_and_the_space_prompt():
    files = ollama_files()
    assert set(files) == {"template", "system", "params"}
    assert files["system"] == f"{DEFAULT_SYSTEM_PROMPT}\n\n{DISCLAIMER_FA}"
    params = json.loads(files["params"])
    assert params["stop"] == ["<|END_OF_TURN_TOKEN|>"] and set(params) == {"stop", "temperature", "top_p",
                                                                           "repeat_penalty", "num_ctx"}
    for token in ("<|SYSTEM_TOKEN|>", "<|USER_TOKEN|>", "<|CHATBOT_TOKEN|>", "{{ .System }}", "{{ .Content }}"):
        assert token in OLLAMA_TEMPLATE
    assert OLLAMA_TEMPLATE.endswith("<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>")  # the generation prompt
