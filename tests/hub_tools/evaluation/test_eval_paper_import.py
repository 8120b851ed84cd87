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

IBMSEE_CONFIG = "medicine-1402-06"  # the kopp folder: medicine, Shahrivar 1402


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


def test_reproduces_the_papers_anatomy_scores(paper_anatomy_results, shared_data, tmp_path):
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
        assert result.config["paper_table"]["anatomy"]["agrees"] is True
        assert result.config["paper_dir"] == "MMLU_Anatomy" or "/" not in result.config["paper_dir"]
        assert all(not f["file"].startswith("/") for f in result.config["files"])
    types = {r.model.id: r.model.type for r in results}
    assert types["gaokerena/gaokerena-v1.0"] == "fine-tuned" and types["CohereForAI/aya-expanse-8b"] == "base"
    assert types["Qwen/Qwen2.5-7B-Instruct"] == types["universitytehran/PersianMind-v1.0"] == "general"
    assert types["KrithikV/MedMobile+google/gemma-2b-it"] == "translation-pipeline"
    # complete files are placed by position: a dataset is not even read for them
    again = import_paper_results(shared_data / "paper_results", datasets={"mmlu-fa": str(tmp_path / "absent")})
    assert [r["id"] for r in again[0].records] == [r["id"] for r in results[0].records]
    # truncated, not rounded: 65/135 = 48.148… is 48.14 in the paper
    assert paper_percent(65 / 135) == 48.14 and paper_percent(34 / 135) == 25.18


def choices_cell(options):
    return repr(dict(zip("ABCD", options)))


def tree_row(i, gold, chosen, *, question=None, subject="g"):
    options = [f"{subject}{i} گزینه {k}" for k in range(4)]
    return [question or f"{subject} پرسش {i}؟", choices_cell(options), gold, "prompt", "پاسخ", chosen]


def test_whole_tree_short_files_blank_answers_and_cli(tmp_path, capsys):
    from hub_tools.evaluation.paper_import import PAPER_FOLDERS

    tree = tmp_path / "paper"
    golds = "ABCD"
    n_gen = PAPER_FOLDERS["mmlu_medical_genetics"].expected_rows  # 100
    write_sheet(tree / "MMLU_Anatomy" / "gaokerena.xlsx", [row(f"q{i}", "ABCD"[i % 4], "ABCD"[i % 4]) for i in range(135)])
    # a complete file of one system is the reference for the others' shortened files
    write_sheet(tree / "MMLU-medical_genetics" / "qwen2.5.xlsx",
                [tree_row(i, golds[i % 4], golds[i % 4]) for i in range(1, n_gen + 1)])  # fmt: skip
    # shortened (3 rows of 100, out of order): one invalid, one blank answer (no answer), one by option text only
    # (an English question, as the translation pipelines write it)
    write_sheet(tree / "MMLU-medical_genetics" / "gaokerena.xlsx", [
        tree_row(7, golds[7 % 4], "C"),
        tree_row(2, golds[2 % 4], ""),
        tree_row(5, golds[5 % 4], golds[5 % 4], question="Which gene is it?"),
    ])  # fmt: skip
    write_sheet(tree / "kopp" / "gaokerena.xlsx", [row("k1", "A", "B"), row("k2", "B", "B")])
    write_sheet(tree / "kopp" / "someone_else.xlsx", [row()])
    (tree / "notes").mkdir()
    out = tmp_path / "results"
    assert main(["import-paper", str(tree), "--out", str(out)]) == 1  # kopp: 2 of 168 rows and no reference
    assert "kopp/gaokerena.xlsx: 2 rows where the benchmark has 168" in capsys.readouterr().err.replace("\\", "/")
    write_sheet(tree / "kopp" / "gaokerena.xlsx", [row(f"k{i}", "A", "A" if i % 3 else "") for i in range(168)])
    assert main(["import-paper", str(tree), "--out", str(out)]) == 0
    mmlu = load_result(out / "gaokerena--gaokerena-v1.0__mmlu-fa__generate.json")
    assert mmlu.benchmark.config == "all" and set(mmlu.subsets) == {"anatomy", "medical_genetics"}
    genetics = [r for r in mmlu.records if r["subset"] == "medical_genetics"]
    assert [r["id"] for r in genetics] == ["medical_genetics-0007", "medical_genetics-0002", "medical_genetics-0005"]
    assert genetics[1]["prediction"] == "invalid" and genetics[1]["no_answer"] is True and not genetics[1]["correct"]
    block = mmlu.subsets["medical_genetics"]
    assert (block["n"], block["correct"], block["invalid"], block["no_answer"]) == (3, 1, 1, 1)
    assert mmlu.metrics["no_answer"] == 1 and mmlu.metrics["n"] == 138
    files = {f["file"]: f for f in mmlu.config["files"]}
    short = files["MMLU-medical_genetics/gaokerena.xlsx"]
    assert (short["rows"], short["expected_rows"], short["no_answer"]) == (3, 100, 1)
    assert short["matched"] == {"question": 2, "options": 1}
    assert short["ids"] == "matched to the complete file MMLU-medical_genetics/qwen2.5.xlsx"
    assert mmlu.config["paper_dir"] == "paper"
    ibmsee = load_result(out / "gaokerena--gaokerena-v1.0__ibmsee__generate.json")
    assert ibmsee.benchmark.config == IBMSEE_CONFIG and ibmsee.benchmark.pass_mark == 0.36
    assert ibmsee.records[0]["id"] == f"{IBMSEE_CONFIG}-001" and ibmsee.metrics["no_answer"] == 56
    assert "kopp/someone_else.xlsx (unknown system)" in ibmsee.config["skipped"]
    assert "notes/ (unknown benchmark folder)" in ibmsee.config["skipped"]
    printed = capsys.readouterr().out
    assert "medical_genetics 33.33 (n=3, invalid=1, no answer=1)" in printed


