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


@pytest.fixture(scope="session")
def built_datasets(tmp_path_factory) -> dict[str, Path]:
    """The five datasets built from the bundled samples, as `gaokerena data build` makes them (name -> folder)."""
    from hub_tools.data.builders import BuildOptions, default_sources, get_builder

    root = tmp_path_factory.mktemp("datasets")
    folders = {}
    for name in ("mmlu-fa", "ibmsee", "kqa-fa", "mf3qa", "corpus"):
        get_builder(name).build(default_sources(name), root / name, BuildOptions())
        folders[name] = root / name
    return folders


@pytest.fixture(scope="session")
def llama_tools():
    """llama.cpp's llama-imatrix and llama-quantize (`make llama-tools`, which `make test` runs first)."""
    from hub_tools.export.quants import GGUFExportError
    from hub_tools.export.llama_tools import LlamaTools

    try:
        return LlamaTools.find()
    except GGUFExportError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def calibration_files(built_datasets, tmp_path_factory) -> tuple[Path, Path]:
    """(calibration text, MF3QA test answers) made by `gaokerena export calibration` from the built datasets."""
    from hub_tools.export.cli import main

    out = tmp_path_factory.mktemp("calibration")
    held_out = [str(built_datasets[n]) for n in ("mf3qa", "mmlu-fa", "ibmsee", "kqa-fa")]
    assert main(["calibration", "--train", str(built_datasets["corpus"]), str(built_datasets["mf3qa"]),
                 "--held-out", *held_out, "--out", str(out / "calibration.txt"), "--seed", "0",
                 "--eval-from", str(built_datasets["mf3qa"]), "--eval-out", str(out / "eval.txt")]) == 0  # fmt: skip
    return out / "calibration.txt", out / "eval.txt"
