"""`gaokerena eval mc --backend llama.cpp`: the loglikelihood protocol on a GGUF file, against transformers."""

from __future__ import annotations

import importlib.util
import json

import pytest


pytestmark = pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                                reason="llama-cpp-python is not installed (dev extra)")
LIMIT = 40


@pytest.fixture(scope="module")
def tiny_gguf(tiny_model_dir, tmp_path_factory):
    from hub_tools.export.gguf import export_gguf

    out = tmp_path_factory.mktemp("eval-gguf")
    exported = export_gguf(tiny_model_dir, out, ["f16", "q4_k_m"], name="tiny-aya", progress=False)
    return {item.quant: item.path for item in exported}


@pytest.fixture(scope="module")
def benchmarks(tmp_path_factory):
    """MMLU-fa and IBMSEE built from the bundled samples."""
    from hub_tools.data.builders import BuildOptions, default_sources, get_builder

    root = tmp_path_factory.mktemp("benchmarks")
    for name in ("mmlu-fa", "ibmsee"):
        get_builder(name).build(default_sources(name), root / name, BuildOptions())
    return root


@pytest.mark.slow
@pytest.mark.parametrize("benchmark", ["mmlu-fa", "ibmsee"])
def test_llama_cpp_on_f16_matches_transformers_within_one_question(benchmark, benchmarks, tiny_gguf, tiny_model_dir):
    from hub_tools.evaluation import mc
    from hub_tools.evaluation.data import load_benchmark

    data = load_benchmark(benchmark, str(benchmarks / benchmark), None, limit=LIMIT)
    reference = mc.evaluate_mc(model=str(tiny_model_dir), benchmark=benchmark, protocol="loglikelihood", data=data,
                               device="cpu", resamples=50)  # fmt: skip
    gguf = mc.evaluate_mc(model=str(tiny_gguf["f16"]), benchmark=benchmark, protocol="loglikelihood", data=data,
                          backend="llama.cpp", resamples=50)  # fmt: skip
    n = reference.metrics["n"]
    assert n == gguf.metrics["n"] == len(data.items) > 10
    correct = {r["id"]: r["correct"] for r in reference.records}
    assert abs(sum(correct.values()) - sum(r["correct"] for r in gguf.records)) <= 1
    # Not only the totals: the chosen letters agree, as do the letter log-probabilities.
    same = sum(r["prediction"] == p["prediction"] for r, p in zip(reference.records, gguf.records))
    assert same >= n - 1
    for r, p in zip(reference.records, gguf.records):
        assert max(abs(r["logprobs"][k] - p["logprobs"][k]) for k in "ABCD") < 0.05


def test_the_cli_writes_a_result_marked_as_a_quant(benchmarks, tiny_gguf, tmp_path, capsys):
    from hub_tools.evaluation.cli import main
    from hub_tools.evaluation.schema import load_result

    assert main(["mc", "--backend", "llama.cpp", "--model", str(tiny_gguf["q4_k_m"]), "--benchmark", "ibmsee",
                 "--protocol", "loglikelihood", "--dataset", str(benchmarks / "ibmsee"), "--limit", "8",
                 "--model-id", "gaokerena/tiny-GGUF", "--resamples", "50", "--out", str(tmp_path)]) == 0  # fmt: skip
    (path,) = tmp_path.glob("*.json")
    result = load_result(path)  # the one result schema validates it
    assert result.model.type == "quantized" and result.model.display_name == "tiny-aya · Q4_K_M (GGUF)"
    assert result.config["backend"] == {"name": "llama.cpp", "quant": "Q4_K_M", "file": "tiny-aya-Q4_K_M.gguf"}
    assert result.metrics["n"] == 8 and "llama-cpp-python" in json.loads(path.read_text())["versions"]
    assert "tiny-aya · Q4_K_M (GGUF) ibmsee" in capsys.readouterr().out
    assert main(["mc", "--backend", "llama.cpp", "--model", str(tiny_gguf["q4_k_m"]), "--benchmark", "ibmsee",
                 "--protocol", "generate", "--dataset", str(benchmarks / "ibmsee")]) == 1  # fmt: skip
    assert "loglikelihood protocol of a GGUF file" in capsys.readouterr().err
