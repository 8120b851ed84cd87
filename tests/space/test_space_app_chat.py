"""space.app's chat pieces without a browser: the pinned emergency notice, the stateless `respond` (API and MCP
tool), the emergency line, the interface language and the leaderboard in Persian."""

from __future__ import annotations

import pandas as pd
import pytest

from space import about, app, safety, texts


EMERGENCY = "پدرم الان درد شدید قفسه سینه دارد و عرق سرد کرده"
ORDINARY = "تفاوت دیابت نوع ۱ و نوع ۲ را توضیح بده."


def test_a_flagged_message_pins_the_guidance_the_reply_starts_with():
    assert safety.detect_red_flags(EMERGENCY) and not safety.detect_red_flags(ORDINARY)
    update = app.pinned_notice(EMERGENCY)
    assert update["visible"] is True
    assert update["value"] == safety.emergency_message(safety.detect_red_flags(EMERGENCY))
    assert "value" not in app.pinned_notice(ORDINARY)  # leaves an earlier notice in place
    assert "value" not in app.pinned_notice("")
    assert app.hide_notice() == {"__type__": "update", "value": "", "visible": False}


def test_the_emergency_line_has_every_number_in_both_scripts():
    line = about.emergency_line_html()
    for number in (safety.EMERGENCY_NUMBER, safety.SOCIAL_EMERGENCY_NUMBER, safety.COUNSELLING_LINE):
        assert f"href='tel:{number}'" in line and f">{number}<" in line
        assert f">{about.persian_digits(number)}<" in line
    assert about.persian_digits("115") == "۱۱۵"


def test_respond_is_the_stateless_chat_with_defaults(monkeypatch):
    seen = {}

    def fake_chat_reply(message, history, system_prompt, max_new_tokens, temperature, top_p, repetition_penalty):
        seen.update(history=history, max_new_tokens=max_new_tokens, system_prompt=system_prompt)
        yield "پاسخ"

    monkeypatch.setenv("MAX_NEW_TOKENS", "64")
    monkeypatch.setattr(app, "chat_reply", fake_chat_reply)
    assert list(app.respond("سلام", max_new_tokens=5000)) == ["پاسخ"]
    assert seen == {"history": [], "max_new_tokens": 64, "system_prompt": app.chat.DEFAULT_SYSTEM_PROMPT}


class FakeRequest:
    def __init__(self, query=None, accept=""):
        self.query_params = query or {}
        self.headers = {"accept-language": accept}


@pytest.mark.parametrize(
    ("query", "stored", "accept", "expected"),
    [
        ({"lang": "en"}, "fa", "fa-IR", "en"),  # the address wins
        ({}, "en", "fa-IR", "en"),  # then the visitor's last choice
        ({}, "", "en-US,en;q=0.9", "en"),  # then the browser
        ({}, "", "de-DE", "fa"),  # every other language gets Persian
        ({"lang": "xx"}, "nonsense", "", "fa"),
    ],
)
def test_initial_language(query, stored, accept, expected):
    assert app.initial_language(stored, FakeRequest(query, accept)) == expected


def test_every_text_has_both_languages_and_tables_translate():
    for key in texts.TEXTS:
        assert texts.text(key, "fa") == texts.TEXTS[key][0] and texts.text(key, "en") == texts.TEXTS[key][1], key
    assert texts.table_header("MMLU-fa avg (generate) 95% CI", "fa") == "میانگین MMLU-fa (generate) بازه ۹۵٪"
    assert texts.table_header("Model", "en") == "Model"
    assert texts.table_value("pass ✅", "fa") == "قبول ✅" and texts.table_value("pass ✅", "en") == "pass ✅"


def test_the_persian_table_translates_headers_and_labels_but_not_numbers():
    table = pd.DataFrame({"Model": ["[x](u)"], "Type": ["fine-tuned"], "Source": ["this release"],
                          "Revision": ["main"], "IBMSEE (generate)": [51.2], "IBMSEE (generate) 95% CI": ["43–59"],
                          "IBMSEE pass (≥36%)": ["pass ✅"], "IBMSEE n": [168]})  # fmt: skip
    shown = app._localized(table, ["IBMSEE (generate)"], "fa")
    assert list(shown.columns) == ["مدل", "نوع", "منبع", "نسخه", "IBMSEE (generate)", "IBMSEE (generate) بازه ۹۵٪",
                                   "قبولی IBMSEE (≥36%)", "IBMSEE n"]  # fmt: skip
    assert shown.iloc[0].tolist() == ["[x](u)", "تنظیم‌شده", "همین نسخه", "main", 51.2, "43–59", "قبول ✅", 168]
    assert app._localized(table, ["IBMSEE (generate)"], "en") is table


def test_the_status_line_follows_the_language(monkeypatch):
    monkeypatch.setattr(app, "STORE", app.LeaderboardStore(fetched_at=1.0, source="o/r"))
    assert app._status("en").startswith("0 result files from `o/r`")
    assert app._status("fa").startswith("۰ پرونده نتیجه از `o/r`")
