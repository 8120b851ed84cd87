"""space.safety: red flags in Persian, Finglish and English (Arabic letter forms, ZWNJ variants), framing that never
lets a help-seeking question cancel a flag, the learned component's arrays, and the figures on the labelled pool
tests/space/data/red_flags/ (one file per writer)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from space import safety
from space.about import safety_figures_markdown
from space.safety import CATEGORIES, MEASURED, detect_red_flags, emergency_message
from space.safety_pool import HELP_SEEKING_TAILS, count, detect_all, read_labelled, read_pool


POOL = Path(__file__).with_name("data") / "red_flags"


@pytest.fixture(scope="module")
def pool():
    return read_pool(POOL)


@pytest.fixture(scope="module")
def pool_flags(pool):
    return detect_all(pool, detect_red_flags)


def test_the_pool_is_large_from_several_writers_and_covers_every_category(pool):
    assert len(pool) >= 1000
    writers = {row.writer for row in pool}
    assert len(writers) >= 5, writers
    assert len({row.text for row in pool}) >= len(pool) - 5, "duplicate messages"
    counts = {c: sum(1 for row in pool if row.category == c) for c in CATEGORIES}
    assert all(n >= 9 for n in counts.values()), counts
    negatives = [row for row in pool if not row.emergency]
    assert len(negatives) >= 350
    finglish = sum(1 for row in pool if not any("\u0600" <= ch <= "\u06ff" for ch in row.text)
                   and any(w in row.text.lower() for w in ("dar", "kon", "shod", "mikh", "nem", "bach")))
    assert finglish >= 30


def test_pool_figures_are_the_ones_the_about_tab_states(pool, pool_flags):
    counts = count(pool, pool_flags)
    stated = MEASURED["pool"]
    assert (counts.emergencies, counts.caught, counts.non_emergencies, counts.false_alarms) == (
        stated["emergencies"], stated["caught"], stated["non_emergencies"], stated["false_alarms"]
    ), "rerun: python bench/safety_bench.py --write space/safety_figures.json"
    # What the detector reaches on its own pool (optimistic: written and trained with the pool in view).
    assert counts.recall >= 0.97
    assert counts.false_alarm_rate <= 0.06


def test_rules_alone_on_the_independent_writers(pool):
    """Rules only (no model) on the independent writers' files (the lexicon was extended with them in view)."""
    others = [row for row in pool if row.writer != "dev-2026-11"]
    counts = count(others, detect_all(others, lambda text: detect_red_flags(text, model=None)))
    assert counts.recall >= 0.70, counts
    assert counts.false_alarm_rate <= 0.06, counts


def test_no_help_seeking_tail_cancels_a_flag(pool, pool_flags):
    """Every pool emergency the net flags stays flagged with each of five help-seeking tails (Persian, English),
    with and without punctuation before the tail."""
    cancelled = []
    for row, flags in zip(pool, pool_flags):
        if not (row.emergency and flags):
            continue
        for tail in HELP_SEEKING_TAILS + tuple(" " + t.lstrip("،,. ") for t in HELP_SEEKING_TAILS):
            if not detect_red_flags(row.text.rstrip("?؟.!") + tail):
                cancelled.append((row.where, tail))
    assert not cancelled, cancelled[:20]


def test_the_model_is_plain_arrays_loaded_without_pickle():
    with np.load(safety.MODEL_FILE, allow_pickle=False) as arrays:
        assert {"idf", "coef", "intercept", "threshold", "ngram_range", "meta"} <= set(arrays.files)
        assert arrays["idf"].dtype == np.float32 and arrays["coef"].shape == arrays["idf"].shape
        meta = json.loads(str(arrays["meta"]))
    assert meta["cross_validation"]["method"].startswith("leave one writer out")
    model = safety.NgramModel.load()
    assert model.score(safety.fold("my son is not breathing and his lips are blue")) > model.score(
        safety.fold("what vitamins are good for hair?"))


def test_char_ngrams_are_those_inside_padded_words():
    """The hashed n-grams are scikit-learn's char_wb n-grams: no n-gram spans two words."""
    buckets = safety.ngram_buckets("ab cd", 2, 3, 18)
    expected = {" a", "ab", "b ", " ab", "ab ", " c", "cd", "d ", " cd", "cd "}
    assert len(buckets) == len(expected)


def test_a_broken_model_file_is_a_clear_error(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, idf=np.zeros(3, np.float32), coef=np.zeros(3, np.float32), intercept=0.0, threshold=0.0,
             ngram_range=np.array([2, 5]))  # fmt: skip
    with pytest.raises(ValueError, match="model.npz"):
        safety.NgramModel.load(path)


