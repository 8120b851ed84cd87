"""Training fixtures: small built-dataset folders in the layout of SCHEMAS.md §1, written with `datasets` itself.

The corpus folder holds the bundled Persian sample articles (configs ``default`` and ``cpt``); the MF3QA folder holds
short Persian question/answer pairs (splits train, dev, test). Both load with ``datasets.load_dataset(folder, config)``
exactly as the built datasets do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.tiny import SAMPLE_CORPUS


RECIPES = Path(__file__).resolve().parents[2] / "training" / "recipes"

CONDITIONS = [
    ("دیابت", "تشنگی زیاد، تکرر ادرار و خستگی", "رژیم غذایی، ورزش و داروهایی مانند متفورمین"),
    ("فشار خون بالا", "سردرد و سرگیجه، هرچند بیشتر بیماران علامتی ندارند", "کم کردن نمک، ورزش و داروهای ضد فشار خون"),
    ("کم‌خونی فقر آهن", "رنگ‌پریدگی، ضعف و تنگی نفس", "مکمل آهن و غذاهای سرشار از آهن"),
    ("آسم", "خس‌خس سینه، سرفه و تنگی نفس", "اسپری‌های استنشاقی"),
    ("میگرن", "سردرد ضربان‌دار یک‌طرفه همراه با تهوع", "استراحت در اتاق تاریک و داروهای مسکن"),
    ("کم‌کاری تیروئید", "خستگی، افزایش وزن و سرمازدگی", "قرص لووتیروکسین"),
    ("سرماخوردگی", "آبریزش بینی، عطسه و گلودرد", "استراحت، مایعات فراوان و در صورت نیاز مسکن"),
    ("سنگ کلیه", "درد شدید پهلو و خون در ادرار", "نوشیدن آب فراوان و گاهی سنگ‌شکنی"),
    ("آنفولانزا", "تب بالا، بدن‌درد و سرفه", "استراحت، مایعات و در برخی بیماران داروی ضد ویروس"),
    ("کمبود ویتامین دی", "درد استخوان و ضعف عضلات", "نور آفتاب و مکمل ویتامین دی"),
    ("رفلاکس معده", "سوزش سر دل پس از غذا", "وعده‌های کوچک و داروهای کاهندهٔ اسید"),
    ("اگزما", "خارش و خشکی پوست", "مرطوب‌کننده و پمادهای ضد التهاب"),
]
QUESTION_FORMS = [
    ("علائم {name} چیست؟", "شایع‌ترین علائم {name} {symptoms} است. برای تشخیص به پزشک مراجعه کنید."),
    ("درمان {name} چگونه است؟", "درمان {name} شامل {treatment} است و باید زیر نظر پزشک انجام شود."),
    (
        "سلام دکتر، فکر می‌کنم {name} دارم. چه کنم؟",
        "اگر {symptoms} دارید، حتماً معاینه شوید. درمان معمولاً {treatment} است.",
    ),
    ("آیا {name} خطرناک است؟", "{name} اگر درمان نشود می‌تواند مشکل‌ساز شود. {treatment} به کنترل آن کمک می‌کند."),
    ("برای پیشگیری از {name} چه باید کرد؟", "سبک زندگی سالم مهم است. در صورت بروز {symptoms} به پزشک مراجعه کنید."),
]


def qa_rows() -> list[dict]:
    rows = []
    for form, (question, answer) in enumerate(QUESTION_FORMS):
        for index, (name, symptoms, treatment) in enumerate(CONDITIONS):
            values = {"name": name, "symptoms": symptoms, "treatment": treatment}
            rows.append({
                "id": f"qa-{form}-{index:02d}",
                "question": question.format(**values),
                "answer": answer.format(**values),
                "source": "fixture",
            })  # fmt: skip
    return rows


def write_dataset_folder(root: Path, configs: dict[str, dict[str, list[dict]]], default: str = "default") -> Path:
    """Write ``{config: {split: rows}}`` as DIR/<config>/<split>-00000-of-00001.parquet with a README config table."""
    from datasets import Dataset

    lines = ["---", "configs:"]
    for config, splits in configs.items():
        lines.append(f"- config_name: {config}")
        if config == default:
            lines.append("  default: true")
        lines.append("  data_files:")
        for split, rows in splits.items():
            path = Path(config) / f"{split}-00000-of-00001.parquet"
            (root / config).mkdir(parents=True, exist_ok=True)
            Dataset.from_list(rows).to_parquet(str(root / path))
            lines += [f"  - split: {split}", f"    path: {path.as_posix()}"]
    lines += ["---", "", "A test fixture in the layout of a built dataset.", ""]
    (root / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return root


def corpus_rows() -> list[dict]:
    rows = []
    with SAMPLE_CORPUS.open(encoding="utf-8") as handle:
        for index, line in enumerate(line for line in handle if line.strip()):
            article = json.loads(line)
            rows.append({
                "id": f"article-{index:04d}", "text": article["text"], "title": article.get("title", ""),
                "url": article.get("url", ""), "source": article.get("source", ""),
            })  # fmt: skip
    return rows


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The corpus dataset folder: ``default`` (all articles) and ``cpt`` (the builder's 60% subset), split train."""
    from hub_tools.data.builders import BuildOptions
    from hub_tools.data.builders.corpus import in_cpt
    from hub_tools.data.dedup import match_text

    rows, options = corpus_rows(), BuildOptions()
    # the builder's own rule: init-tiny pretrains on the other articles, so stage 1 brings new text
    cpt = [row for row in rows if in_cpt(match_text(row["text"]), options.seed, options.cpt_fraction)]
    return write_dataset_folder(tmp_path_factory.mktemp("corpus"), {"default": {"train": rows}, "cpt": {"train": cpt}})


@pytest.fixture(scope="session")
def mf3qa_dir(tmp_path_factory) -> Path:
    """The MF3QA dataset folder: config ``default`` with splits train, dev, test."""
    rows = qa_rows()  # dev and test share train's question forms, as MF3QA's splits share their sources' register
    splits = {
        "train": [row for index, row in enumerate(rows) if index % 6 > 1],
        "dev": rows[::6],
        "test": rows[1::6],
    }
    return write_dataset_folder(tmp_path_factory.mktemp("mf3qa"), {"default": splits})
