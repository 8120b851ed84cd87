"""The llama.cpp backend of ``gaokerena eval mc``: a GGUF file scored through llama.cpp's logits.

    gaokerena eval mc --backend llama.cpp --model artifacts/gguf/gaokerena-v1-Q4_K_M.gguf --benchmark mmlu-fa \\
        --protocol loglikelihood --dataset artifacts/datasets/mmlu-fa

The loglikelihood protocol as the transformers backend runs it (:func:`hub_tools.evaluation.mc.predict_loglikelihood`:
the paper's prompt in the chat template, the answer prefix, then the option letter whose token is most likely),
with everything taken from the GGUF file alone: the chat template stored in its metadata (rendered by
llama-cpp-python's Jinja2 formatter, as LM Studio and llama-cpp-python's chat API do), its tokenizer and its
logits. The result is marked as a quant (model type ``quantized``, the quant in the display name and the config),
so the leaderboard shows it beside the model it was made from.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class GGUFTokenizer:
    """What the protocol needs of a tokenizer, from the GGUF file: its chat template and its token ids."""

    llm: object
    chat_template: str
    bos_token: str
    eos_token: str

    def apply_chat_template(self, messages, *, add_generation_prompt: bool = True, tokenize: bool = False) -> str:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        if tokenize:
            raise ValueError("GGUFTokenizer renders text only (tokenize=False)")
        formatter = Jinja2ChatFormatter(self.chat_template, eos_token=self.eos_token, bos_token=self.bos_token,
                                        add_generation_prompt=add_generation_prompt)  # fmt: skip
        return formatter(messages=list(messages)).prompt

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_special_tokens, special=False)


@dataclass
class LlamaCppModel:
    """A GGUF file loaded in llama.cpp, shaped like :class:`hub_tools.evaluation.runner.LoadedModel` where the
    evaluators read it (``tokenizer``, ``device``, ``dtype``, ``model_path``)."""

    llm: object
    tokenizer: GGUFTokenizer
    model_path: str
    quant: str
    load_seconds: float
    device: str = "cpu"
    revision: str | None = None
    adapter: str | None = None

    @property
    def dtype(self) -> str:
        return f"gguf {self.quant}"

    def next_token_logprobs(self, contexts: Sequence[str], candidates: dict[str, list[int]]) -> list[dict[str, float]]:
        """For each context (chat text with its special tokens), log P(next token spells each letter)."""
        results = []
        for context in contexts:
            ids = self.llm.tokenize(context.encode("utf-8"), add_bos=False, special=True)
            if len(ids) >= self.llm.n_ctx():
                raise ValueError(f"a prompt of {len(ids)} tokens does not fit the context of {self.llm.n_ctx()}")
            self.llm.reset()
            self.llm.eval(ids)
            logits = np.asarray(self.llm.scores[len(ids) - 1], dtype=np.float64)
            shifted = logits - logits.max()
            logprobs = shifted - np.log(np.exp(shifted).sum())
            results.append({letter: float(np.logaddexp.reduce(logprobs[token_ids]))
                            for letter, token_ids in candidates.items()})  # fmt: skip
        return results

    def close(self) -> None:
        self.llm.close()


def quant_of(path: Path, metadata: dict) -> str:
    """The quant label of a GGUF file (``Q4_K_M``), from its name and ``general.file_type``."""
    import gguf

    from hub_tools.export.quants import quant_of_file

    ftype = gguf.LlamaFileType(int(metadata.get("general.file_type", 1))).name
    return quant_of_file(Path(path).name, ftype.removeprefix("MOSTLY_").removeprefix("ALL_"))


def load_gguf(path: str | Path, *, n_ctx: int = 2048, threads: int | None = None) -> LlamaCppModel:
    """Load ``path`` in llama.cpp; a clear error for a missing file or one without a chat template."""
    from llama_cpp import Llama

    path = Path(path)
    if not path.is_file() or path.suffix != ".gguf":
        raise FileNotFoundError(f"--backend llama.cpp needs a .gguf file as --model, got {path}")
    start = time.perf_counter()
    llm = Llama(model_path=str(path), n_ctx=n_ctx, n_batch=512, logits_all=True, verbose=False,
                n_threads=threads or os.cpu_count() or 1)  # fmt: skip
    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        llm.close()
        raise ValueError(f"{path}: the GGUF file has no tokenizer.chat_template")
    token = lambda token_id: llm.detokenize([token_id], special=True).decode("utf-8")  # noqa: E731
    tokenizer = GGUFTokenizer(llm, template, bos_token=token(llm.token_bos()), eos_token=token(llm.token_eos()))
    return LlamaCppModel(llm, tokenizer, str(path), quant_of(path, llm.metadata), time.perf_counter() - start)
