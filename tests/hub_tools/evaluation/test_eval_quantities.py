"""Quantities said in words or digits, in either language and in any unit of their kind."""

from __future__ import annotations

import pytest

from hub_tools.evaluation.quantities import decimal_slashes, number_at, quantities, same_amount


@pytest.mark.parametrize(
    ("text", "low", "high", "kind", "said"),
    [
        ("2 years", 17_520, 17_520, "time", "2 years"),  # in hours
        ("۲۴ ماه", 17_520, 17_520, "time", "۲۴ ماه"),
        ("0.4 mg", 400, 400, "mass", "0.4 mg"),
        ("۴۰۰ میکروگرم در روز", 400, 400, "mass", "۴۰۰ میکروگرم"),
        ("۴ میلی‌گرم در روز", 4000, 4000, "mass", "۴ میلی\u200cگرم"),
        ("2-3 days", 48, 72, "time", "2-3 days"),
        ("48–72 hours", 48, 72, "time", "48–72 hours"),
        ("Four and a half hours from last known well", 4.5, 4.5, "time", "Four and a half hours"),
        ("۴٫۵ ساعت", 4.5, 4.5, "time", "۴٫۵ ساعت"),
        ("چهار ساعت و نیم", 4.5, 4.5, "time", "چهار ساعت و نیم"),
        ("between sixty and a hundred beats a minute", 60, 100, "rate", "between sixty and a hundred beats a minute"),
        ("60–100 bpm", 60, 100, "rate", "60–100 bpm"),
        ("بین ۶۰ و ۱۰۰ ضربه در دقیقه", 60, 100, "rate", "بین ۶۰ و ۱۰۰ ضربه در دقیقه"),
        ("Forty.", 40, 40, None, "Forty"),
        ("per 100,000 live births", 100_000, 100_000, None, "100,000"),
        ("۱۰۰ هزار تولد زنده", 100_000, 100_000, None, "۱۰۰ هزار"),
        ("one hundred thousand", 100_000, 100_000, None, "one hundred thousand"),
    ],
)
def test_quantities_in_base_units(text, low, high, kind, said):
    (quantity,) = quantities(text)
    assert quantity.kind == kind
    assert (quantity.low, quantity.high) == pytest.approx((low, high))
    assert text[quantity.start : quantity.end] == said


def test_the_same_amount_in_other_units_and_not_across_kinds():
    (years,), (months,), (days,) = quantities("2 years"), quantities("۲۴ ماه"), quantities("720 days")
    assert same_amount(years, months) and not same_amount(months, days)  # a month is a twelfth of a year
    (grams,), (bare,) = quantities("4 g"), quantities("4")
    assert not same_amount(grams, bare)
    (low_range,), (high_range,) = quantities("2-3 days"), quantities("48–72 hours")
    assert same_amount(low_range, high_range)


def test_words_that_are_not_numbers_and_ranges_that_need_a_second_number():
    assert quantities("a patient with a fever") == []
    assert [q.low for q in quantities("sixty and a hundred")] == [60, 100]  # two numbers, not 6,100
    assert quantities("between the liver and the spleen") == []
    assert quantities("type 2 diabetes")[0].kind is None
    assert number_at(["9ها"], 0) is None  # a digit glued to letters is no number
    assert number_at(["100", "هزار"], 0) == (2, 100_000.0, True)
    assert number_at(["100"], 0) == (1, 100.0, False)


def test_a_slash_after_one_persian_digit_is_a_decimal_point():
    assert decimal_slashes("۶/۵ درصد") == "۶٫۵ درصد"
    assert decimal_slashes("۱۴۰/۹۰") == "۱۴۰/۹۰" and decimal_slashes("120/80") == "120/80"  # ratios
    assert decimal_slashes("۱/۲/۳") == "۱/۲/۳"
    (quantity,) = quantities("۰/۴ میلی‌گرم")
    assert quantity.kind == "mass" and quantity.low == pytest.approx(400)
