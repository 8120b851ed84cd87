"""`gaokerena export gguf`: GGUF files of a model for llama.cpp, Ollama and LM Studio, checked by llama.cpp.

    gaokerena export gguf --model artifacts/merged/sft --out artifacts/gguf --quant f16 q8_0 q5_k_m q4_k_m --verify
    gaokerena export gguf --model gaokerena/gaokerena-v1 --revision v1.0 --out gguf/ --name gaokerena-v1

    gaokerena export calibration --train artifacts/datasets/corpus artifacts/datasets/mf3qa --held-out ... \
        --out artifacts/calibration/calibration.txt --eval-from artifacts/datasets/mf3qa --eval-out eval.txt
    gaokerena export gguf --model artifacts/merged/sft --out artifacts/gguf --quant f16 q8_0 q6_k q5_k_m q4_k_m \
        iq4_xs --imatrix artifacts/calibration/calibration.txt --measure eval.txt

``--model`` is a local folder or a Hub repo id (downloaded at ``--revision`` from ``HF_ENDPOINT``). One file per
quant, ``<name>-<QUANT>.gguf``. ``--verify`` then loads every file in llama.cpp and prints the tokenization,
next-token agreement and chat-template figures against transformers. ``--imatrix CALIB`` computes an importance
matrix on the calibration text with llama.cpp's ``llama-imatrix`` (``make llama-tools``) and makes the quants it
changes with ``llama-quantize --imatrix`` (:mod:`hub_tools.export.llama_tools`). ``--measure EVALTEXT`` scores
every file against F16 on that text (KL divergence, top-1 agreement, perplexity; :mod:`hub_tools.export.quality`)
into ``quality.json``; with ``--imatrix`` the same quants are also made and measured without it (in ``plain/``),
so the card shows both. Exit status: 0 done (and verified), 1 a verification failed, 2 bad input (unsupported
architecture, unknown quant, missing files or tools).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def make_parser() -> argparse.ArgumentParser:
    from hub_tools.export.quants import DEFAULT_QUANTS, QUANT_TYPES

    parser = argparse.ArgumentParser(prog="gaokerena export", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gguf = commands.add_parser("gguf", help="convert to GGUF (F16 + llama.cpp quants) and optionally verify")
    gguf.add_argument("--model", required=True, help="model folder, or a Hub repo id")
    gguf.add_argument("--revision", default=None, help="Hub revision when --model is a repo id (default: main)")
    gguf.add_argument("--out", required=True, type=Path, help="folder the .gguf files are written to")
    gguf.add_argument("--quant", nargs="+", default=list(DEFAULT_QUANTS), metavar="QUANT",
                      help=f"quant types, from: {' '.join(QUANT_TYPES)} (default: {' '.join(DEFAULT_QUANTS)})")
    gguf.add_argument("--name", default=None, help="file name prefix (default: the model folder or repo name)")
    gguf.add_argument("--verify", action="store_true", help="check every file with llama.cpp against transformers")
    gguf.add_argument("--threads", type=int, default=None,
                      help="llama.cpp threads, and torch's for --verify's reference (default: all cores)")
    gguf.add_argument("--imatrix", type=Path, default=None, metavar="CALIB",
                      help="calibration text (`gaokerena export calibration`): quantize with an importance matrix")
    gguf.add_argument("--imatrix-ctx", type=int, default=512, help="tokens per imatrix chunk (default 512)")
    gguf.add_argument("--imatrix-chunks", type=int, default=-1, help="imatrix chunks to use (default: all)")
    gguf.add_argument("--llama-tools", type=Path, default=None,
                      help="folder holding llama-imatrix and llama-quantize (default: `make llama-tools`'s, PATH)")
    gguf.add_argument("--measure", type=Path, default=None, metavar="EVALTEXT",
                      help="held-out text: KL divergence, top-1 and perplexity of every file against F16")
    gguf.add_argument("--measure-ctx", type=int, default=None, help="tokens per scored window (default 512)")
    gguf.add_argument("--measure-tokens", type=int, default=None, help="tokens of the text scored (default 4096)")
    calibration = commands.add_parser("calibration", help="the imatrix calibration text, proven free of eval rows")
    from hub_tools.export.calibration import add_arguments

    add_arguments(calibration)
    return parser


def resolve_model(model: str, revision: str | None) -> Path:
    """A local folder as is; otherwise the Hub repo's config, tokenizer and safetensors files at ``revision``."""
    path = Path(model).expanduser()
    if path.is_dir():
        if revision:
            raise ValueError(f"--revision applies to a Hub repo id, but {model} is a local folder")
        return path
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.jinja", "tokenizer*", "*.txt"]
    return Path(snapshot_download(model, revision=revision, allow_patterns=patterns))


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if args.command == "calibration":
        from hub_tools.export.calibration import run

        return run(args)
    from huggingface_hub.errors import HfHubHTTPError

    from hub_tools.export.gguf import export_gguf, read_config
    from hub_tools.export.quants import GGUFExportError, file_type
    from hub_tools.export.llama_tools import LlamaTools

    try:
        for quant in args.quant:
            file_type(quant.lower())
        for path, what in ((args.imatrix, "calibration text"), (args.measure, "evaluation text")):
            if path is not None and not path.is_file():
                raise FileNotFoundError(f"{what} {path} does not exist")
        tools = LlamaTools.find(args.llama_tools) if args.imatrix else None
        model_dir = resolve_model(args.model, args.revision)
        read_config(model_dir)
    except (GGUFExportError, ValueError, FileNotFoundError, HfHubHTTPError) as error:
        print(f"gaokerena export gguf: {error}", file=sys.stderr)
        return 2
    name = args.name or Path(args.model.rstrip("/")).name
    measuring = args.measure is not None
    try:
        exported = export_gguf(model_dir, args.out, args.quant, name=name, threads=args.threads,
                               calibration=args.imatrix, imatrix_ctx=args.imatrix_ctx,
                               imatrix_chunks=args.imatrix_chunks, tools=tools, plain_too=measuring,
                               keep_f16=measuring)  # fmt: skip
    except GGUFExportError as error:
        print(f"gaokerena export gguf: {error}", file=sys.stderr)
        return 2
    for item in exported:
        print(f"{item.path}  {item.size / 1024**2:,.1f} MB  ({item.seconds:.1f} s){'  imatrix' if item.imatrix else ''}")
    if measuring:
        exported = measure_files(exported, args, asked_f16="f16" in [q.lower() for q in args.quant])
    if not args.verify:
        return 0
    return verify_files([item.path for item in exported if item.path.parent == args.out], model_dir,
                        threads=args.threads)  # fmt: skip


