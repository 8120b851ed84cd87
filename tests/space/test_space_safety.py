"""space.safety: red flags in Persian and English (Arabic letter forms, ZWNJ variants), no false alarms, and the
figures on the labelled set tests/space/data/red_flags.tsv."""

from __future__ import annotations

from pathlib import Path

import pytest

from space.safety import CATEGORIES, MEASURED, detect_red_flags, emergency_message


LABELLED = Path(__file__).with_name("data") / "red_flags.tsv"


def labelled_set() -> list[tuple[str, str]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, text = line.split("\t", 1)
            rows.append((category, text))
    return rows


def test_the_labelled_set_is_large_and_covers_every_category():
    rows = labelled_set()
    assert len(rows) >= 200
    assert len({text for _, text in rows}) == len(rows), "duplicate messages"
    counts = {c: sum(1 for cat, _ in rows if cat == c) for c in CATEGORIES}
    assert all(n >= 10 for n in counts.values()), counts
    negatives = [text for cat, text in rows if cat == "-"]
    assert len(negatives) >= 100
    persian = sum(1 for _, t in rows if any("\u0600" <= ch <= "\u06ff" for ch in t))
    english = sum(1 for _, t in rows if not any("\u0600" <= ch <= "\u06ff" for ch in t))
    assert persian >= 150 and english >= 80


def test_recall_and_false_alarms_on_the_labelled_set():
    rows = labelled_set()
    positives = [(cat, text) for cat, text in rows if cat != "-"]
    negatives = [text for cat, text in rows if cat == "-"]
    missed = [(cat, text) for cat, text in positives if cat not in detect_red_flags(text)]
    alarms = [(detect_red_flags(text), text) for text in negatives if detect_red_flags(text)]
    recall = 1 - len(missed) / len(positives)
    false_alarm_rate = len(alarms) / len(negatives)
    assert recall >= 0.95, missed
    assert false_alarm_rate <= 0.05, alarms
    # The figures the About tab and the README state are the ones measured here.
    assert (len(rows), len(positives)) == (MEASURED["messages"], MEASURED["emergencies"])
    assert recall == pytest.approx(MEASURED["recall"])
    assert false_alarm_rate == pytest.approx(MEASURED["false_alarm_rate"])


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
