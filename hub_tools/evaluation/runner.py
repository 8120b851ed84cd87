"""Model side of the evaluators: loading (merged model or base + PEFT adapter), batched greedy generation and
batched next-token log-probabilities.

Both batch loops sort the inputs by token length (longest first, so an out-of-memory error shows up in the first
batch) and pad on the left; results come back in input order. Left padding + explicit ``position_ids`` make a
padded row score exactly like the same row alone (tests check it).
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hub_tools.aya import end_of_turn_id

logger = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    model: object
    tokenizer: object
    device: str
    dtype: str
    model_path: str
    revision: str | None
    adapter: str | None
    eos_token_ids: list[int]
    pad_token_id: int
    load_seconds: float


def _pick_device(device: str | None) -> str:
    import torch

    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def _pick_dtype(dtype: str, device: str):
    import torch

    if dtype == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]


def load_model(
    model: str,
    *,
    revision: str | None = None,
    adapter: str | None = None,
    adapter_revision: str | None = None,
    dtype: str = "auto",
    device: str | None = None,
) -> LoadedModel:
    """Load a causal LM (local folder or Hub id) and, if given, a PEFT adapter on top; eval mode, no grad."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    start = time.perf_counter()
    device = _pick_device(device)
    torch_dtype = _pick_dtype(dtype, device)
    kwargs = {"revision": revision} if revision else {}
    lm = AutoModelForCausalLM.from_pretrained(model, dtype=torch_dtype, **kwargs)
    tokenizer_source, tok_kwargs = model, dict(kwargs)
    if adapter:
        from peft import PeftModel

        akw = {"revision": adapter_revision} if adapter_revision else {}
        lm = PeftModel.from_pretrained(lm, adapter, **akw)
        if (Path(adapter) / "tokenizer_config.json").is_file():
            tokenizer_source, tok_kwargs = adapter, {}
    lm.to(device)
    lm.eval()
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source, **tok_kwargs)
    eos = set()
    gen_eos = getattr(getattr(lm, "generation_config", None), "eos_token_id", None)
    for value in (gen_eos, tokenizer.eos_token_id):
        if isinstance(value, int):
            eos.add(value)
        elif value:
            eos.update(int(v) for v in value)
    end_of_turn = end_of_turn_id(tokenizer)  # None for a plain LM (a baseline): it stops on its own EOS
    if end_of_turn is not None:
        eos.add(end_of_turn)
    pad = tokenizer.pad_token_id
    if pad is None:
        pad = sorted(eos)[0] if eos else 0
    return LoadedModel(
        model=lm, tokenizer=tokenizer, device=device, dtype=str(torch_dtype).replace("torch.", ""),
        model_path=model, revision=revision, adapter=adapter, eos_token_ids=sorted(eos), pad_token_id=int(pad),
        load_seconds=time.perf_counter() - start,
    )  # fmt: skip


def chat_text(tokenizer, user_text: str, assistant_prefix: str = "") -> str:
    """The chat-formatted prompt (the tokenizer's template, generation prompt added) + ``assistant_prefix``."""
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": user_text}], add_generation_prompt=True, tokenize=False
        )
    else:  # a plain LM without a template: the prompt as is
        text = user_text
    return text + assistant_prefix


def _encode(lm: LoadedModel, texts: Sequence[str]) -> list[list[int]]:
    # The chat template already holds <BOS>; for template-less tokenizers let the tokenizer add its specials.
    add_special = not getattr(lm.tokenizer, "chat_template", None)
    return [lm.tokenizer(text, add_special_tokens=add_special)["input_ids"] for text in texts]


def _batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), max(1, batch_size))]


def _left_pad(lm: LoadedModel, rows: list[list[int]]):
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), lm.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, width - len(row) :] = torch.tensor(row, dtype=torch.long)
        mask[i, width - len(row) :] = 1
    return ids.to(lm.device), mask.to(lm.device)


