"""space.inference on the tiny model: streaming, Stop ends generation, errors in the thread reach the user."""

from __future__ import annotations

import threading
import time

import gradio as gr
import pytest


@pytest.fixture()
def inference(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("MODEL_ID", str(tiny_model_dir))
    from space import inference

    return inference


def generation_threads():
    return [t for t in threading.enumerate() if t.name == "gaokerena-generate"]


def test_streams_several_pieces(inference):
    ids = inference.prompt_ids([{"role": "system", "content": "سیستم"}, {"role": "user", "content": "سلام"}])
    pieces = list(inference.stream_reply(ids, 40, 0.8, 0.95, 1.1))
    assert len(pieces) >= 3 and all(isinstance(p, str) for p in pieces)
    assert inference.model_loaded() and not generation_threads()


def test_closing_the_stream_stops_generation(inference, monkeypatch):
    # Without an end-of-turn token the tiny model would generate all 1500 tokens (seconds); only Stop ends it.
    monkeypatch.setattr(inference.get_model().generation_config, "eos_token_id", None)
    ids = inference.prompt_ids([{"role": "user", "content": "سلام"}])
    start = time.perf_counter()
    full = sum(1 for _ in inference.stream_reply(ids, 100, 1.0, 1.0, 1.0))
    per_piece = (time.perf_counter() - start) / full
    stream = inference.stream_reply(ids, 1500, 1.0, 1.0, 1.0)
    next(stream)
    assert generation_threads()
    start = time.perf_counter()
    stream.close()  # what Gradio does on Stop (GeneratorExit at the yield)
    assert not generation_threads()
    assert time.perf_counter() - start < max(0.5, 20 * per_piece), "generation went on after Stop"


def test_an_exception_in_the_generation_thread_becomes_gr_error(inference):
    vocab = inference.get_model().config.vocab_size
    with pytest.raises(gr.Error, match="Generation failed"):
        list(inference.stream_reply([vocab + 10], 8, 0.0, 1.0, 1.0))  # token id outside the embedding
    assert not generation_threads()


def test_keep_last_tokens_keeps_the_end(inference):
    text = "اول " * 50 + "پرسش آخر"
    short = inference.keep_last_tokens(text, 20)
    assert short.endswith("پرسش آخر") and len(short) < len(text)