def test_shortened_file_with_an_unmatched_row_is_an_error(tmp_path):
    from hub_tools.evaluation.paper_import import PAPER_FOLDERS

    n = PAPER_FOLDERS["mmlu_medical_genetics"].expected_rows
    tree = tmp_path / "paper"
    write_sheet(tree / "MMLU-medical_genetics" / "aya_expanse.xlsx", [tree_row(i, "A", "A") for i in range(1, n + 1)])
    write_sheet(tree / "MMLU-medical_genetics" / "persianmind.xlsx",
                [tree_row(1, "A", "A"), ["an English question", choices_cell(["x", "y", "z", "w"]), "A", "p", "a", "A"]])
    with pytest.raises(PaperImportError, match=r"persianmind\.xlsx: row 3: cannot be placed .*\(no question or option "
                                               r"text matches.*a positional guess is never made"):  # fmt: skip
        import_paper_results(tree)


def test_whole_simulated_tree_reproduces_the_table_and_flags_the_two_averages(tmp_path):
    """Six subjects + kopp for two systems, with the paper's anatomy figure and the averages the files cannot give."""
    from hub_tools.evaluation.paper_import import PAPER_FOLDERS

    tree = tmp_path / "paper"
    folders = {"MMLU_Anatomy": "mmlu_anatomy", "MMLU-clinical_knowledge": "mmlu_clinical_knowledge",
               "MMLU-college_biology": "mmlu_college_biology", "MMLU-college_medicine": "mmlu_college_medicine",
               "MMLU-medical_genetics": "mmlu_medical_genetics",
               "MMLU-professional_medicine": "mmlu_professional_medicine", "kopp": "kopp"}  # fmt: skip
    right = {"mmlu_anatomy": 56, "mmlu_clinical_knowledge": 130, "mmlu_college_biology": 70,
             "mmlu_college_medicine": 80, "mmlu_medical_genetics": 45, "mmlu_professional_medicine": 110, "kopp": 70}
    for name, key in folders.items():
        n = PAPER_FOLDERS[key].expected_rows
        rows = [tree_row(i, "A", "A" if i <= right[key] else "B", subject=key) for i in range(1, n + 1)]
        write_sheet(tree / name / "qwen2.5.xlsx", rows)
    results = {(r.model.id, r.benchmark.name): r for r in import_paper_results(tree)}
    mmlu = results[("Qwen/Qwen2.5-7B-Instruct", "mmlu-fa")]
    table = mmlu.config["paper_table"]
    assert table["anatomy"] == {"files": 41.48, "n": 135, "paper": 41.48, "agrees": True}
    subjects = ("anatomy", "clinical_knowledge", "college_biology", "college_medicine", "medical_genetics",
                "professional_medicine")  # fmt: skip
    assert set(table) == set(subjects) | {"average"}
    assert table["average"]["paper"] == 45.17 and table["average"]["agrees"] is False
    assert "45.17" in table["average"]["note"] and set(mmlu.config["paper_differences"]) == {"average"}
    assert mmlu.config["complete"] is True
    ibmsee = results[("Qwen/Qwen2.5-7B-Instruct", "ibmsee")]
    assert ibmsee.config["paper_table"][IBMSEE_CONFIG]["files"] == paper_percent(70 / 168)


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
        ([row(chosen="Z")], r"row 2, column 'AI_chosen_answer': unknown answer 'Z' \(expected A-D, 'invalid' or blank\)"),
        ([row(), row(), row(chosen="?")], r"row 4, column 'AI_chosen_answer': unknown answer '\?'"),
        ([row(gold="invalid")], r"row 2, column 'correct_answer'"),
    ],
)
def test_unknown_answer_letters_name_file_and_row(tmp_path, rows, message):
    write_sheet(tmp_path / "p" / "kopp" / "persianmind.xlsx", rows + [row()] * (168 - len(rows)))  # a complete file
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
    rows = [row("در آزمون علوم پايه، پرسش 3 چيست؟", "D", "D"), row("در آزمون علوم پایه، پرسش 1 چیست؟", "B", "B")]
    write_sheet(tmp_path / "p" / "kopp" / "gaokerena.xlsx", rows)
    (result,) = import_paper_results(tmp_path / "p", datasets={"ibmsee": str(ibmsee_dataset_dir)})
    assert [r["id"] for r in result.records] == [f"{IBMSEE_CONFIG}-003", f"{IBMSEE_CONFIG}-001"]
    assert result.config["files"][0]["matched"] == {"question": 2, "options": 0}
    write_sheet(tmp_path / "p" / "kopp" / "gaokerena.xlsx", rows + [row("a translated question", "A", "C")])
    with pytest.raises(PaperImportError, match=r"row 4: cannot be placed"):
        import_paper_results(tmp_path / "p", datasets={"ibmsee": str(ibmsee_dataset_dir)})