def generate(
    lm: LoadedModel,
    prompts: Sequence[str],
    *,
    max_new_tokens: int = 512,
    batch_size: int = 8,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """Greedy completions of chat-formatted ``prompts`` (the new text only, special tokens dropped)."""
    import torch
    from transformers import GenerationConfig

    encoded = _encode(lm, prompts)
    outputs: list[str] = [""] * len(prompts)
    config = GenerationConfig(
        max_new_tokens=max_new_tokens, do_sample=False, num_beams=1,
        eos_token_id=lm.eos_token_ids or None, pad_token_id=lm.pad_token_id,
    )  # fmt: skip
    for batch in _batches([len(e) for e in encoded], batch_size):
        ids, mask = _left_pad(lm, [encoded[i] for i in batch])
        with torch.inference_mode():
            out = lm.model.generate(input_ids=ids, attention_mask=mask, generation_config=config)
        new = out[:, ids.shape[1] :].tolist()
        for row, index in zip(new, batch):
            cut = next((k for k, tok in enumerate(row) if tok in lm.eos_token_ids), len(row))
            outputs[index] = lm.tokenizer.decode(row[:cut], skip_special_tokens=True)
        if progress:
            progress(len(batch))
    return outputs


#: How ``generate_answers`` runs: "continuous" is transformers' continuous batching (``generate_batch``: paged KV
#: cache, a finished row's slot refilled at once); "static" is ``generate`` above (length-sorted batches, each
#: stopping when all its rows hit end-of-turn). "auto": continuous on a CUDA device, static elsewhere (on a CPU the
#: paged cache's bookkeeping costs more than the padding it saves).
GENERATION_ENGINES = ("auto", "continuous", "static")


def generation_engine(lm: LoadedModel, engine: str = "auto") -> str:
    if engine not in GENERATION_ENGINES:
        raise ValueError(f"unknown generation engine {engine!r}: expected one of {GENERATION_ENGINES}")
    if engine == "auto":
        return "continuous" if lm.device.startswith("cuda") else "static"
    return engine


def generate_continuous(lm: LoadedModel, prompts: Sequence[str], *, max_new_tokens: int = 512) -> list[str]:
    """Greedy completions of ``prompts`` through transformers' continuous batching (``model.generate_batch``); the
    same text as ``generate`` (tests check it on the tiny model), in input order."""
    from transformers import GenerationConfig

    encoded = _encode(lm, prompts)
    config = GenerationConfig(
        max_new_tokens=max_new_tokens, do_sample=False, num_beams=1,
        eos_token_id=lm.eos_token_ids or None, pad_token_id=lm.pad_token_id,
    )  # fmt: skip
    results = list(lm.model.generate_batch(inputs=encoded, generation_config=config, progress_bar=False).values())
    failed = [result.error for result in results if result.error is not None]
    if len(results) != len(prompts) or failed:
        raise RuntimeError(
            f"continuous batching returned {len(results)} of {len(prompts)} completions"
            + (f"; first error: {failed[0]}" if failed else "") + ": rerun with the static engine"
        )
    outputs = []
    for result in results:
        row = list(result.generated_tokens)
        cut = next((k for k, token in enumerate(row) if token in lm.eos_token_ids), len(row))
        outputs.append(lm.tokenizer.decode(row[:cut], skip_special_tokens=True))
    return outputs


def generate_answers(
    lm: LoadedModel, prompts: Sequence[str], *, max_new_tokens: int = 512, batch_size: int = 8, engine: str = "auto"
) -> list[str]:
    """The generate protocol's completions with the chosen engine (``generation_engine``)."""
    if generation_engine(lm, engine) == "continuous":
        return generate_continuous(lm, prompts, max_new_tokens=max_new_tokens)
    return generate(lm, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size)


def letter_token_ids(tokenizer, letters: Sequence[str]) -> dict[str, list[int]]:
    """Single-token ids that spell each letter (``"A"`` and, where the tokenizer differs, ``" A"``).

    The score of a letter is the log of the total probability of its spellings, so a tokenizer whose next token
    after the prompt would be "ĠA" rather than "A" is scored correctly either way.
    """
    out: dict[str, list[int]] = {}
    for letter in letters:
        ids: list[int] = []
        for variant in (letter, " " + letter):
            enc = tokenizer.encode(variant, add_special_tokens=False)
            if len(enc) == 1 and enc[0] not in ids:
                ids.append(enc[0])
        if not ids:
            raise ValueError(f"the tokenizer has no single token for option letter {letter!r} (nor ' {letter}')")
        out[letter] = ids
    all_ids = [i for ids in out.values() for i in ids]
    if len(set(all_ids)) != len(all_ids):
        raise ValueError(f"option letters share token ids: {out}")
    return out


def next_token_logprobs(
    lm: LoadedModel,
    contexts: Sequence[str],
    candidates: dict[str, list[int]],
    *,
    batch_size: int = 8,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, float]]:
    """For each context, log P(next token spells letter) for every letter in ``candidates``: one forward pass each."""
    import torch

    encoded = _encode(lm, contexts)
    results: list[dict[str, float]] = [{} for _ in contexts]
    letters = list(candidates)
    index = {letter: torch.tensor(ids, dtype=torch.long, device=lm.device) for letter, ids in candidates.items()}
    for batch in _batches([len(e) for e in encoded], batch_size):
        ids, mask = _left_pad(lm, [encoded[i] for i in batch])
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        with torch.inference_mode():
            out = lm.model(input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=1)
        logprobs = torch.log_softmax(out.logits[:, -1, :].float(), dim=-1)
        scores = torch.stack([torch.logsumexp(logprobs[:, index[letter]], dim=-1) for letter in letters], dim=-1)
        for row, position in zip(scores.tolist(), batch):
            results[position] = dict(zip(letters, row))
        if progress:
            progress(len(batch))
    return results


def versions() -> dict[str, str]:
    """Library versions for the result file."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("torch", "transformers", "peft", "datasets", "huggingface-hub", "llama-cpp-python", "gaokerena-hub"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def hardware(lm: LoadedModel | None = None) -> dict:
    import os

    import torch

    info = {"device": lm.device if lm else ("cuda" if torch.cuda.is_available() else "cpu"), "cpu_count": os.cpu_count()}
    if torch.cuda.is_available():
        info["gpu_name"] = torch.cuda.get_device_name(0)
    return info
