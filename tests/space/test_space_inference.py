"""space.inference on the tiny model: streaming, Stop ends generation, errors in the thread reach the user."""

from __future__ import annotations

import threading
import time

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
    generated = []  # one entry per token generate hands the streamer (the prompt first)
    put = inference.TokenStream.put
    monkeypatch.setattr(inference.TokenStream, "put", lambda self, value: (generated.append(1), put(self, value)))
    stream = inference.stream_reply(ids, 1500, 1.0, 1.0, 1.0)
    next(stream)
    assert generation_threads()
    stream.close()  # what Gradio does on Stop (GeneratorExit at the yield)
    assert not generation_threads()
    assert len(generated) < 1500 // 3, "generation went on after Stop"  # counted, not timed


def test_an_exception_in_the_generation_thread_becomes_gr_error(inference):
    import gradio as gr

    vocab = inference.get_model().config.vocab_size
    with pytest.raises(gr.Error, match="Generation failed"):
        list(inference.stream_reply([vocab + 10], 8, 0.0, 1.0, 1.0))  # token id outside the embedding
    assert not generation_threads()


def test_keep_last_tokens_keeps_the_end(inference):
    text = "اول " * 50 + "پرسش آخر"
    short = inference.keep_last_tokens(text, 20)
    assert short.endswith("پرسش آخر") and len(short) < len(text)


PERSIAN = "علائم کم‌خونی فقر آهن: خستگی، رنگ‌پریدگی و تنگی نفس.\nبا پزشک مشورت کنید. 🩺 Ferritin < 30 ng/mL"


def _feed(stream, prompt: list[int], ids: list[int], pause_s: float) -> threading.Thread:
    """Hand ``ids`` to ``stream`` one at a time from a thread, as generate does (the prompt first)."""
    import torch

    def run():
        stream.put(torch.tensor([prompt]))
        for i in ids:
            time.sleep(pause_s)
            stream.put(torch.tensor([i]))
        stream.end()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_token_stream_pieces_join_to_the_full_decode(inference):
    tokenizer = inference.get_tokenizer()
    ids = tokenizer(PERSIAN, add_special_tokens=False)["input_ids"] * 3
    stream = inference.TokenStream(tokenizer)
    feeder = _feed(stream, [1, 2, 3], ids, 0.001)
    pieces = list(stream.pieces(feeder.is_alive))
    feeder.join()
    assert "".join(pieces) == tokenizer.decode(ids, skip_special_tokens=True)
    assert len(pieces) > 5 and all(pieces)
    assert not any(p.endswith("\ufffd") for p in pieces)  # split characters wait for their last byte


def test_token_stream_coalesces_to_the_interval(inference):
    tokenizer = inference.get_tokenizer()
    ids = tokenizer(PERSIAN, add_special_tokens=False)["input_ids"] * 4
    stream = inference.TokenStream(tokenizer)
    start = time.perf_counter()
    feeder = _feed(stream, [1], ids, 0.002)
    arrivals, pieces = [], []
    for piece in stream.pieces(feeder.is_alive, min_interval_s=0.1):
        arrivals.append(time.perf_counter() - start)
        pieces.append(piece)
    feeder.join()
    elapsed = time.perf_counter() - start
    assert "".join(pieces) == tokenizer.decode(ids, skip_special_tokens=True)
    # lower bounds only (a loaded machine is slower, never faster): pieces at most once per interval
    assert len(pieces) <= elapsed / 0.1 + 2
    assert all(b - a >= 0.09 for a, b in zip(arrivals[:-2], arrivals[1:-1]))  # the last one comes at the end


def test_token_stream_ends_if_the_producer_dies_without_end(inference):
    import torch

    stream = inference.TokenStream(inference.get_tokenizer())
    stream.put(torch.tensor([[1, 2]]))
    assert list(stream.pieces(lambda: False, poll_s=0.01)) == []  # it returns (a hang fails on pytest-timeout)


def test_the_gpu_duration_follows_the_requested_new_tokens(inference, monkeypatch):
    from space.settings import get_settings

    settings = get_settings()
    short, long = inference.gpu_seconds(settings, 64), inference.gpu_seconds(settings, 1024)
    assert 1 <= short < long <= settings.gpu_duration
    assert inference._gpu_duration([1, 2], 64, 0.0, 1.0, 1.0) == short  # the callable @spaces.GPU is given
    assert inference.gpu_seconds(settings, 10**6) == settings.gpu_duration  # capped at GPU_DURATION
    monkeypatch.setenv("GPU_S_PER_TOKEN", "1")
    assert inference.gpu_seconds(get_settings(), 30) == 38  # 8 s base + 30 × 1 s


SPACES_MISSING_PROBE = """
import sys
sys.modules["spaces"] = None  # `import spaces` now raises ImportError, as where the package is not installed
import logging
logging.basicConfig(level=logging.WARNING)
from space import app, inference  # SPACES_ZERO_GPU=true: the model loads at import, on the CPU
assert inference.spaces is None and inference.resolve_device(inference.get_settings()) == "cpu"
replies = list(app.chat_reply("سلام، سرما خورده‌ام", [], "", 8, 0.0, 1.0, 1.0))
assert replies and replies[-1].strip() and "could not be loaded" not in replies[-1], replies
print("answered")
"""


def test_without_spaces_the_chat_answers_on_the_cpu_with_a_warning(tiny_model_dir, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "MODEL_ID": str(tiny_model_dir), "SPACES_ZERO_GPU": "true", "CUDA_VISIBLE_DEVICES": "",
           "HF_HOME": str(tmp_path / "hf")}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", SPACES_MISSING_PROBE], env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip().endswith("answered"), done.stderr[-3000:]
    assert "the `spaces` package is not installed" in done.stderr and "runs on this machine's cpu" in done.stderr
