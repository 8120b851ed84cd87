"""Exact and near-duplicate detection (hub_tools.data.dedup)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hub_tools.data.dedup import (
    Deduplicator,
    MinHasher,
    NearDuplicateIndex,
    dedup,
    exact_duplicates,
    exact_key,
    match_text,
    bands_for_recall,
    detection_probability,
    lsh_curve,
    near_duplicate_clusters,
    optimal_bands,
)
from hub_tools.data.normalize import normalize_persian

SAMPLES = Path(__file__).resolve().parents[3] / "hub_tools" / "data" / "samples"
BASE = (
    "سلام دکتر، پسرم دو سالش است و از دیشب تب ۳۹ درجه دارد و غذا نمی‌خورد. "
    "به او استامینوفن دادم اما تب پایین نیامد. آیا باید او را به اورژانس ببرم یا تا فردا صبر کنم؟"
)


def jaccard(hasher: MinHasher, a: str, b: str) -> float:
    x, y = hasher.shingle_hashes(a), hasher.shingle_hashes(b)
    return len(x & y) / len(x | y)


def sample_texts() -> list[str]:
    lines = (SAMPLES / "corpus" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines]


def test_match_text_folds_orthographic_variants():
    assert match_text("مي‌شود ۱۲ كتاب!") == match_text("می شود 12 کتاب") == "می شود 12 کتاب"
    assert match_text("سلامـــ  دکتر؟\n\nخوبید") == "سلام دکتر خوبید"
    assert match_text("") == "" and match_text("؟!") == ""


def test_match_text_agrees_with_the_normaliser():
    for text in sample_texts() + [BASE, "عددِ ۱۲‌ام، بیستم\u200c", "كودك\u200b٣ ساله"]:
        assert match_text(normalize_persian(text)) == match_text(text)


def test_exact_duplicates_after_normalisation():
    variants = [
        BASE,
        BASE.replace("ی", "ي").replace("ک", "ك"),  # Arabic yeh/kaf
        BASE.replace("\u200c", " "),  # ZWNJ written as a space
        BASE.replace("۳۹", "39").replace("،", ","),  # ASCII digits, Latin comma
        "  " + BASE + " ",
        "یک متن دیگر",
    ]
    result = exact_duplicates(variants)
    assert result.keep == [True, False, False, False, False, True]
    assert result.cluster == [0, 0, 0, 0, 0, 5]
    assert result.n_exact == 4 and len({exact_key(v) for v in variants}) == 2


def test_near_duplicates_within_threshold_are_clustered():
    hasher = MinHasher()
    edited = BASE.replace("سلام دکتر، ", "")
    other = "خانمم هفته سی و دوم بارداری است و پاهایش ورم کرده. آیا این ورم طبیعی است یا باید نگران فشار خون باشیم؟"
    assert jaccard(hasher, BASE, edited) >= 0.85 and jaccard(hasher, BASE, other) < 0.2
    result = near_duplicate_clusters([BASE, other, edited, BASE], threshold=0.8)
    assert result.keep == [True, True, False, False]
    assert result.kind == [None, None, "near", "exact"]
    assert result.cluster == [0, 1, 0, 0]
    assert 0.8 <= result.similarity[2] <= 1.0
    assert result.clusters() == {0: [0, 2, 3]}
    # a strict threshold keeps the edited copy; threshold None finds exact duplicates only
    assert near_duplicate_clusters([BASE, edited], threshold=0.99).keep == [True, True]
    assert dedup([BASE, edited, BASE], threshold=None).keep == [True, True, False]


def test_minhash_estimates_track_exact_jaccard():
    rng = random.Random(0)
    words = BASE.split()
    hasher = MinHasher(num_perm=128, seed=0)
    errors = []
    for _ in range(40):
        edited = list(words)
        for _ in range(rng.randint(0, 6)):
            edited[rng.randrange(len(edited))] = rng.choice(["درد", "سر", "شکم", "کودک", "دارو"])
        text = " ".join(edited)
        sig = hasher.signatures([BASE, text])
        estimate = float((sig[0] == sig[1]).mean())
        errors.append(abs(estimate - jaccard(hasher, BASE, text)))
    assert max(errors) < 0.15 and sum(errors) / len(errors) < 0.05


def test_deterministic_and_chunking_independent():
    texts = sample_texts()
    texts = texts + [t.replace("است", "هست", 1) for t in texts[:10]]
    first = near_duplicate_clusters(texts, threshold=0.8, seed=3)
    again = near_duplicate_clusters(texts, threshold=0.8, seed=3)
    assert first == again
    streamed = Deduplicator(0.8, seed=3, shingle="char", k=5)
    decisions = []
    for start in range(0, len(texts), 7):
        decisions += streamed.process(texts[start : start + 7])
    assert [d[0] for d in decisions] == first.kind and [d[1] for d in decisions] == first.cluster
    # the sample corpus: one exact repost, one near-duplicate repost; the ten edited copies are near duplicates
    words = near_duplicate_clusters(texts, threshold=0.8, shingle="word", k=5)
    assert first.n_exact == 1 and first.n_near == 11
    assert words.n_exact == 1 and words.n_near >= 10


def test_short_and_empty_texts():
    result = near_duplicate_clusters(["", "سلام", "سلام!", "سل", "درد"], threshold=0.8)
    assert result.keep == [True, True, False, True, True]
    assert MinHasher().signatures([]).shape == (0, 128)


def test_lsh_parameters_match_datasketch():
    assert optimal_bands(0.8, 128) == (9, 13)
    from datasketch import lsh  # dev extra
    for threshold, num_perm in [(0.5, 64), (0.8, 128), (0.9, 128)]:
        assert optimal_bands(threshold, num_perm) == lsh._optimal_param(threshold, num_perm, 0.5, 0.5)


def test_index_lookups_stay_linear():
    """Distinct texts share almost no LSH bucket: the candidates per query stay O(1), never O(n)."""
    rng = random.Random(1)
    vocab = [w for t in sample_texts() for w in t.split()]
    texts = [" ".join(rng.choice(vocab) for _ in range(40)) for _ in range(1500)]
    index = NearDuplicateIndex(threshold=0.8)
    index.add_many(range(len(texts)), texts)
    sigs = index.hasher.signatures(texts[:300])
    candidates = [len(index._candidates(bk)) for bk in index.band_keys(sigs)]
    assert sum(candidates) / len(candidates) < 1.5  # itself, plus rare collisions
    hits = list(index.query_many(texts[:5]))
    assert [h[0][0] for h in hits] == [0, 1, 2, 3, 4]


def test_raw_crawl_repeats(shared_data):
    """The raw niniban crawl repeats 556 questions verbatim; normalisation finds a few more."""
    from hub_tools.data.readers import read_xlsx

    rows = read_xlsx(shared_data / "MF3QA" / "crawled" / "niniban" / "qa.xlsx", {"question": str})
    questions = [row["question"] for row in rows]
    assert len(questions) - len(set(questions)) == 556
    result = exact_duplicates(questions)
    assert result.n_exact >= 556


def test_banding_finds_a_pair_at_the_threshold_with_probability_099():
    b, r = bands_for_recall(0.8, 128)
    assert (b, r) == (21, 6) and b * r <= 128
    assert detection_probability(0.8, b, r) >= 0.99
    assert detection_probability(0.8, *optimal_bands(0.8, 128)) < 0.5  # what the old 9 x 13 banding found
    # the chosen banding has the fewest false candidates among those that reach 0.99
    for rows in range(r + 1, 129):
        assert detection_probability(0.8, 128 // rows, rows) < 0.99
    curve = lsh_curve(b, r)
    assert list(curve) == ["0.50", "0.60", "0.70", "0.75", "0.80", "0.85", "0.90", "0.95"]
    assert curve["0.80"] >= 0.99 and curve["0.50"] < 0.3
    assert NearDuplicateIndex(threshold=0.8).curve()["p_candidate_at_threshold"] >= 0.99


def test_every_candidate_is_verified_with_the_exact_jaccard():
    """Reported similarities are exact Jaccard similarities of the shingle sets; a pair just under the threshold
    is never a near duplicate, one just over it always is (whatever MinHash estimates)."""
    hasher = MinHasher()
    rng = random.Random(5)
    words = BASE.split()
    checked = 0
    for trial in range(40):
        edited = list(words)
        for _ in range(rng.randint(1, 3)):
            edited[rng.randrange(len(edited))] = rng.choice(["خیلی", "بسیار", "کمی", "دیروز", "امروز"])
        text = " ".join(edited)
        exact = jaccard(hasher, BASE, text)
        result = near_duplicate_clusters([BASE, text], threshold=0.8, seed=trial)
        assert result.keep[1] == (exact < 0.8)
        if not result.keep[1]:
            assert result.similarity[1] == pytest.approx(exact)
            checked += 1
    assert 3 <= checked <= 37  # both sides of the threshold were tried


def test_guards_keep_different_questions_with_one_answer_apart():
    """Two different questions sharing a long canned answer are near on question + answer, not on the question:
    with the question as guard they are both kept; a repost (question and answer both near) is still dropped."""
    answer = sample_texts()[0]
    q1 = "سلام، آیا تست خانگی بارداری که امروز صبح انجام دادم دقیق است؟"
    q2 = "چرا بعد از سزارین کمرم درد میکنه؟"
    repost = "سلام آیا تست خانگی بارداری که امروز صبح انجام دادم دقیق هست؟"
    pairs = [(q1, answer), (q2, answer), (repost, answer)]
    texts = [q + "\n" + a for q, a in pairs]
    plain = Deduplicator(0.8).process(texts)
    assert [kind for kind, _, _ in plain] == [None, "near", "near"]
    guarded = Deduplicator(0.8).process(texts, guards=[q for q, _ in pairs])
    assert [kind for kind, _, _ in guarded] == [None, None, "near"] and guarded[2][1] == 0


def test_oversized_texts_refused_long_ones_bounded():
    from hub_tools.data.dedup import MAX_TEXT_CHARS, Deduplicator, TextTooLongError

    dedup_ = Deduplicator(threshold=0.8)
    long_text = " ".join(f"واژه{i}" for i in range(20_000))  # ~200,000 characters: one text above the block budget
    assert [kind for kind, _, _ in dedup_.process([long_text, long_text + " پایان", "کوتاه"])] == [None, "near", None]
    with pytest.raises(TextTooLongError, match=f"above the limit of {MAX_TEXT_CHARS}"):
        dedup_.process(["x" * (MAX_TEXT_CHARS + 1)])
