"""`gaokerena data build|list|check-contamination` through the top-level dispatcher."""

from __future__ import annotations

import json

import openpyxl
import pytest

from hub_tools.cli import main


def test_build_from_bundled_samples(tmp_path, capsys):
    out = tmp_path / "ibmsee"
    assert main(["data", "build", "ibmsee", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ibmsee: read 14, kept 13, dropped 1" in printed and "medicine-1402-06 test=13" in printed
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["totals"] == {"read": 14, "kept": 13, "dropped": 1}
    assert (out / "README.md").is_file() and (out / "medicine-1402-06" / "test-00000-of-00001.parquet").is_file()


def test_build_options_reach_the_builder(tmp_path):
    out = tmp_path / "mmlu"
    assert (
        main(
            [
                "data",
                "build",
                "mmlu-fa",
                "--out",
                str(out),
                "--fold-digits",
                "--min-answer-chars",
                "5",
                "--contamination",
                "off",
                "--set",
                "note=x",
                "--set",
                "level=3",
            ]
        )
        == 0
    )
    options = json.loads((out / "build_report.json").read_text(encoding="utf-8"))["stats"]["options"]
    assert options["fold_digits"] is True and options["min_answer_chars"] == 5 and options["contamination"] == "off"
    assert options["extra"] == {"note": "x", "level": 3}


def test_bad_source_exits_1_with_a_located_message(tmp_path, capsys):
    src = tmp_path / "mmlu-anatomy_fa.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["question", "option1", "option2", "option3", "option4"])  # no answer column
    wb.active.append(["س", "1", "2", "3", "4"])
    wb.save(src)
    assert main(["data", "build", "mmlu-fa", "--source", str(src), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "mmlu-anatomy_fa.xlsx" in err and "row 1" in err and "'answer'" in err
    assert main(["data", "build", "mmlu-fa", "--source", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2


def test_list_and_check_contamination_delegation(capsys):
    assert main(["data", "list"]) == 0
    listed = capsys.readouterr().out
    assert "mmlu-fa" in listed and "kqa-fa" in listed and "ibmsee" in listed
    with pytest.raises(SystemExit) as exc:
        main(["data", "check-contamination", "--help"])
    assert exc.value.code == 0
    assert "gaokerena data check-contamination" in capsys.readouterr().out


def test_benchmarks_option_is_set_benchmarks(tmp_path, capsys):
    from hub_tools.data.builders import default_sources

    kqa = default_sources("kqa-fa")[0]
    reports = {}
    for name, flags in {"opt": ["--benchmarks", str(kqa)], "set": ["--set", f"benchmarks={kqa}"]}.items():
        out = tmp_path / name
        assert main(["data", "build", "mf3qa", "--out", str(out), *flags]) == 0
        reports[name] = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert reports["opt"]["stats"]["options"]["extra"] == {"benchmarks": str(kqa)}
    assert reports["opt"]["stats"]["contamination"] == reports["set"]["stats"]["contamination"]
    assert list(reports["opt"]["stats"]["contamination"]["benchmarks"]) == ["kqa-fa"]
    assert reports["opt"]["totals"] == reports["set"]["totals"]
    capsys.readouterr()
    both = ["--benchmarks", str(kqa), "--set", f"benchmarks={kqa}"]
    assert main(["data", "build", "mf3qa", "--out", str(tmp_path / "both"), *both]) == 2
    assert "not both" in capsys.readouterr().err


def test_card_sizes_come_from_parquet_metadata(tmp_path):
    import pyarrow.parquet as pq
    import yaml

    out = tmp_path / "ibmsee"
    assert main(["data", "build", "ibmsee", "--out", str(out)]) == 0
    meta = yaml.safe_load((out / "README.md").read_text(encoding="utf-8").split("---")[1])
    (info,) = meta["dataset_info"]
    (split,) = info["splits"]
    path = out / "medicine-1402-06" / "test-00000-of-00001.parquet"
    metadata = pq.ParquetFile(path).metadata
    expected = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    assert split == {"name": "test", "num_bytes": expected, "num_examples": 13}
    assert info["dataset_size"] == expected and info["download_size"] == path.stat().st_size
    # close to the in-memory Arrow size that `datasets` records
    assert 0.5 < expected / pq.read_table(path).nbytes < 1.5
