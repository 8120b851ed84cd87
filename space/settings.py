"""Every setting of the Space, read from the environment in one place.

    MODEL_ID=gaokerena/gaokerena-v1 RESULTS_REPO=gaokerena/leaderboard-results python -m space.app

``get_settings()`` reads ``os.environ`` each time it is called (nothing is cached at import), so tests and the
deploy step can change the environment and build a fresh app. No other module of the Space reads ``os.environ``.
On the Hub, MODEL_ID / REVISION / RESULTS_REPO arrive as Space variables (``gaokerena space deploy`` sets them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


DEFAULT_MODEL_ID = "gaokerena/gaokerena-v1"
DEFAULT_RESULTS_REPO = "gaokerena/leaderboard-results"
DEFAULT_ENDPOINT = "https://huggingface.co"


def _as_bool(value: str | None) -> bool:
    return value is not None and value.strip().lower() in {"1", "true", "yes", "on"}


def _as_int(env: Mapping[str, str], key: str, default: int, minimum: int = 1) -> int:
    raw = env.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{key} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{key} must be >= {minimum}, got {value}")
    return value


def _as_float(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{key} must be a number, got {raw!r}") from None


def _optional(env: Mapping[str, str], key: str) -> str | None:
    value = env.get(key, "").strip()
    return value or None


@dataclass(frozen=True)
class Settings:
    """The Space's configuration; build it with :func:`get_settings`.

    Attributes:
        model_id: Hub id (or local path) of the merged chat model (``MODEL_ID``).
        revision: branch, tag or commit of the model (``REVISION``); None means the default branch.
        adapter_id: optional LoRA adapter applied on top of ``model_id`` and merged at load (``ADAPTER_ID``).
        results_repo: dataset repo holding ``results/*.json`` for the leaderboard (``RESULTS_REPO``).
        results_revision: revision of the results repo (``RESULTS_REVISION``).
        hf_endpoint: Hub endpoint (``HF_ENDPOINT``); also used to link model repos in the table.
        hf_token: token for private repos (``HF_TOKEN``); never shown.
        max_input_tokens: prompt budget; older turns are dropped beyond it (``MAX_INPUT_TOKEN_LENGTH``).
        max_new_tokens / default_new_tokens: slider maximum and default (``MAX_NEW_TOKENS``,
            ``DEFAULT_MAX_NEW_TOKENS``).
        gpu_duration: the most seconds requested from ZeroGPU for one reply (``GPU_DURATION``); a reply asks for
            ``gpu_base_s + gpu_s_per_token * max_new_tokens`` (``GPU_BASE_S``, ``GPU_S_PER_TOKEN``), capped there.
        gpu_size: the ZeroGPU slice, "large" (half an H200) or "xlarge" (a whole one) (``GPU_SIZE``).
        stream_interval_s: shortest time between two chat updates sent to the browser (``STREAM_INTERVAL_S``).
        queue_poll_s: how often Gradio's queue looks for waiting requests (``QUEUE_POLL_S``; Gradio's own 1 ms
            wakes its event loop 1,000 times a second, also while a reply is generated, and on the tiny model that
            contention for the GIL cost ~6% of decode speed; 10 ms costs ~1% and adds at most 10 ms to a
            request's start).
        zero_gpu: running on ZeroGPU (``SPACES_ZERO_GPU``, set by the platform).
        device: "auto", "cpu" or "cuda" (``DEVICE``); dtype: "auto", "bfloat16", "float16", "float32" (``DTYPE``).
        concurrency_limit: chat generations running at once (``CONCURRENCY_LIMIT``); queue_size: waiting
            requests before new ones are turned away (``QUEUE_SIZE``).
        leaderboard_ttl_s: seconds a page load may reuse the last Hub read (``LEADERBOARD_TTL_S``).
        leaderboard_min_n: rows whose every score rests on fewer questions are hidden until the visitor asks
            (``LEADERBOARD_MIN_N``).
        server_name / server_port: where ``python -m space.app`` listens (``GRADIO_SERVER_NAME``/``_PORT``).
        mcp_server: serve Gradio's MCP server at ``/gradio_api/mcp/`` (``MCP_SERVER``; default: on the Hub, where
            the platform sets ``SPACE_ID`` and requirements.txt installs ``gradio[mcp]``, and off elsewhere).
    """

    model_id: str = DEFAULT_MODEL_ID
    revision: str | None = None
    adapter_id: str | None = None
    results_repo: str = DEFAULT_RESULTS_REPO
    results_revision: str | None = None
    hf_endpoint: str = DEFAULT_ENDPOINT
    hf_token: str | None = None
    max_input_tokens: int = 4096
    max_new_tokens: int = 2048
    default_new_tokens: int = 512
    gpu_duration: int = 120
    gpu_base_s: float = 8.0
    gpu_s_per_token: float = 0.04
    gpu_size: str = "large"
    stream_interval_s: float = 0.05
    queue_poll_s: float = 0.01
    zero_gpu: bool = False
    device: str = "auto"
    dtype: str = "auto"
    concurrency_limit: int = 1
    queue_size: int = 20
    leaderboard_ttl_s: float = 300.0
    leaderboard_min_n: int = 30
    server_name: str = "127.0.0.1"
    server_port: int = 7860
    mcp_server: bool = False

    @property
    def hub_url(self) -> str:
        """The endpoint without a trailing slash, for building links."""
        return self.hf_endpoint.rstrip("/")


def get_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default ``os.environ``); raises ``ValueError`` on malformed numbers."""
    env = os.environ if environ is None else environ
    max_new = _as_int(env, "MAX_NEW_TOKENS", 2048)
    dtype = env.get("DTYPE", "auto").strip().lower() or "auto"
    if dtype not in {"auto", "bfloat16", "float16", "float32"}:
        raise ValueError(f"DTYPE must be one of auto, bfloat16, float16, float32; got {dtype!r}")
    device = env.get("DEVICE", "auto").strip().lower() or "auto"
    if device not in {"auto", "cpu", "cuda"}:
        raise ValueError(f"DEVICE must be one of auto, cpu, cuda; got {device!r}")
    gpu_size = env.get("GPU_SIZE", "large").strip().lower() or "large"
    if gpu_size not in {"large", "xlarge"}:
        raise ValueError(f"GPU_SIZE must be large or xlarge; got {gpu_size!r}")
    return Settings(
        model_id=_optional(env, "MODEL_ID") or DEFAULT_MODEL_ID,
        revision=_optional(env, "REVISION"),
        adapter_id=_optional(env, "ADAPTER_ID"),
        results_repo=_optional(env, "RESULTS_REPO") or DEFAULT_RESULTS_REPO,
        results_revision=_optional(env, "RESULTS_REVISION"),
        hf_endpoint=_optional(env, "HF_ENDPOINT") or DEFAULT_ENDPOINT,
        hf_token=_optional(env, "HF_TOKEN"),
        max_input_tokens=_as_int(env, "MAX_INPUT_TOKEN_LENGTH", 4096, minimum=16),
        max_new_tokens=max_new,
        default_new_tokens=min(_as_int(env, "DEFAULT_MAX_NEW_TOKENS", 512), max_new),
        gpu_duration=_as_int(env, "GPU_DURATION", 120),
        gpu_base_s=_as_float(env, "GPU_BASE_S", 8.0),
        gpu_s_per_token=_as_float(env, "GPU_S_PER_TOKEN", 0.04),
        gpu_size=gpu_size,
        stream_interval_s=_as_float(env, "STREAM_INTERVAL_S", 0.05),
        queue_poll_s=_as_float(env, "QUEUE_POLL_S", 0.01),
        zero_gpu=_as_bool(env.get("SPACES_ZERO_GPU")),
        device=device,
        dtype=dtype,
        concurrency_limit=_as_int(env, "CONCURRENCY_LIMIT", 1),
        queue_size=_as_int(env, "QUEUE_SIZE", 20),
        leaderboard_ttl_s=_as_float(env, "LEADERBOARD_TTL_S", 300.0),
        leaderboard_min_n=_as_int(env, "LEADERBOARD_MIN_N", 30, minimum=0),
        server_name=_optional(env, "GRADIO_SERVER_NAME") or "127.0.0.1",
        server_port=_as_int(env, "GRADIO_SERVER_PORT", 7860),
        mcp_server=_as_bool(env["MCP_SERVER"]) if env.get("MCP_SERVER", "").strip() else bool(env.get("SPACE_ID")),
    )
