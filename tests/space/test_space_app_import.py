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
    keys = {getattr(getattr(b, "label", None), "key", None) for b in app.demo.blocks.values()}
    assert {"tab_leaderboard", "tab_about", "chat_max_new_tokens", "chat_temperature", "lb_search"} <= keys, keys
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


def test_every_interface_text_is_in_persian_and_english_and_persian_is_the_default():
    import gradio as gr

    from space import app, texts

    for key, (fa, en) in texts.TEXTS.items():
        assert fa.strip() and en.strip() and fa != en, key
        assert any("\u0600" <= ch <= "\u06ff" for ch in fa), key
    i18n = app.build_i18n()
    translations = i18n.translations_dict
    assert translations["fa"]["tab_chat"] == "گفتگو" and translations["en"]["tab_chat"] == "Chat"
    assert translations["de"] == translations["fa"]  # any other browser language gets Persian
    from space.safety import MEASURED

    cv = MEASURED["cross_validated"]  # the About tab states the figures of space/safety_figures.json
    cv_recall = f"{cv['caught']}/{cv['emergencies']} ({100 * cv['caught'] / cv['emergencies']:.1f}%"
    assert "تور ایمنی اورژانس" in translations["fa"]["about"] and cv_recall in translations["fa"]["about"]
    assert "false alarms" in translations["en"]["about"] and cv_recall in translations["en"]["about"]
    # Every labelled component of the app is translated, except the two deliberately bilingual ones and the
    # parameters of the `gr.api` endpoint (API-only, never shown).
    untranslated = {
        str(b.label) for b in app.demo.blocks.values()
        if isinstance(getattr(b, "label", None), str) and b.label not in {"پیام · Message", "Response", "Examples"}
        and not isinstance(b, gr.components.api_component.Api)
    }
    assert not untranslated, untranslated
    assert isinstance(app.launch_options()["i18n"], gr.I18n)