def test_normalize_question():
    assert normalize_question("كدام  يك\u200cاز موارد زير؟") == normalize_question("کدام یک از موارد زیر")


def test_folder_names_match_loosely(tmp_path):
    write_sheet(tmp_path / "p" / "mmlu-anatomy" / "qwen2.5.xlsx", [row(f"a{i}") for i in range(135)])
    write_sheet(tmp_path / "p" / "MMLU_College_Medicine" / "qwen2.5.xlsx", [row(f"m{i}") for i in range(173)])
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


def test_real_shortened_translation_file_aligns_by_option_text(shared_data, tmp_path):
    """The authors' MedMobile+ParsiNLU anatomy file (English questions) with three rows removed: aligned to the
    built MMLU-fa dataset by its Persian option texts, and to a complete sibling file, to the same ids."""
    from hub_tools.data.builders import BuildOptions, get_builder
    from hub_tools.xlsx import read_first_sheet

    source = shared_data / "paper_results" / "MMLU_Anatomy" / "medmobile_parsinlu_translator.xlsx"
    table = read_first_sheet(source)
    header, body = table[0], table[1:]
    dropped = {4, 50, 101}  # 0-based data rows
    tree = tmp_path / "paper"
    write_sheet(tree / "MMLU_Anatomy" / "medmobile_parsinlu_translator.xlsx",
                [r[: len(header)] for i, r in enumerate(body) if i not in dropped], columns=header)  # fmt: skip
    get_builder("mmlu-fa").build([shared_data / "MMLU_fa" / "mmlu-anatomy_fa.xlsx"], tmp_path / "mmlu",
                                 BuildOptions())  # fmt: skip
    (result,) = import_paper_results(tree, datasets={"mmlu-fa": str(tmp_path / "mmlu")})
    expected = [f"anatomy-{i + 1:04d}" for i in range(len(body)) if i not in dropped]
    assert [r["id"] for r in result.records] == expected
    how = result.config["files"][0]
    assert how["rows"] == 132 and how["matched"]["options"] >= 120  # the English questions match nothing
    (tree / "MMLU_Anatomy" / "gaokerena.xlsx").write_bytes((source.parent / "gaokerena.xlsx").read_bytes())
    by_sibling = {r.model.id: r for r in import_paper_results(tree)}
    pipeline = by_sibling["KrithikV/MedMobile+persiannlp/parsinlu-translation"]
    assert [r["id"] for r in pipeline.records] == expected
