"""The corpus builder: sources, clean-up, duplicates, the deterministic cpt subset, token statistics."""

from __future__ import annotations

import json
import random
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hub_tools.data.builders import BuildOptions, default_sources, get_builder
from hub_tools.data.builders.corpus import in_cpt
from hub_tools.data.dedup import match_text

corpus = get_builder("corpus")


def load(out: Path, config: str = "default"):
    return datasets.load_dataset(str(out), config, split="train")


def accounted(report) -> dict:
    report.check()
    data = report.to_dict()
    for name, f in data["files"].items():
        assert f["read"] == f["kept"] + sum(f["dropped"].values()), name
    return data


def sample_sentences() -> list[str]:
    path = default_sources("corpus")[0] / "articles.jsonl"
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    return [s.strip() + "." for t in texts for s in t.split(".") if len(s.split()) > 4]


def synthetic_articles(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    sentences = sample_sentences()
    return [
        {
            "text": " ".join(rng.sample(sentences, 6)) + f" شماره {i}.",
            "title": f"مقاله {i}",
            "url": f"https://example.org/{i}",
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "out"
    return out, corpus.build(default_sources("corpus"), out, BuildOptions())


def test_sample_build(sample_build):
    out, report = sample_build
    data = accounted(report)
    assert data["totals"] == {"read": 55, "kept": 53, "dropped": 2}
    assert data["duplicates"] == {"exact": 1, "near": 1}
    assert data["redactions"]["phone"] == 2 and data["redactions"]["email"] == 1 and data["redactions"]["url"] == 1
    rows = load(out)
    assert rows.column_names == ["id", "text", "title", "url", "source"] and len(rows) == 53
    assert rows[0]["id"] == "articles-000001" and rows[0]["url"] == "https://example.org/health/type-2-diabetes"
    assert not any("ي" in t or "ك" in t for t in list(rows["text"]) + list(rows["title"]))
    assert any("[PHONE]" in t and "[EMAIL]" in t and "[URL]" in t for t in rows["text"])
    tokens = data["stats"]["tokens"]
    assert tokens["words"]["total"] == sum(len(t.split()) for t in rows["text"])
    assert tokens["words"]["p50"] <= tokens["words"]["p95"]
    cpt = load(out, "cpt")
    assert set(cpt["id"]) <= set(rows["id"]) and data["stats"]["cpt"]["articles"] == len(cpt)
    assert tokens["cpt_words"]["total"] == sum(len(t.split()) for t in cpt["text"])
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "config_name: cpt" in card and "CC BY-NC-SA 4.0" in card


def test_cpt_subset_is_deterministic_and_order_free(tmp_path):
    articles = synthetic_articles(600)
    for name, order in (("a", articles), ("b", list(reversed(articles)))):
        (tmp_path / name).mkdir()
        lines = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in order)
        (tmp_path / name / "articles.jsonl").write_text(lines, encoding="utf-8")
    options = BuildOptions(contamination="off")
    first = corpus.build([tmp_path / "a"], tmp_path / "o1", options)
    reverse = corpus.build([tmp_path / "b"], tmp_path / "o2", options)
    assert first.outputs["default"]["train"] == 600 and reverse.outputs == first.outputs
    assert 0.54 <= first.outputs["cpt"]["train"] / 600 <= 0.66
    cpt1, cpt2 = (set(load(tmp_path / o, "cpt")["text"]) for o in ("o1", "o2"))
    assert cpt1 == cpt2  # the same articles whatever the order
    texts = list(load(tmp_path / "o1")["text"])
    assert cpt1 == {t for t in texts if in_cpt(match_text(t), 0, 0.6)}
    other_seed = {t for t in texts if in_cpt(match_text(t), 1, 0.6)}
    assert other_seed != cpt1 and 0.5 < len(other_seed) / 600 < 0.7


def test_txt_parquet_sources_and_short_texts(tmp_path):
    folder = tmp_path / "site_a"
    folder.mkdir()
    (folder / "fever.txt").write_text("تب در کودکان\nتب خودش بیماری نیست، بلکه واکنش طبیعی بدن به عفونت است.", "utf-8")
    (folder / "single_line.txt").write_text("يك متن كوتاه اما كافي براي آزمون سازنده.", "utf-8")
    table = pa.table({"text": ["کلسترول بالا معمولاً علامتی ندارد و با آزمایش خون مشخص می‌شود.", "کوتاه", None],
                      "title": ["چربی خون", None, "خالی"], "source": ["site_b", None, None]})
    pq.write_table(table, tmp_path / "more.parquet")
    options = BuildOptions(contamination="off", on_error="skip")
    data = accounted(corpus.build([folder, tmp_path / "more.parquet"], tmp_path / "out", options))
    assert data["files"]["site_a/fever.txt"]["kept"] == 1
    assert data["files"][f"{tmp_path.name}/more.parquet"]["dropped"] == {
        "text shorter than 20 characters": 1, "quarantined: text empty after normalisation": 1}
    rows = {r["id"]: r for r in load(tmp_path / "out")}
    assert rows["fever-000001"]["title"] == "تب در کودکان" and rows["fever-000001"]["source"] == "site_a"
    assert rows["single_line-000001"]["title"] == "single line"
    assert rows["single_line-000001"]["text"].startswith("یک متن کوتاه")
    assert rows["more-000001"]["source"] == "site_b" and rows["more-000001"]["title"] == "چربی خون"


def test_tokenizer_statistics(tmp_path):
    import tokenizers
    from tokenizers import models, pre_tokenizers, trainers

    tokenizer = tokenizers.Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(sample_sentences(), trainers.BpeTrainer(vocab_size=300, special_tokens=["[UNK]"]))
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    options = BuildOptions(contamination="off", extra={"tokenizer": str(tmp_path)})
    stats = corpus.build(default_sources("corpus"), tmp_path / "out", options).to_dict()["stats"]["tokens"]
    texts = load(tmp_path / "out")["text"]
    expected = sum(len(e.ids) for e in tokenizer.encode_batch(texts, add_special_tokens=False))
    assert stats["tokenizer_tokens"]["total"] == expected > stats["words"]["total"]
    assert 0 < stats["cpt_tokenizer_tokens"]["total"] < expected


def test_contaminated_articles_are_dropped(tmp_path):
    kqa = default_sources("kqa-fa")[0]
    question = json.loads((kqa / "questions_w_answers_fa.jsonl").read_text("utf-8").splitlines()[0])["Question"]
    articles = synthetic_articles(20) + [{"text": "پرسش یکی از خوانندگان: " + question + " پاسخ را در ادامه بخوانید."}]
    src = tmp_path / "src" / "articles.jsonl"
    src.parent.mkdir()
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    data = accounted(corpus.build([src], tmp_path / "out", BuildOptions(extra={"benchmarks": str(kqa)})))
    assert data["files"]["src/articles.jsonl"]["dropped"] == {"contamination: overlaps kqa-fa": 1}
    assert data["outputs"]["default"]["train"] == 20
    assert data["stats"]["cpt"]["articles"] == data["outputs"]["cpt"]["train"]
    assert data["stats"]["tokens"]["words"]["total"] == sum(len(t.split()) for t in load(tmp_path / "out")["text"])
