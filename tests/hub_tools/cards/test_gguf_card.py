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


def _quality_report(figures: dict[str, tuple[int, float, float, float | None]]):
    """quant -> (size, KLD, top-1, plain KLD or None) as a quality report and the files it describes."""
    from hub_tools.export.quality import FileQuality, QualityReport

    files, rows = [], []
    for quant, (size, kld, top1, plain) in figures.items():
        name = f"m-{quant}.gguf"
        files.append(GGUFFileInfo(name, quant, size, size + (1 << 30), {"Q4_K": 3}))
        rows.append(FileQuality(name, quant, plain is not None, size, kld, top1, 10.0 + kld, 512, 1.0))
        if plain is not None:
            rows.append(FileQuality(name, quant, False, size, plain, top1 - 0.01, 10.0 + plain, 512, 1.0))
    report = QualityReport({"name": "mf3qa-test-answers.txt", "sha256": "0" * 64, "tokens": 520}, 128, rows)
    return sorted(files, key=lambda f: -f.size), report


def test_the_advice_is_derived_from_the_measured_figures():
    from hub_tools.cards.gguf import quality_rows, ram_ladder, recommend

    files, report = _quality_report({
        "F16": (16 << 30, 0.0, 1.0, None), "Q8_0": (8 << 30, 0.001, 0.99, None),
        "Q6_K": (6 << 30, 0.004, 0.98, 0.005), "Q5_K_M": (5 << 30, 0.02, 0.95, 0.03),
        "Q4_K_L": ((5 << 30) - 1, 0.06, 0.92, 0.07), "Q4_K_M": (4 << 30, 0.04, 0.91, 0.05),
        "IQ4_XS": (3 << 30, 0.09, 0.86, 0.2),
    })  # fmt: skip
    rows = quality_rows(files, report)
    assert recommend(rows).info.quant == "Q4_K_M"  # the smallest within 0.05 nats and 90% top-1
    assert [r.info.quant for r in ram_ladder(rows)] == ["IQ4_XS", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"]
    card = str(build_gguf_card(repo_id="gaokerena/m-GGUF", version="v1.0", base_model="gaokerena/m", files=files,
                               quality=report))  # fmt: skip
    assert "| Q4_K_M | yes | 4.00 GB | 5.00 GB | 0.0400 | 91.0% | 10.040 | 0.0500 | **recommended**; " in card
    assert "| F16 | no | 16.00 GB | 17.00 GB | 0.0000 | 100.0% | 10.000 | — |" in card
    assert "recommended: **`m-Q4_K_M.gguf`**" in card and "ollama run hf.co/gaokerena/m-GGUF:Q4_K_M" in card
    assert "- 5.00 GB or more: `m-Q4_K_M.gguf` (KLD 0.0400, top-1 91.0%)" in card
    assert "`m-Q4_K_L.gguf`" in card and "or more: `m-Q4_K_L.gguf`" not in card  # bigger and worse: not advised
    # Nothing is close enough: the quant with the lowest KLD is advised, never F16 while a quant exists.
    files, report = _quality_report({"F16": (16 << 30, 0.0, 1.0, None), "Q4_K_M": (4 << 30, 0.3, 0.7, 0.4),
                                     "IQ4_XS": (3 << 30, 0.5, 0.6, 0.6)})  # fmt: skip
    assert recommend(quality_rows(files, report)).info.quant == "Q4_K_M"


def test_a_stale_quality_report_is_an_error():
    from hub_tools.cards.gguf import quality_rows
    from hub_tools.cards.model import CardError

    files, report = _quality_report({"Q4_K_M": (4 << 30, 0.04, 0.91, 0.05)})
    files.append(GGUFFileInfo("m-Q8_0.gguf", "Q8_0", 8 << 30, 9 << 30))
    with pytest.raises(CardError, match="quality.json has no figures for m-Q8_0.gguf"):
        quality_rows(files, report)