def test_a_bad_pool_row_names_its_file_and_line(tmp_path):
    path = tmp_path / "w.tsv"
    path.write_text("# writer: w\nchest_pain\tdard\nheadache\tsomething\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"w.tsv:3: unknown category 'headache'"):
        read_labelled(path)
    path.write_text("no tab here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"w.tsv:1: expected CATEGORY<TAB>MESSAGE"):
        read_labelled(path)


def test_about_says_not_measured_yet_until_sealed_figures_exist():
    figures = {key: value for key, value in MEASURED.items()}
    fa, en = safety_figures_markdown({**figures, "sealed": None})
    assert "not measured yet" in en and "هنوز اندازه‌گیری نشده" in fa
    sealed = {"messages": 240, "emergencies": 120, "caught": 111, "recall_ci95": [0.86, 0.96],
              "non_emergencies": 120, "false_alarms": 6, "false_alarm_ci95": [0.02, 0.1]}
    fa, en = safety_figures_markdown({**figures, "sealed": sealed})
    assert "111/120 (92.5%, 95% CI 86.0–96.0%)" in en and "not measured yet" not in en
    assert "111/120" in fa


@pytest.mark.parametrize(
    "text",
    [
        "درد شدید قفسه سینه دارم",  # words between the key terms
        "نمیتونم نفس بکشم",  # colloquial, no ZWNJ
        "نمی‌تونم نفس بکشم",
        "نمي تونم نفس بكشم",  # Arabic letters, a space for the ZWNJ
        "درد\u200f قفسه\u200c سینه",  # a bidi mark inside
    ],
)
def test_forms_of_the_same_emergency(text):
    assert detect_red_flags(text), text


@pytest.mark.parametrize(
    "text",
    [
        "پدرم سابقه سکته قلبی دارد؛ برای پیشگیری چه کنم؟",  # history and prevention
        "درد قفسه سینه ندارم",  # negation
        "I don't have chest pain",
        "no chest pain today",
        "What are the warning signs of a stroke?",  # general question
        "I had a heart attack in 2019, can I run again?",
    ],
)
def test_history_negation_and_general_questions_are_not_alarms(text):
    assert detect_red_flags(text) == [], text


def test_now_overrides_history():
    assert "chest_pain" in detect_red_flags("I had a heart attack two years ago and now crushing chest pain again")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("دیگه نمی‌خوام زنده باشم، به خودکشی فکر می‌کنم", "suicide"),
        ("I keep thinking about suicide", "suicide"),
        ("I want to kill myself", "suicide"),
        ("از دیشب درد قفسه سینه دارم که به دست چپم می‌زند", "chest_pain"),
        ("Crushing chest pain and sweating for 20 minutes", "chest_pain"),
        ("پدرم ناگهان دچار افتادگی صورت شده و نمی‌تواند حرف بزند", "stroke"),
        ("My mother has slurred speech and facial droop", "stroke"),
        ("بچه‌ام سفیدکننده خورده، مسمومیت دارد؟", "poisoning"),
        ("I think my son swallowed bleach", "poisoning"),
        ("He took an overdose of his pills", "poisoning"),
        ("بعد از زایمان خونریزی شدید دارم", "bleeding"),
        ("The cut is bleeding heavily and won't stop bleeding", "bleeding"),
    ],
)
def test_each_category_in_persian_and_english(text, category):
    assert category in detect_red_flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "دیگه نمي‌خوام زنده باشم",  # Arabic yeh
        "مي خوام بميرم",  # Arabic yeh, space instead of ZWNJ
        "درد قفسه سينه دارم",  # Arabic yeh in سینه
        "درد  قفسه\u200cسینه",  # ZWNJ and double space
        "خونريزي شديد",  # Arabic yeh throughout
        "سكته مغزي",  # Arabic kaf and yeh
        "خودکُشی",  # a diacritic
    ],
)
def test_letter_variants_are_normalised(text):
    assert detect_red_flags(text), text


@pytest.mark.parametrize(
    "text",
    [
        "سلام، برای سرماخوردگی چه کنم؟",
        "علائم کم‌خونی فقر آهن چیست؟",
        "درد زانو بعد از ورزش دارم",
        "فشار خونم کمی بالاست، چه رژیمی خوب است؟",
        "What are the symptoms of type 2 diabetes?",
        "How do I treat a mild sunburn?",
        "Is it safe to exercise during pregnancy?",
        "Can I take ibuprofen with food?",
        "سینه‌پهلو چیست؟",
        "سلام",  # writers open emergencies with a greeting: the model must not learn the greeting
        "با سلام و احترام",
        "hello",
    ],
)
def test_no_false_positive_on_benign_text(text):
    assert detect_red_flags(text) == []
    assert emergency_message([]) == ""


def test_emergency_message_is_bilingual_and_gives_115():
    message = emergency_message(detect_red_flags("chest pain and I want to die"))
    assert "115" in message and "۱۱۵" in message
    assert "heart attack" in message and "حمله قلبی" in message
    assert "123" in message and "1480" in message  # counselling lines only because of the suicide flag
    assert "1480" not in emergency_message(["bleeding"])


