"""Importing the paper's per-question spreadsheets: exact anatomy scores from the real files, bad input, ids."""

from __future__ import annotations

import pytest

from hub_tools.evaluation.cli import main
from hub_tools.evaluation.paper_import import (
    PaperImportError,
    import_paper_results,
    normalize_question,
    paper_percent,
)
from hub_tools.evaluation.schema import load_result

COLUMNS = ["Question", "question_choices", "correct_answer", "model_prompt", "AI_answer", "AI_chosen_answer"]

#: The paper's MMLU-anatomy (fa) table: percent, truncated to two decimals.
PAPER_ANATOMY = {
    "gaokerena/gaokerena-v1.0": (48.14, 0),
    "CohereForAI/aya-expanse-8b": (40.74, 1),
    "Qwen/Qwen2.5-7B-Instruct": (41.48, 1),
    "universitytehran/PersianMind-v1.0": (25.18, 41),
    "KrithikV/MedMobile+google/gemma-2b-it": (14.07, 47),
    "KrithikV/MedMobile+persiannlp/parsinlu-translation": (25.18, 29),
}


def write_sheet(path, rows, columns=COLUMNS):
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=columns).to_excel(path, index=False)
    return path


def row(question="پرسش؟", gold="A", chosen="A", answer="پاسخ [A]"):
    return [question, "{'A': 'a', 'B': 'b', 'C': 'c', 'D': 'd'}", gold, "prompt", answer, chosen]


def test_reproduces_the_papers_anatomy_scores(paper_anatomy_results, tmp_path):
    results = paper_anatomy_results
    assert {r.model.id for r in results} == set(PAPER_ANATOMY)
    for result in results:
        expected, invalid = PAPER_ANATOMY[result.model.id]
        assert paper_percent(result.metrics["accuracy"]) == expected, result.model.id
        assert result.metrics["invalid"] == invalid and result.metrics["n"] == 135
        assert result.subsets["anatomy"]["n"] == 135
        assert (result.benchmark.name, result.benchmark.config, result.protocol) == ("mmlu-fa", "anatomy", "generate")
        assert result.source == "paper import" and result.config["complete"] is False
        assert result.records[0]["id"] == "anatomy-0001" and result.records[-1]["id"] == "anatomy-0135"
        assert load_result(result.save(tmp_path)) == result
    types = {r.model.id: r.model.type for r in results}
    assert types["gaokerena/gaokerena-v1.0"] == "fine-tuned" and types["CohereForAI/aya-expanse-8b"] == "base"
    assert types["Qwen/Qwen2.5-7B-Instruct"] == types["universitytehran/PersianMind-v1.0"] == "general"
    assert types["KrithikV/MedMobile+google/gemma-2b-it"] == "translation-pipeline"
    # complete files are placed by position: a dataset is not even read for them
    again = import_paper_results(results[0].config["paper_dir"], datasets={"mmlu-fa": str(tmp_path / "absent")})
    assert [r["id"] for r in again[0].records] == [r["id"] for r in results[0].records]
    # truncated, not rounded: 65/135 = 48.148… is 48.14 in the paper
    assert paper_percent(65 / 135) == 48.14 and paper_percent(34 / 135) == 25.18


def test_whole_tree_short_files_and_cli(tmp_path, capsys):
    tree = tmp_path / "paper"
    write_sheet(tree / "MMLU_Anatomy" / "gaokerena.xlsx", [row(f"q{i}", "ABCD"[i % 4], "ABCD"[i % 4]) for i in range(4)])
    # a shortened file: 3 rows of 100, one invalid
    write_sheet(tree / "MMLU-medical_genetics" / "gaokerena.xlsx",
                [row("g1", "B", "B"), row("g2", "C", "invalid"), row("g3", "d", " D ")])  # fmt: skip
    write_sheet(tree / "kopp" / "gaokerena.xlsx", [row("k1", "A", "B"), row("k2", "B", "B")])
    write_sheet(tree / "kopp" / "qwen2.5.xlsx", [row("k1", "A", "A")])
    write_sheet(tree / "kopp" / "someone_else.xlsx", [row()])
    (tree / "notes").mkdir()
    out = tmp_path / "results"
    assert main(["import-paper", str(tree), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["Qwen--Qwen2.5-7B-Instruct__ibmsee__generate.json", "gaokerena--gaokerena-v1.0__ibmsee__generate.json",
                     "gaokerena--gaokerena-v1.0__mmlu-fa__generate.json"]  # fmt: skip
    mmlu = load_result(out / "gaokerena--gaokerena-v1.0__mmlu-fa__generate.json")
    assert mmlu.benchmark.config == "all" and set(mmlu.subsets) == {"anatomy", "medical_genetics"}
    assert mmlu.subsets["medical_genetics"] | {"ci95": None} == {"accuracy": 2 / 3, "n": 3, "correct": 2, "invalid": 1,
                                                                 "ci95": None}  # fmt: skip
    assert (mmlu.metrics["n"], mmlu.metrics["correct"]) == (7, 6)
    files = {f["file"]: f for f in mmlu.config["files"]}
    assert files["MMLU-medical_genetics/gaokerena.xlsx"]["rows"] == 3
    assert files["MMLU-medical_genetics/gaokerena.xlsx"]["expected_rows"] == 100
    ibmsee = load_result(out / "gaokerena--gaokerena-v1.0__ibmsee__generate.json")
    assert ibmsee.benchmark.config == "sept2023" and ibmsee.benchmark.pass_mark == 0.36
    assert [r["id"] for r in ibmsee.records] == ["sept2023-001", "sept2023-002"]
    assert ibmsee.metrics["accuracy"] == 0.5
    assert "kopp/someone_else.xlsx (unknown system)" in ibmsee.config["skipped"]
    assert "notes/ (unknown benchmark folder)" in ibmsee.config["skipped"]
    assert "medical_genetics 66.66 (n=3, invalid=1)" in capsys.readouterr().out


def test_missing_column_names_the_file(tmp_path):
    sheet = write_sheet(tmp_path / "p" / "MMLU_Anatomy" / "aya_expanse.xlsx", [row()[:5]], columns=COLUMNS[:5])
    with pytest.raises(PaperImportError, match=r"aya_expanse\.xlsx: missing column\(s\) 'AI_chosen_answer'") as info:
        import_paper_results(tmp_path / "p")
    assert str(sheet) in str(info.value)
    assert main(["import-paper", str(tmp_path / "p"), "--out", str(tmp_path / "o")]) == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([row(), row(gold="E")], r"row 3, column 'correct_answer': unknown answer 'E' \(expected A-D\)"),
        ([row(chosen="Z")], r"row 2, column 'AI_chosen_answer': unknown answer 'Z' \(expected A-D or 'invalid'\)"),
        ([row(), row(), row(chosen="")], r"row 4, column 'AI_chosen_answer': unknown answer an empty cell"),
        ([row(gold="invalid")], r"row 2, column 'correct_answer'"),
    ],
)
def test_unknown_answer_letters_name_file_and_row(tmp_path, rows, message):
    write_sheet(tmp_path / "p" / "kopp" / "persianmind.xlsx", rows)
    with pytest.raises(PaperImportError, match=message) as info:
        import_paper_results(tmp_path / "p")
    assert "persianmind.xlsx" in str(info.value)


