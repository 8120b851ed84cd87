"""How the chat decodes: the KV cache ``generate`` uses, and an optional ahead-of-time compiled decode step.

``CHAT_DECODE`` (environment) picks the mode; ``space.inference.stream_reply`` adds ``generate_kwargs(mode)`` to its
``model.generate`` call and nothing else changes:

dynamic (default)
    transformers' dynamic cache: today's path.
static
    a static KV cache (``cache_implementation="static"``): fixed-shape tensors, so a compiled decode step can be
    replayed token after token. Greedy replies are token for token those of the dynamic path (tests/space checks it
    on the tiny model, on the CPU).
aoti
    the static cache plus the decode step compiled ahead of time with ZeroGPU's ``spaces.aoti_*`` helpers (runtime
    ``torch.compile`` is not allowed on ZeroGPU). Needs a CUDA device; off until measured on one
    (``bench/space_bench.py``, ``bench/gpu_all.sh``).
"""

from __future__ import annotations

import logging
import os


logger = logging.getLogger(__name__)

DECODE_MODES = ("dynamic", "static", "aoti")
DECODE_ENV = "CHAT_DECODE"


class DecodeModeError(ValueError):
    """An unknown ``CHAT_DECODE`` value, or a mode this machine cannot run."""


def decode_mode(environ=None) -> str:
    """``CHAT_DECODE`` from the environment (default "dynamic"), checked."""
    value = (environ if environ is not None else os.environ).get(DECODE_ENV, "dynamic").strip().lower() or "dynamic"
    if value not in DECODE_MODES:
        raise DecodeModeError(f"{DECODE_ENV}={value!r} is not a decode mode: expected one of {', '.join(DECODE_MODES)}")
    return value


def generate_kwargs(mode: str) -> dict:
    """The extra ``model.generate`` arguments of a decode mode."""
    if mode not in DECODE_MODES:
        raise DecodeModeError(f"unknown decode mode {mode!r}: expected one of {', '.join(DECODE_MODES)}")
    if mode == "dynamic":
        return {}
    return {"cache_implementation": "static"}


_COMPILED: set[int] = set()


def prepare(model, mode: str, *, bos_token_id: int) -> None:
    """Once per loaded model: compile the decode step when ``mode`` is "aoti" (nothing to do otherwise)."""
    if mode != "aoti" or id(model) in _COMPILED:
        return
    compile_decode_step(model, bos_token_id=bos_token_id)
    _COMPILED.add(id(model))


def compile_decode_step(model, *, bos_token_id: int, max_new_tokens: int = 4) -> None:
    """AoT-compile ``model``'s forward for the one-token decode step with ZeroGPU's helpers and swap it in.

    ``spaces.aoti_capture`` records the arguments of the first forward call of a ``generate`` with the static cache
    on a one-token prompt, which has the decode step's shapes (one new token, the full static cache); the forward is
    exported with ``torch.export``, compiled with ``spaces.aoti_compile`` and installed with ``spaces.aoti_apply``.
    CUDA only; not yet measured on a GPU, hence off by default.
    """
    import spaces
    import torch

    if not torch.cuda.is_available():
        raise DecodeModeError(f"{DECODE_ENV}=aoti needs a CUDA device (ZeroGPU); use static on this machine")
    prompt = torch.tensor([[bos_token_id]], dtype=torch.long, device=model.device)
    with spaces.aoti_capture(model) as call:
        with torch.inference_mode():
            model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=max_new_tokens,
                           do_sample=False, **generate_kwargs("static"))  # fmt: skip
    exported = torch.export.export(model, args=call.args, kwargs=call.kwargs)
    spaces.aoti_apply(spaces.aoti_compile(exported), model)
    logger.info("decode step compiled ahead of time (spaces.aoti_*)")
