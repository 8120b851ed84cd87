"""`gaokerena merge`: fold LoRA adapters into their base model, save it sharded, and prove the logits did not move.

    gaokerena merge --base CohereForAI/aya-expanse-8b --adapter artifacts/gaokerena-v1/cpt \
        --out artifacts/gaokerena-v1/cpt-merged
    gaokerena merge --base artifacts/tiny-aya --adapter artifacts/tiny/cpt --out artifacts/tiny/cpt-merged \
        --max-shard-size 200KB

The merge runs in the base model's dtype (``--dtype`` overrides). Before saving, the logits of base + adapter (PEFT,
unmerged) and of the merged model are compared on sample chat prompts; after saving, the reloaded model is compared
with the merged one. The run exits non-zero when a difference exceeds the tolerance (atol + rtol * max |logit|, by
dtype). A quantized (bitsandbytes 4-bit or 8-bit) base is refused: merging into rounded weights bakes the rounding in.
aya ties ``lm_head`` to ``embed_tokens``; an adapter touching either is refused, and the merged model is checked to
still tie them once saved and reloaded. The output gets the tokenizer with its chat template, a generation config
whose EOS is ``<|END_OF_TURN_TOKEN|>``, and merge_metadata.json (SCHEMAS.md §2).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from hub_tools.aya import AYA_EXPANSE_CHAT_TEMPLATE, TIED_MODULES, token_ids
from training import metadata


logger = logging.getLogger(__name__)

#: (atol, rtol) by dtype; the bound is atol + rtol * max |reference logit|. 16-bit logits cannot be closer than an ulp.
TOLERANCES = {"float32": (1e-4, 1e-5), "float16": (1e-2, 1e-2), "bfloat16": (1e-2, 2e-2)}

#: Persian medical chat prompts for the logit check (a system turn is included to exercise the whole template).
SAMPLE_PROMPTS = [
    [{"role": "user", "content": "علائم دیابت نوع دو چیست؟"}],
    [{"role": "system", "content": "شما یک دستیار پزشکی هستید."}, {"role": "user", "content": "درمان میگرن چیست؟"}],
    [{"role": "user", "content": "آیا فشار خون بالا خطرناک است؟"}],
    [{"role": "user", "content": "برای کم‌خونی فقر آهن چه بخورم؟"}],
    [{"role": "user", "content": "سلام دکتر، سه روز است تب دارم. چه کنم؟"}],
    [{"role": "user", "content": "عوارض داروی متفورمین چیست؟"}],
    [{"role": "user", "content": "چگونه از سنگ کلیه پیشگیری کنم؟"}],
    [{"role": "user", "content": "What are the symptoms of asthma?"}],
]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaokerena merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="base model: Hub id or local folder (full precision)")
    parser.add_argument(
        "--adapter", required=True, action="append", help="LoRA adapter folder or Hub id (repeat to merge in order)"
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder for the merged model")
    parser.add_argument("--max-shard-size", default="2GB", help="safetensors shard size (default 2GB)")
    parser.add_argument("--verify-prompts", type=int, default=4, help="sample prompts for the logit check (0: skip)")
    parser.add_argument("--dtype", default="auto", choices=["auto", *TOLERANCES], help="merge dtype (auto: base's)")
    parser.add_argument("--tolerance", type=float, default=None, help="absolute bound on the logit difference")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda when available)")
    parser.add_argument("--revision", default=None, help="revision of the base model on the Hub")
    return parser


def refuse_quantized_base(config) -> None:
    """Raise ``ValueError`` for a bitsandbytes-quantized (4-bit or 8-bit) base model."""
    quantization = getattr(config, "quantization_config", None)
    if quantization is None:
        return
    quantization = quantization if isinstance(quantization, dict) else quantization.to_dict()
    bits = (
        "4-bit" if quantization.get("load_in_4bit") else "8-bit" if quantization.get("load_in_8bit") else "quantized"
    )
    raise ValueError(
        f"the base model is {bits} ({quantization.get('quant_method', 'unknown method')}): merging a LoRA adapter "
        "into quantized weights bakes the rounding into the result. Merge into the full-precision base (e.g. "
        "CohereForAI/aya-expanse-8b in bfloat16/float16), even when the adapter was trained with QLoRA."
    )


def check_adapter(adapter: str, tied: bool) -> dict:
    """The adapter's config; refuses adapters that touch the tied embeddings."""
    from peft import PeftConfig

    config = PeftConfig.from_pretrained(adapter)
    targets = config.target_modules if not isinstance(config.target_modules, str) else [config.target_modules]
    touched = sorted(
        {name for name in list(targets or []) + list(config.modules_to_save or []) if name in TIED_MODULES}
    )
    if getattr(config, "trainable_token_indices", None):
        touched.append("trainable_token_indices")
    if touched and tied:
        raise ValueError(
            f"adapter {adapter} trains {touched}, but the base ties lm_head to embed_tokens: the merged model could "
            "not keep them tied. Train adapters on the attention and MLP projections only."
        )
    return config.to_dict()


