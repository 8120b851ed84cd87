"""GGUF export and CPU inference benchmark: what a home user gets from each quant, against transformers.

    python bench/gguf_bench.py                       # the tiny aya-shaped model
    python bench/gguf_bench.py --shape 8b --workdir /big/disk --quants f16 q8_0 q4_k_m

For the model (``tiny``: ``training.tiny``; ``8b``: a randomly initialised aya-expanse-8b-shaped
``CohereForCausalLM``, written shard by shard in bf16 so it never sits in memory whole), in one run:

- export: seconds per file (F16 by the ``gguf`` writer, every other quant by llama.cpp's quantizer from the F16
  file) and each file's size against the safetensors checkpoint (bf16 for 8b, float32 for the tiny model);
- llama.cpp on the CPU (llama-cpp-python, all cores): prompt tokens/s and generation tokens/s for each file;
- transformers on the CPU, same prompt, greedy, same number of new tokens: prompt and generation tokens/s, and the
  ratio llama.cpp / transformers. Model load is excluded on both sides (reported separately).

With ``--imatrix-seeds`` (default ``0 1 2`` for the tiny model), the importance-matrix study, per seed of the
calibration sample: ``gaokerena export calibration``'s sample of the bundled corpus and MF3QA train splits (built
here from the packaged samples), ``llama-imatrix`` on it (seconds), the ``--imatrix-quants`` (default Q4_K_M and
IQ4_XS) made with and without it, and every file measured against F16 on the MF3QA test answers (mean KLD, top-1,
perplexity). It prints, per quant, whether the imatrix file has the lower KLD in each seed, and the measuring
pass's tokens/s against F16's plain prompt-evaluation tokens/s measured in the same run.

The 8B shape needs about 16 GB of disk for the bf16 checkpoint plus the GGUF files (F16 16 GB, Q8_0 8.5 GB,
Q4_K_M 4.9 GB) and about 17 GB of RAM for the transformers side (bf16); ``--skip-transformers`` leaves it out.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PROMPT = ("بیمار ۴۵ ساله با سردرد، تب و گلودرد از دو روز پیش مراجعه کرده است. فشار خون ۱۲۰/۸۰ و دمای بدن ۳۸٫۵ "
          "درجه است. محتمل‌ترین تشخیص و اقدامات درمانی اولیه را توضیح دهید.")  # fmt: skip
SHARD_BYTES = 2 * 1024**3
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gaokerena"
SOURCE_FOLDERS = {"mf3qa": "MF3QA", "mmlu-fa": "MMLU_fa", "ibmsee": "IBMSEE", "kqa-fa": "KQA_fa"}


def write_random_8b(out: Path, *, seed: int = 0) -> Path:
    """A random aya-expanse-8b-shaped checkpoint in bf16 safetensors shards (~16 GB), with the tiny tokenizer."""
    import torch
    from safetensors.torch import save_file
    from transformers import CohereConfig, CohereForCausalLM

    from hub_tools.aya import AYA_EXPANSE_8B_SHAPE, BOS_TOKEN, END_OF_TURN_TOKEN, PAD_TOKEN
    from training.tiny import read_sample_texts
    from training.tiny import train_tokenizer

    out.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(read_sample_texts())
    tokenizer.save_pretrained(out)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in (PAD_TOKEN, BOS_TOKEN, END_OF_TURN_TOKEN)}
    config = CohereConfig(pad_token_id=ids[PAD_TOKEN], bos_token_id=ids[BOS_TOKEN], eos_token_id=ids[END_OF_TURN_TOKEN],
                          dtype="bfloat16", **AYA_EXPANSE_8B_SHAPE)  # fmt: skip
    config.architectures = ["CohereForCausalLM"]
    config.save_pretrained(out)
    with torch.device("meta"):
        shapes = {name: tuple(p.shape) for name, p in CohereForCausalLM(config).named_parameters()}
    # Values come from one 64 Mi-value random pool, tiled from a random offset per tensor: the speed of export,
    # quantization and inference does not depend on the values, and drawing 8 billion normals takes ~an hour here.
    generator = torch.Generator().manual_seed(seed)
    pool = (torch.randn(64 * 1024**2, generator=generator) * 0.02).to(torch.bfloat16)
    shard, shard_bytes, weight_map, index = {}, 0, {}, 0

    def flush():
        nonlocal shard, shard_bytes, index
        index += 1
        name = f"model-{index:05d}.safetensors"
        save_file(shard, str(out / name), metadata={"format": "pt"})
        weight_map.update({key: name for key in shard})
        shard, shard_bytes = {}, 0
        gc.collect()

    for name, shape in shapes.items():
        if len(shape) == 1:
            tensor = torch.ones(shape, dtype=torch.bfloat16)
        else:
            count = int(torch.tensor(shape).prod())
            offset = int(torch.randint(pool.numel(), (1,), generator=generator))
            tensor = torch.roll(pool, -offset).repeat(count // pool.numel() + 1)[:count].reshape(shape).clone()
        shard[name] = tensor
        shard_bytes += tensor.numel() * 2
        if shard_bytes >= SHARD_BYTES:
            flush()
    if shard:
        flush()
    total = sum((out / f).stat().st_size for f in set(weight_map.values()))
    (out / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=1))
    return out


def llama_cpp_speed(path: Path, prompt_ids: list[int], new_tokens: int, threads: int) -> dict:
    import numpy as np
    from llama_cpp import Llama

    start = time.perf_counter()
    llm = Llama(model_path=str(path), n_ctx=len(prompt_ids) + new_tokens + 16, n_threads=threads,
                n_threads_batch=threads, verbose=False)  # fmt: skip
    load = time.perf_counter() - start
    try:
        start = time.perf_counter()
        llm.eval(prompt_ids)
        prompt_s = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(new_tokens):
            llm.eval([int(np.argmax(llm.scores[llm.n_tokens - 1]))])
        gen_s = time.perf_counter() - start
    finally:
        llm.close()
    return {"load_s": round(load, 2), "prompt_tok_s": round(len(prompt_ids) / prompt_s, 2),
            "gen_tok_s": round(new_tokens / gen_s, 2)}  # fmt: skip


def transformers_speed(model_dir: Path, prompt_ids: list[int], new_tokens: int, threads: int) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(threads)
    start = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype="auto")
    model.eval()
    load = time.perf_counter() - start
    ids = torch.tensor([prompt_ids])
    with torch.no_grad():
        start = time.perf_counter()
        model(ids)
        prompt_s = time.perf_counter() - start
        start = time.perf_counter()
        model.generate(ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False)
        generate_s = time.perf_counter() - start
    dtype = str(next(model.parameters()).dtype).removeprefix("torch.")
    del model
    gc.collect()
    gen_s = max(generate_s - prompt_s, 1e-9)  # generate() = one prompt pass + the new tokens
    return {"dtype": dtype, "load_s": round(load, 2), "prompt_tok_s": round(len(prompt_ids) / prompt_s, 2),
            "gen_tok_s": round(new_tokens / gen_s, 2)}  # fmt: skip


def imatrix_study(model_dir: Path, workdir: Path, seeds: list[int], args) -> dict:
    """Per calibration seed: imatrix time, and KLD / top-1 / PPL of each quant with and without the imatrix."""
    from hub_tools.data.builders import BuildOptions, default_sources, get_builder
    from hub_tools.export.calibration import build_calibration, eval_answers, held_out_rows, write_calibration
    from hub_tools.export.gguf import export_gguf
    from hub_tools.export.quants import quant_label
    from hub_tools.export.llama_tools import LlamaTools
    from hub_tools.export.quality import measure_quality

    tools = LlamaTools.find()
    datasets = workdir / "datasets"
    origin = {}
    for name in ("mmlu-fa", "ibmsee", "kqa-fa", "mf3qa", "corpus"):
        real = args.data / SOURCE_FOLDERS.get(name, "-") if args.data else None
        use_real = real is not None and real.is_dir()
        origin[name] = "the authors' data" if use_real else "bundled sample"
        if not (datasets / name / "build_report.json").exists():
            get_builder(name).build([real] if use_real else default_sources(name), datasets / name, BuildOptions())
    held_out = {name: held_out_rows(datasets / name) for name in ("mf3qa", "mmlu-fa", "ibmsee", "kqa-fa")}
    eval_text = workdir / "mf3qa-test-answers.txt"
    eval_text.write_text("\n\n".join(eval_answers(datasets / "mf3qa")) + "\n", encoding="utf-8")
    runs, measure_positions, measure_seconds = [], 0, 0.0
    for seed in seeds:
        calibration = write_calibration(build_calibration([datasets / "corpus", datasets / "mf3qa"], held_out,
                                                          seed=seed), workdir / f"calibration-{seed}.txt")  # fmt: skip
        start = time.perf_counter()
        exported = export_gguf(model_dir, workdir / f"imatrix-seed{seed}", ["f16", *args.imatrix_quants],
                               name=f"study-{seed}", threads=args.threads, calibration=calibration,
                               imatrix_ctx=args.measure_ctx, tools=tools, plain_too=True, progress=False)  # fmt: skip
        export_s = time.perf_counter() - start
        f16 = exported[0].path
        others = [(item.path, quant_label(item.quant), item.imatrix) for item in exported[1:]]
        report = measure_quality(f16, others, eval_text, ctx=args.measure_ctx, max_tokens=args.measure_tokens,
                                 threads=args.threads, progress=False)  # fmt: skip
        inference_positions, inference_seconds = f16_inference(f16, eval_text, args)
        for row in report.files[1:]:
            measure_positions += row.positions
            measure_seconds += row.seconds
        run = {"seed": seed, "calibration_texts": len(calibration.read_text(encoding="utf-8").split("\n\n")),
               "export_with_imatrix_s": round(export_s, 2), "positions": report.files[0].positions,
               "files": [{"quant": r.quant, "imatrix": r.imatrix, "mean_kld": round(r.mean_kld, 6),
                          "top1": round(r.top1, 4), "perplexity": round(r.perplexity, 4)} for r in report.files]}
        runs.append(run)
        for quant in args.imatrix_quants:
            with_, without = (report.find(quant_label(quant), flag) for flag in (True, False))
            print(f"seed {seed} {quant_label(quant):7} KLD imatrix {with_.mean_kld:.5f} vs plain {without.mean_kld:.5f}"
                  f" ({'lower' if with_.mean_kld < without.mean_kld else 'NOT lower'}); top-1 {with_.top1:.3f} vs "
                  f"{without.top1:.3f}; PPL {with_.perplexity:.3f} vs {without.perplexity:.3f}", flush=True)  # fmt: skip
    verdict = {}
    for quant in args.imatrix_quants:
        label = quant_label(quant)
        pairs = [[next(f["mean_kld"] for f in run["files"] if f["quant"] == label and f["imatrix"] is flag)
                  for flag in (True, False)] for run in runs]  # fmt: skip
        verdict[label] = {"imatrix_lower_in": sum(a < b for a, b in pairs), "seeds": len(pairs),
                          "mean_kld_imatrix": round(sum(a for a, _ in pairs) / len(pairs), 6),
                          "mean_kld_plain": round(sum(b for _, b in pairs) / len(pairs), 6)}  # fmt: skip
        print(f"{label}: imatrix KLD lower in {verdict[label]['imatrix_lower_in']} of {len(pairs)} seeds")
    return {"seeds": seeds, "datasets": origin,
            "f16_inference_tok_s": round(inference_positions / inference_seconds, 1), "eval_text_answers": len(eval_answers(datasets / "mf3qa")),
            "runs": runs, "verdict": verdict,
            "measure_tok_s": round(measure_positions / measure_seconds, 1) if measure_seconds else None}  # fmt: skip


def f16_inference(f16: Path, eval_text: Path, args) -> tuple[int, float]:
    """Plain llama.cpp inference of the F16 file (no logits kept) over the measuring pass's windows: the baseline
    of its tokens/s. Returns (tokens, seconds)."""
    from llama_cpp import Llama

    from hub_tools.export.quality import score_windows

    llm = Llama(model_path=str(f16), n_ctx=args.measure_ctx, n_batch=args.measure_ctx, verbose=False,
                n_threads=args.threads, n_threads_batch=args.threads)  # fmt: skip
    try:
        tokens = llm.tokenize(eval_text.read_text(encoding="utf-8").encode("utf-8"), add_bos=False)
        windows = score_windows(tokens, llm.token_bos(), args.measure_ctx, args.measure_tokens)
        start = time.perf_counter()
        for window in windows:
            llm.reset()
            llm.eval(window)
        return sum(len(w) for w in windows), time.perf_counter() - start
    finally:
        llm.close()


def folder_bytes(folder: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in folder.glob(pattern))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=["tiny", "8b"], default="tiny")
    parser.add_argument("--model", type=Path, default=None,
                        help="an existing model folder instead of --shape's (e.g. the rehearsal's artifacts/merged/sft)")
    parser.add_argument("--quants", nargs="+", default=["f16", "q8_0", "q5_k_m", "q4_k_m"])
    parser.add_argument("--workdir", type=Path, default=None, help="where models and files go (default: a temp dir)")
    parser.add_argument("--new-tokens", type=int, default=None, help="generated tokens (default: 32 tiny, 8 for 8b)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--speed-quants", nargs="*", default=None,
                        help="quants whose llama.cpp speed is measured (default: all; for 8b all but f16)")
    parser.add_argument("--skip-transformers", action="store_true", help="no transformers baseline (RAM)")
    parser.add_argument("--keep", action="store_true", help="keep the workdir's files")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    parser.add_argument("--imatrix-seeds", nargs="*", type=int, default=None,
                        help="calibration seeds of the imatrix study (default: 0 1 2 for tiny, none for 8b)")
    parser.add_argument("--imatrix-quants", nargs="+", default=["q4_k_m", "iq4_xs"])
    parser.add_argument("--data", type=Path, default=SHARED_DATA,
                        help="the authors' data folder (MF3QA, MMLU_fa, IBMSEE, KQA_fa) for the imatrix study; "
                             "a dataset it lacks, and the corpus, come from the bundled samples")
    parser.add_argument("--measure-ctx", type=int, default=128, help="tokens per scored window (imatrix study)")
    parser.add_argument("--measure-tokens", type=int, default=4096, help="tokens scored per file (imatrix study)")
    args = parser.parse_args(argv)

    from transformers import AutoTokenizer

    from hub_tools.export.gguf import export_gguf

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gguf-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    new_tokens = args.new_tokens or (32 if args.shape == "tiny" else 8)
    figures: dict = {"shape": args.shape, "threads": args.threads, "new_tokens": new_tokens}
    if args.model and not (args.model / "config.json").is_file():
        parser.error(f"--model {args.model} is not a model folder (no config.json)")
    model_dir = args.model or workdir / f"model-{args.shape}"
    figures["model"] = str(args.model.name if args.model else f"model-{args.shape}")
    start = time.perf_counter()
    if not (model_dir / "config.json").exists():
        if args.shape == "tiny":
            from training.tiny import init_tiny

            init_tiny(model_dir)
        else:
            write_random_8b(model_dir)
    figures["write_model_s"] = round(time.perf_counter() - start, 1)
    safetensors_bytes = folder_bytes(model_dir, "*.safetensors")
    figures["safetensors_bytes"] = safetensors_bytes
    checkpoint_dtype = json.loads((model_dir / "config.json").read_text()).get("dtype", "?")  # tiny: float32
    figures["safetensors_dtype"] = checkpoint_dtype
    prompt_ids = AutoTokenizer.from_pretrained(model_dir)(PROMPT)["input_ids"]
    figures["prompt_tokens"] = len(prompt_ids)

    speed_quants = set(args.quants if args.speed_quants is None else args.speed_quants)
    if args.speed_quants is None and args.shape == "8b":
        speed_quants.discard("f16")  # 16 GB mapped on a 24 GB machine beside the others: measured on request only
    exported = export_gguf(model_dir, workdir / "gguf", args.quants, name=f"bench-{args.shape}", threads=args.threads)
    figures["files"] = {}
    for item in exported:
        row = {"export_s": round(item.seconds, 1), "bytes": item.size,
               "size_vs_safetensors": round(item.size / safetensors_bytes, 3)}  # fmt: skip
        if item.quant in speed_quants:
            row.update(llama_cpp_speed(item.path, prompt_ids, new_tokens, args.threads))
        figures["files"][item.quant] = row
        speed = (f"llama.cpp prompt {row['prompt_tok_s']:8.1f} tok/s  generation {row['gen_tok_s']:7.2f} tok/s"
                 if "gen_tok_s" in row else "speed not measured")  # fmt: skip
        print(f"{item.quant:7} export {row['export_s']:7.1f} s  {item.size / 1024**2:10,.1f} MB "
              f"({row['size_vs_safetensors']:.2f}× the {checkpoint_dtype} safetensors)  {speed}", flush=True)  # fmt: skip
    if not args.skip_transformers:
        baseline = transformers_speed(model_dir, prompt_ids, new_tokens, args.threads)
        figures["transformers"] = baseline
        print(f"transformers ({baseline['dtype']}): prompt {baseline['prompt_tok_s']:.1f} tok/s, generation "
              f"{baseline['gen_tok_s']:.2f} tok/s")  # fmt: skip
        for quant, row in figures["files"].items():
            if "gen_tok_s" not in row:
                continue
            row["prompt_ratio"] = round(row["prompt_tok_s"] / baseline["prompt_tok_s"], 2)
            row["gen_ratio"] = round(row["gen_tok_s"] / baseline["gen_tok_s"], 2)
            print(f"  {quant:7} llama.cpp / transformers: prompt ×{row['prompt_ratio']}, generation "
                  f"×{row['gen_ratio']}")  # fmt: skip
    seeds = args.imatrix_seeds if args.imatrix_seeds is not None else ([0, 1, 2] if args.shape == "tiny" else [])
    if seeds:
        figures["imatrix_study"] = study = imatrix_study(model_dir, workdir, seeds, args)
        study["measure_vs_f16_inference"] = round(study["measure_tok_s"] / study["f16_inference_tok_s"], 3)
        print(f"measuring pass (KLD, top-1, perplexity) {study['measure_tok_s']:.0f} tok/s = "
              f"×{study['measure_vs_f16_inference']} of plain F16 inference on the same windows "
              f"({study['f16_inference_tok_s']:.0f} tok/s)")  # fmt: skip
    figures["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],
                          "date_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}  # fmt: skip
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