def test_empty_or_missing_directories(tmp_path):
    with pytest.raises(PaperImportError, match="no such directory"):
        import_paper_results(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PaperImportError, match="no paper result spreadsheets"):
        import_paper_results(tmp_path / "empty")


def test_ids_matched_to_a_built_dataset_by_question_text(tmp_path, ibmsee_dataset_dir):
    # the dataset's questions in another order, with Arabic letter forms and a dropped row
    rows = [row("در آزمون علوم پايه، پرسش 3 چيست؟", "D", "D"), row("در آزمون علوم پایه، پرسش 1 چیست؟", "B", "B"),
            row("a translated question", "A", "C"), row("در آزمون علوم پایه، پرسش 1 چیست؟", "B", "A")]  # fmt: skip
    write_sheet(tmp_path / "p" / "kopp" / "gaokerena.xlsx", rows)
    (result,) = import_paper_results(tmp_path / "p", datasets={"ibmsee": str(ibmsee_dataset_dir)})
    ids = [r["id"] for r in result.records]
    assert ids == ["sept2023-003", "sept2023-001", "sept2023-unmatched-row4", "sept2023-unmatched-row5"]
    assert result.config["files"][0]["matched"] == 2 and result.config["files"][0]["ids"] == "matched by question text"


def test_normalize_question():
    assert normalize_question("كدام  يك\u200cاز موارد زير؟") == normalize_question("کدام یک از موارد زیر")


def test_folder_names_match_loosely(tmp_path):
    write_sheet(tmp_path / "p" / "mmlu-anatomy" / "qwen2.5.xlsx", [row()])
    write_sheet(tmp_path / "p" / "MMLU_College_Medicine" / "qwen2.5.xlsx", [row()])
    (result,) = import_paper_results(tmp_path / "p")
    assert set(result.subsets) == {"anatomy", "college_medicine"}


def test_xlsx_reader_matches_openpyxl_on_awkward_cells(tmp_path):
    import openpyxl

    from hub_tools.xlsx import XlsxError, read_first_sheet

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Question", "n", "flag", "empty", "text"])
    sheet.append(["پرسش ي ك", 3, True, None, "line1\nline2"])
    sheet.append([None, 2.5, False, None, "tab\there"])
    sheet["E5"] = "after a gap"
    sheet["A9"] = None  # formatting-only rows at the end are not data
    sheet["A9"].number_format = "0.00"
    book.save(tmp_path / "t.xlsx")
    rows = read_first_sheet(tmp_path / "t.xlsx")
    assert rows == [["Question", "n", "flag", "empty", "text"], ["پرسش ي ك", "3", "TRUE", "", "line1\nline2"],
                    ["", "2.5", "FALSE", "", "tab\there"], [], ["", "", "", "", "after a gap"]]  # fmt: skip
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(XlsxError, match="not a readable .xlsx"):
        read_first_sheet(tmp_path / "bad.xlsx")
    (tmp_path / "p" / "kopp").mkdir(parents=True)
    (tmp_path / "p" / "kopp" / "gaokerena.xlsx").write_bytes(b"not a zip")
    with pytest.raises(PaperImportError, match=r"gaokerena\.xlsx: cannot read the spreadsheet"):
        import_paper_results(tmp_path / "p")


def test_validate_and_export_commands(paper_anatomy_results, tmp_path, capsys):
    import yaml

    path = paper_anatomy_results[0].save(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert "ok" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text(path.read_text(encoding="utf-8").replace('"schema_version": 1', '"schema_version": 9'))
    assert main(["validate", str(path), str(broken)]) == 1
    assert "schema_version" in capsys.readouterr().err
    assert main(["export", str(path)]) == 0
    entries = yaml.safe_load(capsys.readouterr().out)
    assert entries[0]["dataset"]["id"] == "gaokerena/MMLU-fa" and entries[0]["dataset"]["task_id"] == "anatomy"
    assert main(["export", str(path), "--format", "model-index"]) == 0
    card = yaml.safe_load(capsys.readouterr().out)
    assert card["model-index"][0]["results"][0]["metrics"][0]["type"] == "accuracy"
