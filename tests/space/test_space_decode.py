"""space.decode: the static-cache decode path gives the dynamic path's tokens; modes are checked."""

from __future__ import annotations

import pytest

from space import decode


@pytest.fixture()
def inference(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("MODEL_ID", str(tiny_model_dir))
    from space import inference

    return inference


def test_static_cache_generates_the_dynamic_paths_tokens(tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    for question in ("علائم دیابت چیست؟", "سلام دکتر، سرم درد می‌کند"):
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True,
                                               return_tensors="pt", return_dict=True)  # fmt: skip
        with torch.inference_mode():
            dynamic = model.generate(**prompt, max_new_tokens=24, do_sample=False, repetition_penalty=1.1)
            static = model.generate(**prompt, max_new_tokens=24, do_sample=False, repetition_penalty=1.1,
                                    **decode.generate_kwargs("static"))  # fmt: skip
        assert static.tolist() == dynamic.tolist()
        assert static.shape[1] > prompt["input_ids"].shape[1]


def test_the_chat_streams_the_same_reply_with_the_static_cache(inference, monkeypatch):
    ids = inference.prompt_ids([{"role": "user", "content": "درمان میگرن چگونه است؟"}])
    monkeypatch.setenv(decode.DECODE_ENV, "dynamic")
    dynamic = "".join(inference.stream_reply(ids, 30, 0.0, 1.0, 1.0))
    monkeypatch.setenv(decode.DECODE_ENV, "static")
    assert "".join(inference.stream_reply(ids, 30, 0.0, 1.0, 1.0)) == dynamic and dynamic.strip()


def test_decode_modes_are_checked():
    assert decode.decode_mode({}) == "dynamic"
    assert decode.decode_mode({decode.DECODE_ENV: " Static "}) == "static"
    assert decode.generate_kwargs("dynamic") == {}
    assert decode.generate_kwargs("static") == {"cache_implementation": "static"}
    with pytest.raises(decode.DecodeModeError, match="CHAT_DECODE='fast'"):
        decode.decode_mode({decode.DECODE_ENV: "fast"})


def test_the_removed_aot_mode_fails_with_the_reason():
    with pytest.raises(decode.DecodeModeError, match="CHAT_DECODE='aoti': the AoT-compiled decode step was removed"):
        decode.decode_mode({decode.DECODE_ENV: "aoti"})