def _tolerance(dtype: str, reference_scale: float, override: float | None) -> float:
    if override is not None:
        return override
    atol, rtol = TOLERANCES[dtype]
    return atol + rtol * reference_scale


def _prompt_ids(tokenizer, count: int):
    prompts = [SAMPLE_PROMPTS[i % len(SAMPLE_PROMPTS)] for i in range(count)]
    return [
        tokenizer.apply_chat_template(p, add_generation_prompt=True, return_tensors="pt", return_dict=True)[
            "input_ids"
        ]
        for p in prompts
    ]


def _logits(model, prompt_ids) -> list:
    import torch

    device = next(model.parameters()).device
    with torch.inference_mode():
        return [model(input_ids=ids.to(device)).logits.float().cpu() for ids in prompt_ids]


def _max_diff(first: list, second: list) -> float:
    return max((float((a - b).abs().max()) for a, b in zip(first, second, strict=True)), default=0.0)


def _is_tied(model) -> bool:
    return model.get_output_embeddings().weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()


def load_tokenizer(base: str, adapters: list[str], revision: str | None):
    """The last adapter's tokenizer when it saved one (it is the base's), else the base's; ensures a chat template."""
    from transformers import AutoTokenizer

    source = next((a for a in reversed(adapters) if (Path(a) / "tokenizer_config.json").is_file()), None)
    tokenizer = (
        AutoTokenizer.from_pretrained(source) if source else AutoTokenizer.from_pretrained(base, revision=revision)
    )
    if not tokenizer.chat_template:
        logger.warning("the tokenizer has no chat template: writing aya-expanse's")
        tokenizer.chat_template = AYA_EXPANSE_CHAT_TEMPLATE
    return tokenizer


def set_generation_config(model, tokenizer) -> None:
    """EOS = <|END_OF_TURN_TOKEN|> (aya's end of a chatbot turn), BOS and PAD from the tokenizer."""
    ids = token_ids(tokenizer)  # an AyaTokenError (a ValueError) names a missing token: not an aya / Cohere base
    config = model.generation_config
    config.eos_token_id = ids.end_of_turn
    config.bos_token_id = ids.bos
    config.pad_token_id = ids.pad
    model.config.eos_token_id = ids.end_of_turn