def test_every_category_has_bilingual_guidance():
    for category in CATEGORIES:
        message = emergency_message([category])
        assert "115" in message and "۱۱۵" in message, category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("babam dard ghafase sineh dare va araghe sard karde", "chest_pain"),  # Finglish
        ("nafasam bala nemiad", "breathing"),
        ("pesaram tashanoj kard va bihoosh shode", "seizure"),
        ("mikham khodkoshi konam", "suicide"),
        ("bacheh 2 maheh daram tab 38.5 dare", "infant_fever"),
        ("پسرم از دوچرخه افتاد سرش خورد زمین و دو بار استفراغ کرده", "head_injury"),
        ("My son hit his head on the playground and now he's confused and throwing up", "head_injury"),
        ("دخترم تب داره و گردنش خشک شده", "meningitis"),
        ("fever and a purple rash that doesn't fade under a glass", "meningitis"),
        ("پدرم عفونت ادراری داره و الان گیج شده و تب داره", "sepsis"),
        ("my diabetic mother is confused and her sugar reads HI", "diabetic"),
        ("پسرم ۱۵ سالشه یهو بیضه‌اش درد شدید گرفته", "torsion"),
        ("sudden severe stomach pain, my belly is hard as a board", "acute_abdomen"),
        ("a tearing pain going through to my back", "aortic_pe"),
        ("after a long flight my calf is swollen and now I'm short of breath", "aortic_pe"),
        ("مار پای پسرم رو نیش زد", "bites_stings"),
        ("we pulled him out of the pool, he almost drowned", "drowning"),
        ("کارگرمون تو آفتاب کار میکرد گیج شده و عرق نمیکنه", "heat_stroke"),
        ("بچه‌ام اسهال داره و از دیشب پوشکش خشکه", "child_dehydration"),
        ("I'm going to take a whole pack of pills tonight", "suicide"),  # self-harm by means
        ("یه طناب بستم به سقف و امشب تمومش میکنم", "suicide"),
        ("I'm standing on the roof and I want to jump off the roof", "suicide"),
    ],
)
def test_new_categories_finglish_and_self_harm_by_means(text, category):
    assert category in detect_red_flags(text, model=None), text


@pytest.mark.parametrize(
    "text",
    [
        "My dad is clutching his chest and sweating, how do I help him?",
        "my dad is clutching his chest and sweating. Is it dangerous?",
        "She suddenly can't speak and her face is drooping, what causes this?",
        "پدرم یهو صورتش کج شد و نمیتونه حرف بزنه، علتش چیه؟",
        "بچه‌ام داره تشنج می‌کنه، خطرناکه؟",
        "نفسش بالا نمیاد چطوری کمکش کنم",
    ],
)
def test_a_help_seeking_question_never_cancels(text):
    assert detect_red_flags(text), text


@pytest.mark.parametrize(
    "text",
    [
        "My father had a stroke years ago. Now his face is drooping and he can't speak",
        "پدرم سال‌ها پیش سکته کرده بود. الان دوباره صورتش کج شده",
        "What are the signs of a stroke? My mum's face is drooping right now",
    ],
)
def test_a_frame_only_cancels_its_own_clause(text):
    assert "stroke" in detect_red_flags(text), text


@pytest.mark.parametrize(
    "text",
    [
        "If someone has crushing chest pain, what should they do?",
        "نرخ خودکشی در ایران چقدر است؟",
        "In the movie the hero has a seizure",
        "How can I prevent my child from drowning in the pool?",
        "My 4 year old has a fever of 38.5 but is drinking well",
    ],
)
def test_hypothetical_statistics_prevention_are_not_alarms(text):
    assert detect_red_flags(text, model=None) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "I'm dying to try that new restaurant",
        "وقتی بابام سرم داد میزنه دلم میخواد از خجالت بمیرم",  # an idiom, not an intent
        "my son has had a cough for 2 weeks and a slight fever",  # a duration, not a baby's age
        "یه هفته ست سرفه دارم و تب خفیف",
        "sal e pish babam sekte maghzi kard, alan khube",  # Finglish history
        "ye soal baraye emtehan: alaem e meningitis chie?",  # Finglish exam question with an English word
    ],
)
def test_idioms_durations_and_finglish_frames_are_not_alarms(text):
    assert detect_red_flags(text, model=None) == [], text


@pytest.mark.parametrize(
    "text",
    ["نه تب دارم نه درد قفسه سینه، فقط خسته‌ام", "I don't have any chest pain or shortness of breath",
     "پارسال دست پسرم با آب جوش سوخت و الان جاش مونده، لیزر جواب میده؟"],
)
def test_the_model_does_not_overrule_a_negation_or_a_frame(text):
    assert not safety.model_consulted(text)
    assert detect_red_flags(text) == [], text
