"""space.safety: red flags in Persian and English (Arabic letter forms, ZWNJ variants), no false alarms."""

from __future__ import annotations

import pytest

from space.safety import detect_red_flags, emergency_message, normalize_text


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


def test_normalize_text():
    assert normalize_text("  كتابي\u200cها ") == "کتابی ها"
    assert normalize_text("ACUTE") == "acute"
