"""Importing the app builds the whole UI without a GPU, weights or network; the Space code stays Python 3.10."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import space


PROBE = textwrap.dedent(
    """
    import socket, sys
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access at import: {args}")
    socket.socket.connect = refuse
    socket.create_connection = refuse
    import gradio as gr
    import space.app as app
    assert isinstance(app.demo, gr.Blocks)
    labels = {getattr(b, "label", None) for b in app.demo.blocks.values()}
    assert {"Leaderboard", "About", "Max new tokens", "Temperature (0 = greedy)"} <= labels, labels
    assert "torch" not in sys.modules and "transformers" not in sys.modules
    from space import inference  # now torch loads, but no weights
    assert not inference.model_loaded()
    assert inference.stream_reply.__name__ == "stream_reply" and not hasattr(inference.stream_reply, "zerogpu")
    print("ok")
    """
)


def test_import_builds_blocks_without_gpu_weights_or_network(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf"),
        "MODEL_ID": "does-not/exist", "RESULTS_REPO": "does-not/exist", "HF_ENDPOINT": "http://127.0.0.1:9",
        "CUDA_VISIBLE_DEVICES": "", "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1",
    }  # fmt: skip
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


def test_space_code_parses_as_python_3_10():
    """ZeroGPU runs Python 3.10.13 (README python_version), so no 3.11+ syntax in space/."""
    for path in Path(space.__file__).parent.glob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 10))


def test_the_queue_polls_at_queue_poll_s():
    from space import app

    settings = app.get_settings()
    assert settings.queue_poll_s == 0.01
    assert app.demo._queue.sleep_when_free == settings.queue_poll_s