def merge_adapters(base, adapters, out_dir, *, max_shard_size="2GB", verify_prompts=4, dtype="auto",
                   tolerance=None, device=None, revision=None) -> dict:  # fmt: skip
    """Merge ``adapters`` (in order) into ``base``, save to ``out_dir``; returns merge_metadata.json's content."""
    import torch
    from peft import PeftModel
    from transformers import AutoConfig, AutoModelForCausalLM

    started = time.perf_counter()
    config = AutoConfig.from_pretrained(base, revision=revision)
    refuse_quantized_base(config)
    tied = bool(getattr(config, "tie_word_embeddings", False))
    adapter_configs = [check_adapter(adapter, tied) for adapter in adapters]
    if dtype == "auto":
        dtype = str(getattr(config, "dtype", None) or "float32").replace("torch.", "")
        dtype = dtype if dtype in TOLERANCES else "float32"
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = load_tokenizer(base, adapters, revision)
    model = AutoModelForCausalLM.from_pretrained(base, revision=revision, dtype=getattr(torch, dtype)).to(device)
    model.eval()
    prompt_ids = _prompt_ids(tokenizer, verify_prompts)

    diffs, bounds, agreement = [], [], []
    for adapter in adapters:
        model = PeftModel.from_pretrained(model, adapter).eval()
        reference = _logits(model, prompt_ids)
        model = model.merge_and_unload()
        merged = _logits(model, prompt_ids)
        diffs.append(_max_diff(reference, merged))
        scale = max((float(r.abs().max()) for r in reference), default=0.0)
        bounds.append(_tolerance(dtype, scale, tolerance))
        agreement += [
            float((r.argmax(-1) == m.argmax(-1)).float().mean()) for r, m in zip(reference, merged, strict=True)
        ]
        logger.info("merged %s: max |logit diff| %.3g (bound %.3g)", adapter, diffs[-1], bounds[-1])
    if tied and not _is_tied(model):
        raise RuntimeError(
            "merging untied lm_head from embed_tokens: refusing to save a model that differs from aya's layout"
        )

    set_generation_config(model, tokenizer)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, max_shard_size=max_shard_size)
    tokenizer.save_pretrained(out_dir)
    reload_diff, reload_tied = _reload_check(out_dir, dtype, device, prompt_ids, merged if prompt_ids else [])
    within = all(d <= b for d, b in zip(diffs, bounds, strict=True)) and reload_diff <= min(bounds, default=0)
    verified = bool(prompt_ids) and within
    result = {
        "base_model": base,
        "adapters": list(adapters),
        "dtype": dtype,
        "max_abs_logit_diff": max(diffs, default=None) if prompt_ids else None,
        "verified": verified and (reload_tied or not tied),
        "tolerance": min(bounds, default=None) if prompt_ids else None,
        "reload_max_abs_logit_diff": reload_diff if prompt_ids else None,
        "top1_agreement": min(agreement, default=None),
        "verify_prompts": len(prompt_ids),
        "tie_word_embeddings": tied,
        "ties_preserved": reload_tied if tied else None,
        "max_shard_size": max_shard_size,
        "adapter_configs": metadata.jsonable(adapter_configs),
        "versions": metadata.versions(),
        "git_commit": metadata.git_commit(),
        "wall_time_s": round(time.perf_counter() - started, 3),
    }
    metadata.write_json(out_dir / "merge_metadata.json", result)
    return result


def _reload_check(out_dir: Path, dtype: str, device: str, prompt_ids, merged_logits) -> tuple[float, bool]:
    """Reload the saved model: the logits must match the in-memory merged model's, and the embeddings still tie."""
    import torch
    from transformers import AutoModelForCausalLM

    reloaded = AutoModelForCausalLM.from_pretrained(out_dir, dtype=getattr(torch, dtype)).to(device).eval()
    diff = _max_diff(merged_logits, _logits(reloaded, prompt_ids)) if prompt_ids else 0.0
    tied = _is_tied(reloaded)
    del reloaded
    return diff, tied


def main(argv: list[str] | None = None) -> int:
    """Run the merge; exit 1 when the logit check fails, 2 on a refused input."""
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        result = merge_adapters(
            args.base, args.adapter, args.out, max_shard_size=args.max_shard_size, verify_prompts=args.verify_prompts,
            dtype=args.dtype, tolerance=args.tolerance, device=args.device, revision=args.revision,
        )  # fmt: skip
    except ValueError as error:
        print(f"gaokerena merge: {error}", file=sys.stderr)
        return 2
    print(json.dumps({k: result[k] for k in ("dtype", "max_abs_logit_diff", "tolerance", "verified")}))
    if args.verify_prompts > 0 and not result["verified"]:
        print(
            f"gaokerena merge: verification FAILED: max |logit diff| {result['max_abs_logit_diff']} > "
            f"{result['tolerance']} (or the reloaded model differs / lost its tied embeddings)",
            file=sys.stderr,
        )
        return 1
    print(f"merged model written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