def measure_files(exported, args, *, asked_f16: bool):
    """Score every file against the F16 one (``quality.json`` in ``--out``, a table on stdout); then remove the
    F16 file if it was not asked for, and the plain comparison files. Returns the files that stay."""
    import shutil

    from hub_tools.export.quants import quant_label
    from hub_tools.export.quality import DEFAULT_CTX, DEFAULT_MAX_TOKENS, QUALITY_FILE, measure_quality, write_quality

    f16 = next(item for item in exported if item.quant == "f16")
    others = [(item.path, quant_label(item.quant), item.imatrix) for item in exported if item.quant != "f16"]
    report = measure_quality(f16.path, others, args.measure, ctx=args.measure_ctx or DEFAULT_CTX,
                             max_tokens=args.measure_tokens or DEFAULT_MAX_TOKENS, threads=args.threads)  # fmt: skip
    write_quality(report, args.out / QUALITY_FILE)
    print(f"quality on {report.eval_text['name']} ({report.files[0].positions} positions), against F16:")
    for row in report.files:
        print(f"  {row.quant:8} {'imatrix' if row.imatrix else 'plain  '}  KLD {row.mean_kld:.5f}  "
              f"top-1 {row.top1:.3f}  PPL {row.perplexity:.3f}  ({row.tokens_per_second:,.0f} tok/s)")
    shutil.rmtree(args.out / "plain", ignore_errors=True)
    kept = [item for item in exported if item.path.parent == args.out]
    if not asked_f16:
        f16.path.unlink()
        kept = [item for item in kept if item.quant != "f16"]
    return kept


def verify_files(paths: list[Path], model_dir: Path, *, threads: int | None = None) -> int:
    """Print the llama.cpp figures for each file; 1 if any tokenization or template differs."""
    from hub_tools.export.check import check_gguf, load_reference, reference_logits

    if threads:
        import torch

        torch.set_num_threads(threads)
    tokenizer, model = load_reference(model_dir)
    reference = (tokenizer, reference_logits(tokenizer, model))
    del model
    status = 0
    for path in paths:
        report = check_gguf(path, reference=reference, threads=threads)
        print(report.summary())
        for mismatch in report.mismatches:
            print(f"    {mismatch}")
        if not (report.tokenization_ok and report.template_matches):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
