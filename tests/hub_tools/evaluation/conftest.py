"""Evaluation fixtures: tiny benchmark datasets in the SCHEMAS §1 layout, and the tiny model loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

LETTERS = "ABCD"


def write_dataset(root: Path, configs: dict[str, list[dict]], features) -> Path:
    """A built dataset folder: <config>/test-00000-of-00001.parquet per config + README.md declaring them."""
    import datasets

    root.mkdir(parents=True, exist_ok=True)
    lines = ["---", "configs:"]
    for i, (name, rows) in enumerate(configs.items()):
        folder = root / name
        folder.mkdir(exist_ok=True)
        datasets.Dataset.from_list(rows, features=features).to_parquet(str(folder / "test-00000-of-00001.parquet"))
        lines += [f"- config_name: {name}", "  data_files:", "  - split: test", f"    path: {name}/test-*"]
        if i == 0:
            lines.append("  default: true")
    lines += ["---", "", "A tiny test dataset."]
    (root / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def mmlu_rows() -> list[dict]:
    rows = []
    for subject, count in (("anatomy", 7), ("medical_genetics", 5)):
        for i in range(1, count + 1):
            rows.append({
                "id": f"{subject}-{i:04d}",
                "question": f"کدام گزینه درباره {subject} شماره {i} درست است؟" + " توضیح" * (i % 3) * 5,
                "choices": [f"پاسخ {j} برای پرسش {i}" for j in range(1, 5)],
                "answer": (i * 3) % 4,
                "subject": subject,
            })  # fmt: skip
    return rows


@pytest.fixture(scope="session")
def mmlu_dataset_dir(tmp_path_factory) -> Path:
    import datasets

    features = datasets.Features({
        "id": datasets.Value("string"), "question": datasets.Value("string"),
        "choices": datasets.Sequence(datasets.Value("string"), length=4),
        "answer": datasets.ClassLabel(names=list(LETTERS)), "subject": datasets.Value("string"),
    })  # fmt: skip
    rows = mmlu_rows()
    configs = {"all": rows}
    for subject in ("anatomy", "medical_genetics"):
        configs[subject] = [r for r in rows if r["subject"] == subject]
    return write_dataset(tmp_path_factory.mktemp("mmlu-fa"), configs, features)


@pytest.fixture(scope="session")
def ibmsee_dataset_dir(tmp_path_factory) -> Path:
    import datasets

    features = datasets.Features({
        "id": datasets.Value("string"), "question": datasets.Value("string"),
        "choices": datasets.Sequence(datasets.Value("string"), length=4), "answer": datasets.Value("int64"),
        "topic": datasets.Value("string"), "sitting": datasets.Value("string"), "source": datasets.Value("string"),
    })  # fmt: skip
    rows = [
        {"id": f"medicine-1402-06-{i:03d}", "question": f"در آزمون علوم پایه، پرسش {i} چیست؟", "choices": ["یک", "دو", "سه", "چهار"],
         "answer": i % 4, "topic": "فیزیولوژی" if i % 2 else "آناتومی", "sitting": "medicine-1402-06", "source": "پزشکی شهریور 402"}
        for i in range(1, 6)
    ]  # fmt: skip
    return write_dataset(tmp_path_factory.mktemp("ibmsee"), {"medicine-1402-06": rows}, features)


#: K-QA-fa rows whose statements carry the verdict the fake judge returns ([entailed], [contradicted], …).
KQA_ROWS = [
    {"id": "kqa-001", "question": "سردرد مزمن دارم، چه کنم؟",
     "must_have": ["m1 [entailed]", "m2 [entailed]", "m3 [neutral]", "m4 [contradicted]"], "nice_to_have": ["n1 [neutral]"]},
    {"id": "kqa-002", "question": "آیا آنتی‌بیوتیک برای سرماخوردگی لازم است؟",
     "must_have": ["m1 [entailed]"], "nice_to_have": ["n1 [contradicted]"]},
    {"id": "kqa-003", "question": "فشار خون بالا چه علائمی دارد؟", "must_have": ["m1 [garble]", "m2 [neutral]"], "nice_to_have": []},
    {"id": "kqa-004", "question": "[biased] قند خون ناشتا چقدر باید باشد؟", "must_have": [], "nice_to_have": []},
    {"id": "kqa-005", "question": "[garble] درمان آکنه چیست؟", "must_have": [], "nice_to_have": []},
]  # fmt: skip


@pytest.fixture(scope="session")
def kqa_dataset_dir(tmp_path_factory) -> Path:
    import datasets

    features = datasets.Features({
        "id": datasets.Value("string"), "question": datasets.Value("string"),
        "free_form_answer": datasets.Value("string"), "must_have": datasets.Sequence(datasets.Value("string")),
        "nice_to_have": datasets.Sequence(datasets.Value("string")), "sources": datasets.Sequence(datasets.Value("string")),
        "icd_10_diag": datasets.Value("string"),
    })  # fmt: skip
    rows = [{**row, "free_form_answer": "پاسخ پزشک", "sources": [], "icd_10_diag": ""} for row in KQA_ROWS]
    return write_dataset(tmp_path_factory.mktemp("kqa-fa"), {"default": rows}, features)


@pytest.fixture(scope="session")
def tiny_lm(tiny_model_dir):
    """The tiny model loaded once (CPU, float32) for the tests that do not exercise loading itself."""
    from hub_tools.evaluation.runner import load_model

    return load_model(str(tiny_model_dir), device="cpu")


@pytest.fixture(scope="session")
def paper_anatomy_results(shared_data):
    """The paper's six MMLU-anatomy spreadsheets imported once (reading xlsx is the slow part)."""
    from hub_tools.evaluation.paper_import import import_paper_results

    return import_paper_results(shared_data / "paper_results")
