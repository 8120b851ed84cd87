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

    with pytest.warns(UserWarning) as caught:  # gr.Warning outside a request
        ids = app._prompt_ids("آخرین پرسش", history(20), "پیام سیستم", get_settings(), max_new_tokens=16)
    assert len(ids) <= 200
    text = str(caught[0].message)
    assert "پیام قدیمی‌تر گفتگو کنار گذاشته شد" in text and "پیام سیستم و" in text  # Persian first, says what
    assert "200-token input budget" in text and "oldest message(s) were left out" in text


def test_the_budget_is_capped_by_the_model_context(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("MODEL_ID", str(tiny_model_dir))
    monkeypatch.setenv("MAX_INPUT_TOKEN_LENGTH", "100000")
    from space import inference
    from space.settings import get_settings

    settings = get_settings()
    context = inference.context_length(settings)
    assert context == 2048  # the tiny model's max_position_embeddings
    assert inference.input_budget(settings, 512) == context - 512
    assert inference.input_budget(settings, 100_000) == 64  # the reply is capped, a minimal prompt remains
    assert inference.new_token_cap(settings, 100_000) == context - 64
    monkeypatch.setenv("MAX_INPUT_TOKEN_LENGTH", "300")
    assert inference.input_budget(get_settings(), 512) == 300


def test_a_long_prompt_is_trimmed_to_the_context_not_only_the_setting(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("MODEL_ID", str(tiny_model_dir))
    monkeypatch.setenv("MAX_INPUT_TOKEN_LENGTH", "100000")
    from space import app
    from space.settings import get_settings

    with pytest.warns(UserWarning, match="ابتدای پیام شما حذف شد"):
        ids = app._prompt_ids("واژه " * 6000 + "پرسش آخر؟", [], "پیام سیستم", get_settings(), max_new_tokens=548)
    assert len(ids) <= 2048 - 548


def collect(generator):
    return list(generator)


def test_an_empty_message_gets_a_hint_not_an_error(monkeypatch):
    from space import app

    for text in ("", "   ", "\n\t"):
        replies = collect(app.chat_reply(text, [], "", 16, 0.0, 1.0, 1.0))
        assert replies == [app.EMPTY_MESSAGE_HINT]
    assert "لطفاً" in app.EMPTY_MESSAGE_HINT and "Please" in app.EMPTY_MESSAGE_HINT


def test_a_model_that_cannot_load_ends_the_reply_with_a_bilingual_note(tmp_path, monkeypatch):
    monkeypatch.setenv("MODEL_ID", str(tmp_path / "no-such-model"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from space import app

    replies = collect(app.chat_reply("درد قفسه سینه دارم", [], "", 16, 0.0, 1.0, 1.0))
    assert replies[0].startswith("<div class=\"gk-emergency\"") and "هشدار اورژانسی" in replies[0]  # safety first
    assert "مدل بارگذاری نشد" in replies[-1] and "could not be loaded" in replies[-1]


def test_a_template_error_ends_the_reply_with_a_bilingual_note(tiny_model_dir, monkeypatch):
    from jinja2 import TemplateError

    monkeypatch.setenv("MODEL_ID", str(tiny_model_dir))
    from space import app, inference

    def broken(messages, settings=None):
        raise TemplateError("Conversation roles must alternate")

    monkeypatch.setattr(inference, "prompt_ids", broken)
    replies = collect(app.chat_reply("سلام", [], "", 16, 0.0, 1.0, 1.0))
    assert "قالب گفتگوی مدل" in replies[-1] and "roles must alternate" in replies[-1]


def test_a_generation_error_ends_the_reply_with_a_bilingual_note(tiny_model_dir, monkeypatch):
    import gradio as gr

    monkeypatch.setenv("MODEL_ID", str(tiny_model_dir))
    from space import app, inference

    def failing(*args, **kwargs):
        yield "نیمی از پاسخ"
        raise gr.Error("تولید پاسخ با خطا متوقف شد. · Generation failed (RuntimeError: CUDA out of memory).")

    monkeypatch.setattr(inference, "stream_reply", failing)
    replies = collect(app.chat_reply("سلام", [], "", 16, 0.0, 1.0, 1.0))
    assert replies[-1].startswith("نیمی از پاسخ")
    assert "پاسخ کامل نشد" in replies[-1] and "CUDA out of memory" in replies[-1]
