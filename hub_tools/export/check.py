"""Check a GGUF file with llama.cpp itself (through llama-cpp-python) against the transformers model it came from.

    report = check_gguf(Path("out/gaokerena-v1-Q8_0.gguf"), Path("artifacts/merged/sft"))
    print(report.summary())

Three figures, the ones ``gaokerena export gguf --verify`` prints:

- tokenization: llama.cpp's tokenizer gives exactly the HF tokenizer's ids on each Persian (and mixed) sample text;
- next-token agreement: teacher-forced over the sample texts, the share of positions where llama.cpp's argmax
  equals transformers' argmax, and the relative logit error (mean |llama.cpp - transformers| / mean
  |transformers| over every logit), which also sees what argmax cannot (a wrong ``logit_scale``, a randomly
  initialised model whose argmax is mostly the input token);
- chat template: llama.cpp's chat-template engine, given the template stored in the file, renders the same
  token ids as ``tokenizer.apply_chat_template``.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


#: Texts the checks run on: Persian medical prose, Persian and Latin digits, ZWNJ, punctuation, English, newlines.
SAMPLE_TEXTS = (
    "علائم کم‌خونی فقر آهن چیست و چه آزمایش‌هایی برای تشخیص آن لازم است؟",
    "بیمار ۴۵ ساله با فشار خون ۱۴۰/۹۰ میلی‌متر جیوه و قند ناشتای 126 mg/dL مراجعه کرده است.",
    "سرماخوردگی معمولاً خودبه‌خود بهبود می‌یابد؛ استراحت، مایعات کافی و استامینوفن (در صورت تب) کمک می‌کنند.",
    "What is the first-line treatment for uncomplicated hypertension? پاسخ را به فارسی بده.",
    "دیابت نوع ۱ و نوع ۲:\n- نوع ۱: کمبود انسولین\n- نوع ۲: مقاومت به انسولین\n\nبا پزشک مشورت کنید!",
    "  فاصله‌های   اضافی، «گیومه» و علامت‌های ،؛؟ … ",
)

#: A conversation with every role, as the Space sends it.
SAMPLE_CHAT = (
    {"role": "system", "content": "تو یک دستیار پزشکی فارسی‌زبان هستی."},
    {"role": "user", "content": "سلام، سردرد دارم."},
    {"role": "assistant", "content": "چه مدت است که سردرد دارید؟"},
    {"role": "user", "content": "از دیروز، همراه با تب."},
)


@dataclass
class GGUFCheck:
    """What llama.cpp did with one GGUF file, against transformers."""

    path: Path
    texts_matching: int = 0
    texts: int = 0
    agreeing_positions: int = 0
    positions: int = 0
    template_matches: bool = False
    logit_errors: list[float] = field(default_factory=list)  # per text
    mismatches: list[str] = field(default_factory=list)

    @property
    def tokenization_ok(self) -> bool:
        return self.texts > 0 and self.texts_matching == self.texts

    @property
    def relative_logit_error(self) -> float:
        return sum(self.logit_errors) / len(self.logit_errors) if self.logit_errors else float("inf")

    @property
    def agreement(self) -> float:
        return self.agreeing_positions / self.positions if self.positions else 0.0

    def summary(self) -> str:
        return (
            f"{self.path.name}: tokenization {self.texts_matching}/{self.texts} texts identical; "
            f"next-token argmax agrees on {self.agreement:.1%} of {self.positions} positions "
            f"(relative logit error {self.relative_logit_error:.4f}); "
            f"chat template {'renders the same ids' if self.template_matches else 'DIFFERS'}"
        )


def load_reference(model_dir: Path):
    """(tokenizer, model) from transformers, in the checkpoint's own dtype, on the CPU, in eval mode."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype="auto")
    model.eval()
    return tokenizer, model


def reference_logits(tokenizer, model, texts=SAMPLE_TEXTS) -> list[tuple[list[int], "np.ndarray"]]:
    """Per text: (HF token ids with BOS, transformers' float32 logits at each position)."""
    import torch

    out = []
    for text in texts:
        ids = tokenizer(text)["input_ids"]
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0]
        out.append((ids, logits.float().numpy()))
    return out


def check_gguf(path: Path, model_dir: Path | None = None, *, reference=None, threads: int | None = None) -> GGUFCheck:
    """Run the three checks on ``path``. ``reference`` = (tokenizer, reference_logits(...)) saves reloading the
    transformers model when several files are checked; otherwise it is loaded from ``model_dir``."""
    from llama_cpp import Llama

    if reference is None:
        tokenizer, model = load_reference(model_dir)
        reference = (tokenizer, reference_logits(tokenizer, model))
        del model
    tokenizer, expected = reference
    report = GGUFCheck(Path(path))
    n_ctx = max(len(ids) for ids, _ in expected) + 16
    llm = Llama(model_path=str(path), n_ctx=max(n_ctx, 256), logits_all=True, verbose=False,
                n_threads=threads or os.cpu_count() or 1)  # fmt: skip
    try:
        for text, (ids, hf_logits) in zip(SAMPLE_TEXTS, expected):
            ll_ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
            report.texts += 1
            if ll_ids == ids:
                report.texts_matching += 1
            else:
                report.mismatches.append(f"tokens of {text[:30]!r}: llama.cpp {ll_ids[:12]}… vs HF {ids[:12]}…")
            llm.reset()
            llm.eval(ids)
            ll_logits = np.asarray(llm.scores[: len(ids)], dtype=np.float32)
            report.positions += len(ids)
            report.agreeing_positions += int((ll_logits.argmax(-1) == hf_logits.argmax(-1)).sum())
            scale = float(np.abs(hf_logits).mean()) or 1.0
            report.logit_errors.append(float(np.abs(ll_logits - hf_logits).mean()) / scale)
        report.template_matches = _template_matches(llm, tokenizer, report)
    finally:
        llm.close()
    return report


def render_chat_llama_cpp(llm, messages, *, add_generation_prompt: bool = True) -> str:
    """The prompt llama.cpp's chat-template engine renders from the template stored in the GGUF file."""
    import llama_cpp

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        raise ValueError("the GGUF file has no tokenizer.chat_template")
    encoded = [(m["role"].encode("utf-8"), m["content"].encode("utf-8")) for m in messages]
    chat = (llama_cpp.llama_chat_message * len(encoded))()
    for slot, (role, content) in zip(chat, encoded):
        slot.role, slot.content = role, content
    size = 4 * sum(len(r) + len(c) for r, c in encoded) + 1024
    buffer = ctypes.create_string_buffer(size)
    written = llama_cpp.llama_chat_apply_template(template.encode("utf-8"), chat, len(encoded),
                                                  add_generation_prompt, buffer, size)  # fmt: skip
    if written < 0:
        raise ValueError("llama.cpp does not recognise the chat template stored in the GGUF file")
    return buffer.raw[:written].decode("utf-8")


def _template_matches(llm, tokenizer, report: GGUFCheck) -> bool:
    messages = list(SAMPLE_CHAT)
    expected = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False)
    rendered = render_chat_llama_cpp(llm, messages)
    got = llm.tokenize(rendered.encode("utf-8"), add_bos=True, special=True)
    if got != list(expected):
        report.mismatches.append(f"chat template: llama.cpp renders {rendered!r}")
        return False
    return True
