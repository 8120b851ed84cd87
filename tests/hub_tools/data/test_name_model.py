"""The learned name detector (hub_tools/data/name_model.py): the shipped arrays load without pickle, find names in
sentences of no pool file and leave eponyms and drug names alone; the committed cross-validation shows the gain."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np

from hub_tools.data.name_model import MODEL_FILE, NameModel, shipped_model
from hub_tools.data.redact import find_personal_data


def _names(text: str, model) -> list[str]:
    return [text[s.start : s.end] for s in find_personal_data(text, name_model=model) if s.kind == "name"]


def test_the_shipped_arrays_load_without_pickle():
    with resources.files("hub_tools.data").joinpath(MODEL_FILE).open("rb") as handle:
        with np.load(handle, allow_pickle=False) as arrays:
            assert sorted(arrays.files) == ["bits", "coef", "gate", "intercept", "threshold", "vocab"]
    model = shipped_model()
    assert isinstance(model, NameModel)
    assert model.coef.shape == (1 << model.bits,)
    assert 0.5 <= model.threshold < 1.0
    assert "خانم" in model.vocab


def test_the_model_finds_names_in_unseen_sentences():
    model = shipped_model()
    for text, name in [
        ("پرستار بخش، خانم نیلوفر اسماعیل‌پور، گفت فردا مرخص میشم.", "نیلوفر اسماعیل‌پور"),
        ("نتیجه آزمایش کیانوش رحمتی رو کی میدن؟", "کیانوش رحمتی"),
        ("Dr. Behnaz Soltani said my thyroid is fine.", "Behnaz Soltani"),
    ]:
        found = " ".join(_names(text, model))
        assert name in found, (text, found)


def test_eponyms_and_drug_names_stay():
    model = shipped_model()
    for text in [
        "بیماری پارکینسون با لرزش دست شروع میشه؟",
        "تیروئیدیت هاشیموتو درمان داره؟",
        "Is Hashimoto thyroiditis the same as Graves disease?",
        "متفورمین ۵۰۰ با گلی‌بن‌کلامید رو با هم بخورم؟",
        "ابن سینا در قانون درباره سردرد چه گفته؟",
        "Atorvastatin and ibuprofen together, is it safe?",
    ]:
        assert find_personal_data(text, name_model=model) == [], text


def test_the_model_alone_finds_them_too():
    model = shipped_model()
    for text, name in [
        ("نتیجه آزمایش کیانوش رحمتی رو کی میدن؟", "کیانوش رحمتی"),
        ("Dr. Behnaz Soltani said my thyroid is fine.", "Behnaz Soltani"),
    ]:
        assert name in [text[s:e] for s, e in model.find(text)], text


def test_the_committed_cross_validation_shows_a_gain_within_the_negatives_limit():
    cv = json.loads(resources.files("hub_tools.data").joinpath("name_model_cv.json").read_text(encoding="utf-8"))
    pooled = cv["pooled"]
    assert cv["threshold"] == shipped_model().threshold
    assert pooled["rules_model"]["names_recall"] > pooled["rules"]["names_recall"]
    assert pooled["rules_model"]["negatives_changed_rate"] <= 0.01
    assert pooled["rules_model"]["precision"] >= 0.97
    assert set(cv["per_writer"]) >= {"writer-p4", "writer-p5"}


def test_the_trainer_reproduces_the_shipped_model():
    """`python -m hub_tools.data.train_name_model tests/hub_tools/data/redaction_pool --write` trains on the whole
    pool at the threshold its cross-validation chose: the same pool files (those its cross-validation lists; sealed
    batches that joined the pool after it was trained are not among them) give the same arrays (a fixed seed)."""
    from pathlib import Path

    from hub_tools.data.redaction_eval import load_pool
    from hub_tools.data.train_name_model import fit

    shipped = shipped_model()
    cv = json.loads(resources.files("hub_tools.data").joinpath("name_model_cv.json").read_text(encoding="utf-8"))
    pool = load_pool([Path(__file__).with_name("redaction_pool")])
    trained_on = [item for writer, items in pool.items() if writer in cv["per_writer"] for item in items]
    model = fit(trained_on, threshold=shipped.threshold)
    assert model.vocab == shipped.vocab and model.gate == shipped.gate
    assert abs(model.intercept - shipped.intercept) < 1e-6
    assert np.allclose(model.coef.astype(np.float32), shipped.coef, atol=1e-6)
