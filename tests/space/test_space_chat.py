"""space.chat: the conversation sent to the model and the token budget (system prompt and last message kept)."""

from __future__ import annotations

import pytest

from space.chat import build_conversation, content_text, trim_to_budget


def words(messages):
    """A stand-in tokenizer for the pure tests: one token per word plus two per message."""
    return sum(len(m["content"].split()) + 2 for m in messages)


def history(turns):
    out = []
    for i in range(turns):
        out.append({"role": "user", "content": [{"type": "text", "text": f"question {i} " + "x " * 10}]})
        out.append({"role": "assistant", "content": [{"type": "text", "text": f"answer {i} " + "y " * 10}]})
    return out


def test_build_conversation_flattens_gradio_messages():
    messages = build_conversation("سلام", history(1), "  system  ")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[0]["content"] == "system"
    assert messages[1]["content"].startswith("question 0")
    assert messages[-1] == {"role": "user", "content": "سلام"}
    assert build_conversation("hi", [], "")[0]["role"] == "user"  # no system message when blank


def test_build_conversation_always_alternates():
    broken = [
        {"role": "assistant", "content": "a greeting shown before any question"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": [{"type": "text", "text": "   "}]},  # an empty reply
        {"role": "user", "content": "second"},
        {"role": "assistant", "content": "reply"},
        {"role": "assistant", "content": "more"},
    ]
    messages = build_conversation("third", broken, None)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"] == "first\n\nsecond" and messages[1]["content"] == "reply\n\nmore"
    assert build_conversation("again", [{"role": "user", "content": "unanswered"}], None) == [
        {"role": "user", "content": "unanswered\n\nagain"}
    ]


def test_content_text_accepts_every_shape():
    assert content_text("a") == "a"
    parts = [{"type": "text", "text": "a"}, {"type": "file", "file": {}}, {"type": "text", "text": "b"}]
    assert content_text(parts) == "ab"
    assert content_text({"type": "text", "text": "c"}) == "c"
    assert content_text(None) == ""


def test_fits_unchanged():
    messages = build_conversation("hello", history(2), "sys")
    kept, report = trim_to_budget(messages, words, limit=1000)
    assert kept == messages and not report.trimmed


def test_trimming_drops_oldest_turns_and_keeps_system_and_latest():
    messages = build_conversation("the latest question", history(5), "the system prompt")
    kept, report = trim_to_budget(messages, words, limit=60)
    assert kept[0] == {"role": "system", "content": "the system prompt"}
    assert kept[-1] == {"role": "user", "content": "the latest question"}
    assert report.dropped_messages > 0 and report.tokens <= 60
    assert "question 4" in kept[1]["content"]  # the newest turns survive
    assert all(m["role"] == r for m, r in zip(kept[1:-1], ["user", "assistant"] * 5))  # still alternating


def test_a_single_long_message_is_shortened_from_the_front():
    messages = build_conversation("a " * 100 + "the actual question?", history(1), "sys")
    kept, report = trim_to_budget(messages, words, limit=30, shorten=lambda text, n: " ".join(text.split()[n:]))
    assert report.shortened_last and report.dropped_messages == 2
    assert kept[0]["role"] == "system" and kept[-1]["content"].endswith("the actual question?")
    assert report.tokens <= 30


def test_without_shorten_the_overflow_is_an_error():
    with pytest.raises(ValueError, match="the limit is 5"):
        trim_to_budget(build_conversation("a b c d e f", [], "sys"), words, limit=5)


def test_trimming_with_the_real_chat_template(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("MODEL_ID", str(tiny_model_dir))
    from space import inference

    messages = build_conversation("آخرین پرسش", history(20), "پیام سیستم")
    full = inference.count_tokens(messages)
    kept, report = trim_to_budget(messages, inference.count_tokens, full // 3, shorten=inference.keep_last_tokens)
    assert report.trimmed and report.tokens <= full // 3
    assert kept[0]["content"] == "پیام سیستم" and kept[-1]["content"] == "آخرین پرسش"
    ids = inference.prompt_ids(kept)
    assert len(ids) == report.tokens


def test_the_app_warns_when_it_trims(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("MODEL_ID", str(tiny_model_dir))
    monkeypatch.setenv("MAX_INPUT_TOKEN_LENGTH", "200")
    from space import app
    from space.settings import get_settings

    with pytest.warns(UserWarning, match="longer than 200 tokens: .* older message"):  # gr.Warning outside a request
        ids = app._prompt_ids("آخرین پرسش", history(20), "پیام سیستم", get_settings())
    assert len(ids) <= 200
