"""One prompt, four renderers: the HF chat template, the same template read back from the GGUF metadata (Jinja2, as
LM Studio and llama-cpp-python render it; and llama.cpp's own C++ engine), and Ollama's Go ``template`` file.

Ollama renders its ``template`` with Go's ``text/template``. Go is not on the project's machines, and installing a
Go toolchain in CI to run one template is heavier than the template: the test renders it with ``render_go_template``
below, a small interpreter of exactly the subset Ollama's chat templates use (text, ``{{ .Field }}``, ``if`` /
``else if`` / ``else``, ``range``, ``eq``, string literals and the ``{{-``/``-}}`` whitespace trimming, with Go's
rules: a trim marker removes all adjacent whitespace, ``range`` rebinds the dot, an empty string is false). Anything
outside that subset is an error, so the template cannot drift into syntax the test does not understand.
"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from hub_tools.export.ollama import OLLAMA_TEMPLATE, system_prompt


needs_llama_cpp = pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                                     reason="llama-cpp-python is not installed (dev extra)")

SYSTEM = "تو یک دستیار پزشکی فارسی‌زبان هستی. پاسخ‌ها کوتاه و دقیق باشند."
CONVERSATIONS = [
    [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "سلام، سردرد دارم."}],
    [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "سلام، سردرد دارم."},
        {"role": "assistant", "content": "چه مدت است که سردرد دارید؟"},
        {"role": "user", "content": "از دیروز، همراه با تب ۳۸٫۵ درجه."},
    ],
    [
        {"role": "system", "content": system_prompt()},  # Ollama's `system` file: the Space's prompt + disclaimer
        {"role": "user", "content": "فشار خون ۱۴۰/۹۰ یعنی چه؟\nآیا باید دارو بخورم؟"},
        {"role": "assistant", "content": "این عدد بالاتر از حد طبیعی است.\n\n- با پزشک مشورت کنید."},
        {"role": "user", "content": "What about salt? نمک چقدر؟"},
        {"role": "assistant", "content": "کمتر از ۵ گرم در روز."},
        {"role": "user", "content": "ممنون «دکتر»!"},
    ],
    [{"role": "user", "content": "بدون پیام سیستم: علائم کم‌خونی؟"}],
]


# ------------------------------------------------------------------------------------------ Go template subset
_ACTION = re.compile(r"\{\{(-\s)?\s*(.*?)\s*(\s-)?\}\}", re.S)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')


def _value(token: str, dot, root):
    if token.startswith('"'):
        return json.loads(token)  # Go's and JSON's escapes agree for the literals templates use
    if token == ".":
        return dot
    if token.startswith(".") or token.startswith("$."):
        value = root if token.startswith("$") else dot
        for part in token.lstrip("$").strip(".").split("."):
            value = value[part] if isinstance(value, dict) else getattr(value, part)
        return value
    raise ValueError(f"unsupported operand {token!r}")


def _pipeline(expression: str, dot, root):
    tokens = _TOKEN.findall(expression)
    if tokens[0] == "eq":
        first, *others = (_value(t, dot, root) for t in tokens[1:])
        return any(first == other for other in others)
    if len(tokens) != 1:
        raise ValueError(f"unsupported pipeline {expression!r}")
    return _value(tokens[0], dot, root)


def _parse(template: str):
    """[(kind, payload)]: ("text", str) and ("action", str), trim markers applied to the neighbouring text."""
    pieces, position, trim_next = [], 0, False
    for match in _ACTION.finditer(template):
        text = template[position:match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        pieces.append(("text", text))
        pieces.append(("action", match.group(2)))
        trim_next, position = bool(match.group(3)), match.end()
    tail = template[position:]
    pieces.append(("text", tail.lstrip() if trim_next else tail))
    return _tree(iter(pieces))[0]


def _tree(pieces):
    """Nested blocks until ``end``/``else``: returns (nodes, the closing action)."""
    nodes = []
    for kind, payload in pieces:
        if kind == "text":
            nodes.append(("text", payload))
            continue
        word = payload.split(None, 1)[0] if payload else ""
        if word in ("end", "else"):
            return nodes, payload
        if word in ("if", "range"):
            body, closing = _tree(pieces)
            branches = [(payload.split(None, 1)[1], body)]
            while closing.startswith("else"):
                rest = closing[len("else"):].strip()
                condition = rest[len("if"):].strip() if rest.startswith("if ") else None
                if rest and condition is None:
                    raise ValueError(f"unsupported action {{{{ {closing} }}}}")
                body, closing = _tree(pieces)
                branches.append((condition, body))
            nodes.append((word, branches))
            continue
        if word.startswith("."):
            nodes.append(("value", payload))
            continue
        raise ValueError(f"unsupported action {{{{ {payload} }}}}")
    return nodes, None


def _render(nodes, dot, root) -> str:
    out = []
    for kind, payload in nodes:
        if kind == "text":
            out.append(payload)
        elif kind == "value":
            out.append(str(_pipeline(payload, dot, root)))
        elif kind == "if":
            for condition, body in payload:
                if condition is None or _pipeline(condition, dot, root):
                    out.append(_render(body, dot, root))
                    break
        else:  # range
            (expression, body), *otherwise = payload
            items = _pipeline(expression, dot, root)
            for item in items:
                out.append(_render(body, item, root))
            if not items and otherwise:
                out.append(_render(otherwise[0][1], dot, root))
    return "".join(out)


def render_go_template(template: str, data: dict) -> str:
    return _render(_parse(template), data, data)


def ollama_data(messages: list[dict]) -> dict:
    """What Ollama passes its template: ``.System`` (the conversation's system message) and ``.Messages``."""
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    return {"System": system, "Messages": [{"Role": m["role"], "Content": m["content"]} for m in messages]}


def test_the_go_subset_follows_go_semantics():
    template = '{{- if .A }}a{{ else if eq .B "x" "y" }}b{{ else }}c{{ end -}}  \n{{ range .L }}[{{ .N }}]{{ end }}'
    assert render_go_template(template, {"A": "", "B": "y", "L": [{"N": 1}, {"N": 2}]}) == "b[1][2]"
    assert render_go_template(template, {"A": "1", "B": "", "L": []}) == "a"
    with pytest.raises(ValueError, match="unsupported"):
        render_go_template("{{ printf .A }}", {"A": 1})


# ------------------------------------------------------------------------------------------ the comparisons
@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


@pytest.mark.parametrize("index", range(len(CONVERSATIONS)))
def test_ollama_template_renders_the_hf_prompt(tokenizer, index):
    messages = CONVERSATIONS[index]
    expected = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    # llama.cpp adds BOS itself (tokenizer.ggml.add_bos_token); the Go template renders everything after it.
    assert expected == tokenizer.bos_token + render_go_template(OLLAMA_TEMPLATE, ollama_data(messages))


@needs_llama_cpp
def test_gguf_template_renders_the_hf_prompt_in_jinja_and_in_llama_cpp(tiny_f16, tokenizer):
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    from hub_tools.export.check import render_chat_llama_cpp

    llm = Llama(model_path=str(tiny_f16), n_ctx=256, verbose=False)
    try:
        stored = llm.metadata["tokenizer.chat_template"]
        formatter = Jinja2ChatFormatter(stored, eos_token="<|END_OF_TURN_TOKEN|>", bos_token=tokenizer.bos_token)
        for messages in CONVERSATIONS:
            expected = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            assert formatter(messages=messages).prompt == expected  # LM Studio, llama-cpp-python's chat API
            assert tokenizer.bos_token + render_chat_llama_cpp(llm, messages) == expected  # llama.cpp, Ollama w/o template
    finally:
        llm.close()
