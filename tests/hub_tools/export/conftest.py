"""The tiny aya-shaped model exported once per session (F16, Q8_0, Q4_K_M) for the GGUF tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


HAS_LLAMA_CPP = importlib.util.find_spec("llama_cpp") is not None


@pytest.fixture(scope="session")
def tiny_f16(tiny_model_dir, tmp_path_factory) -> Path:
    from hub_tools.export.gguf import export_gguf

    out = tmp_path_factory.mktemp("gguf-f16")
    (exported,) = export_gguf(tiny_model_dir, out, ["f16"], name="tiny-aya", progress=False)
    return exported.path


@pytest.fixture(scope="session")
def tiny_quants(tiny_model_dir, tmp_path_factory) -> dict[str, Path]:
    """quant -> file, made by the real exporter (llama.cpp quantizes)."""
    if not HAS_LLAMA_CPP:
        pytest.skip("llama-cpp-python is not installed (dev extra)")
    from hub_tools.export.gguf import export_gguf

    out = tmp_path_factory.mktemp("gguf-quants")
    exported = export_gguf(tiny_model_dir, out, ["f16", "q8_0", "q4_k_m"], name="tiny-aya", progress=False)
    return {item.quant: item.path for item in exported}
