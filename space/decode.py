"""How the chat decodes: the KV cache ``generate`` uses.

``CHAT_DECODE`` (environment) picks the mode; ``space.inference.stream_reply`` adds ``generate_kwargs(mode)`` to its
``model.generate`` call and nothing else changes:

dynamic (default)
    transformers' dynamic cache: today's path.
static
    a static KV cache (``cache_implementation="static"``): fixed-shape tensors. Greedy replies are token for token
    those of the dynamic path (tests/space checks it on the tiny model, on the CPU).

An ahead-of-time compiled decode step ("aoti") was offered here once. It compiled inside every reply's GPU call
(ZeroGPU runs each call in a fresh worker, so a per-process "compiled once" flag never held) and was never measured
on a GPU, so it was removed; ``CHAT_DECODE=aoti`` now fails at start-up with a message saying so. ZeroGPU's
documented pattern, should it come back, is to capture, export and ``spaces.aoti_compile`` inside one
``@spaces.GPU(duration=1500)`` function called at import, and ``spaces.aoti_apply`` the result once, outside it.
"""

from __future__ import annotations

import logging
import os


logger = logging.getLogger(__name__)

DECODE_MODES = ("dynamic", "static")
DECODE_ENV = "CHAT_DECODE"
REMOVED_MODES = {"aoti": "the AoT-compiled decode step was removed (space/decode.py says why); use static"}


class DecodeModeError(ValueError):
    """An unknown or removed ``CHAT_DECODE`` value."""


def decode_mode(environ=None) -> str:
    """``CHAT_DECODE`` from the environment (default "dynamic"), checked."""
    value = (environ if environ is not None else os.environ).get(DECODE_ENV, "dynamic").strip().lower() or "dynamic"
    if value in REMOVED_MODES:
        raise DecodeModeError(f"{DECODE_ENV}={value!r}: {REMOVED_MODES[value]}")
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
