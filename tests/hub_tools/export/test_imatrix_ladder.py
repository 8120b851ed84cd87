"""The manifest's quant ladder with a Persian-calibrated importance matrix, each file measured against F16, and the
card that lists them: the export as the release runs it, on the tiny model."""

from __future__ import annotations

import importlib.util
import json
import math

import pytest
import yaml


pytestmark = [pytest.mark.slow, pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                                                   reason="llama-cpp-python is not installed (dev extra)")]

MANIFEST = "release/gaokerena-v1.yaml"


def manifest_quants() -> list[str]:
    from hub_tools.export.llama_tools import REPO_ROOT

    return yaml.safe_load((REPO_ROOT / MANIFEST).read_text())["artifacts"]["gguf"]["quants"]


@pytest.fixture(scope="module")
def ladder(tiny_model_dir, calibration_files, tmp_path_factory, llama_tools):
    from hub_tools.export.cli import main

    calibration, eval_text = calibration_files
    out = tmp_path_factory.mktemp("ladder")
    assert main(["gguf", "--model", str(tiny_model_dir), "--out", str(out), "--name", "tiny", "--quant",
                 *manifest_quants(), "--imatrix", str(calibration), "--imatrix-ctx", "128", "--measure",
                 str(eval_text), "--measure-ctx", "128", "--measure-tokens", "1024"]) == 0  # fmt: skip
    return out


def test_every_file_of_the_ladder_is_made_with_the_imatrix_and_measured(ladder):
    from hub_tools.export.quants import IMATRIX_QUANTS, gguf_file_name
    from hub_tools.export.quality import read_quality

    quants = manifest_quants()
    assert sorted(p.name for p in ladder.iterdir()) == sorted(
        [gguf_file_name("tiny", q) for q in quants] + ["tiny.imatrix", "imatrix.json", "quality.json"])
    provenance = json.loads((ladder / "imatrix.json").read_text())
    assert provenance["imatrix"] == "tiny.imatrix" and provenance["computed_on"] == "tiny-F16.gguf"
    assert provenance["context"] == 128 and provenance["calibration"]["seed"] == 0
    assert provenance["calibration"]["contamination_check"]["held_out"]["mf3qa"]["contaminated"] == 0
    report = read_quality(ladder / "quality.json")
    published = {(f.quant, f.imatrix): f for f in report.files}
    for quant in quants:
        label = quant.upper()
        row = published[(label, quant in IMATRIX_QUANTS)]
        assert math.isfinite(row.perplexity) and row.perplexity > 1 and 0 < row.top1 <= 1 and row.mean_kld >= 0
        if quant in IMATRIX_QUANTS:  # the same quant without the imatrix, measured for the comparison
            assert (label, False) in published
    assert published[("F16", False)].mean_kld == 0 and published[("F16", False)].top1 == 1
    assert published[("Q8_0", False)].mean_kld < published[("Q4_K_M", True)].mean_kld
    assert len({f.positions for f in report.files}) == 1  # the same tokens for every file
    # llama.cpp records the imatrix and its dataset in every quant's metadata: by name, never a local path.
    import gguf

    meta = gguf.GGUFReader(ladder / "tiny-Q4_K_M.gguf").fields
    assert meta["quantize.imatrix.file"].contents() == "tiny.imatrix"
    assert meta["quantize.imatrix.dataset"].contents() == "calibration.txt"
    for path in ladder.iterdir():
        assert str(ladder.parent.parent).encode() not in path.read_bytes(), path.name


def test_the_card_lists_the_ladder_with_its_figures_and_derives_the_advice(ladder):
    from hub_tools.cards.gguf import describe_gguf_files, quality_rows, recommend
    from hub_tools.export.quality import read_quality
    from hub_tools.release.gguf import gguf_generated_files

    files = gguf_generated_files(ladder, quants=tuple(manifest_quants()), repo_id="gaokerena/tiny-GGUF",
                                 version="v1.0", base_model="gaokerena/tiny")  # fmt: skip
    card = files["README.md"]
    report = read_quality(ladder / "quality.json")
    rows = quality_rows(describe_gguf_files(ladder), report)
    for row in rows:
        line = next(line for line in card.splitlines() if line.startswith(f"| [`{row.info.filename}`]"))
        assert f"| {row.measured.mean_kld:.4f} | {100 * row.measured.top1:.1f}% | {row.measured.perplexity:.3f} |" in line
        if row.measured.imatrix:
            assert f"| {row.plain.mean_kld:.4f} |" in line
    best = recommend(rows)
    assert f"recommended: **`{best.info.filename}`**" in card
    assert f"ollama run hf.co/gaokerena/tiny-GGUF:{best.info.quant}" in card
    assert "\n### Importance matrix\n" in card and "[`tiny.imatrix`]" in card
    assert "Tensor types of each file" in card and "Q5_0 ×" in card  # the tiny model's 64-wide rows fall back


def test_the_manifest_ladder_must_match_the_folder(ladder):
    from hub_tools.cards.model import CardError
    from hub_tools.release.gguf import gguf_generated_files

    with pytest.raises(CardError, match=r"missing \['Q2_K'\]"):
        gguf_generated_files(ladder, quants=(*manifest_quants(), "q2_k"), repo_id="gaokerena/tiny-GGUF",
                             version="v1.0", base_model="gaokerena/tiny")  # fmt: skip


def test_missing_tools_or_calibration_are_clear_errors(tiny_model_dir, tmp_path, capsys):
    from hub_tools.export.cli import main

    calibration = tmp_path / "calibration.txt"
    calibration.write_text("متن", encoding="utf-8")
    assert main(["gguf", "--model", str(tiny_model_dir), "--out", str(tmp_path / "out"), "--imatrix",
                 str(calibration), "--llama-tools", str(tmp_path)]) == 2  # fmt: skip
    assert "llama-imatrix not found" in capsys.readouterr().err
    assert main(["gguf", "--model", str(tiny_model_dir), "--out", str(tmp_path / "out"), "--imatrix",
                 str(tmp_path / "none.txt")]) == 2  # fmt: skip
    assert "calibration text" in capsys.readouterr().err and not (tmp_path / "out").exists()
