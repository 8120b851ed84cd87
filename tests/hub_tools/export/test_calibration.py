"""The imatrix calibration text: a seeded sample of the train splits, proven free of every held-out row."""

from __future__ import annotations

import hashlib
import json

import pytest

from hub_tools.data.contamination import check_contamination
from hub_tools.export.calibration import (
    SEPARATOR,
    CalibrationError,
    build_calibration,
    eval_answers,
    held_out_rows,
)


def test_the_calibration_text_holds_no_dev_test_or_benchmark_row(calibration_files, built_datasets):
    calibration, eval_text = calibration_files
    texts = calibration.read_text(encoding="utf-8").strip().split(SEPARATOR)
    provenance = json.loads(calibration.with_suffix(".json").read_text(encoding="utf-8"))
    assert provenance["texts"] == len(texts) > 0 and provenance["seed"] == 0
    assert provenance["sha256"] == hashlib.sha256(calibration.read_bytes()).hexdigest()
    assert [s["dataset"] for s in provenance["sources"]] == ["corpus", "mf3qa"]
    assert {s["split"] for s in provenance["sources"]} == {"train"}
    # The proof, run again here on the written file: every non-train row of MF3QA (dev, test: question and
    # answer), every benchmark question and the --measure text against the calibration text.
    held_out = {name: held_out_rows(built_datasets[name]) for name in ("mf3qa", "mmlu-fa", "ibmsee", "kqa-fa")}
    held_out["eval-text"] = [(str(i), t) for i, t in enumerate(eval_text.read_text(encoding="utf-8").split(SEPARATOR))]
    report = check_contamination(held_out, texts)
    assert not report.failed, report.summary()
    assert all(report.benchmarks[name].checked > 0 for name in held_out)
    checked = provenance["contamination_check"]["held_out"]
    assert set(checked) == set(held_out) and all(v["contaminated"] == 0 for v in checked.values())
    # MF3QA dev and test rows are both held out (ids carry the split).
    ids = [i for i, _ in held_out["mf3qa"]]
    assert any("/dev-" in i for i in ids) and any("/test-" in i for i in ids)


def test_the_eval_text_is_the_mf3qa_test_answers(calibration_files, built_datasets):
    _, eval_text = calibration_files
    assert eval_text.read_text(encoding="utf-8").strip().split(SEPARATOR) == eval_answers(built_datasets["mf3qa"])


def test_a_held_out_row_in_the_sample_is_dropped_and_recorded(built_datasets):
    from hub_tools.data.contamination import iter_training_texts

    train = [built_datasets["mf3qa"]]
    every = [t.strip() for t in iter_training_texts(train)]
    leaked = every[3]  # pretend this training text is also a test row
    held_out = {"test": [("leak", leaked[:600])]}
    calibration = build_calibration(train, held_out, seed=1, texts=len(every), max_chars=10**6)
    assert leaked not in calibration.texts and len(calibration.texts) == len(every) - 1
    assert calibration.provenance["contamination_check"]["dropped_texts"] == 1


def test_seeds_draw_different_samples_and_bad_sources_are_named(built_datasets, tmp_path):
    train = [built_datasets["corpus"], built_datasets["mf3qa"]]
    one = build_calibration(train, {}, seed=1, texts=20)
    two = build_calibration(train, {}, seed=2, texts=20)
    assert one.texts != two.texts and one.texts == build_calibration(train, {}, seed=1, texts=20).texts
    with pytest.raises(CalibrationError, match="not a built dataset folder"):
        held_out_rows(tmp_path)
    with pytest.raises(CalibrationError, match="does not exist"):
        build_calibration([tmp_path / "missing"], {})
