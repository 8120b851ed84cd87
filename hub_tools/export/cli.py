"""`gaokerena export gguf`: GGUF files of a model for llama.cpp, Ollama and LM Studio, checked by llama.cpp.

    gaokerena export gguf --model artifacts/merged/sft --out artifacts/gguf --quant f16 q8_0 q5_k_m q4_k_m --verify
    gaokerena export gguf --model gaokerena/gaokerena-v1 --revision v1.0 --out gguf/ --name gaokerena-v1

``--model`` is a local folder or a Hub repo id (downloaded at ``--revision`` from ``HF_ENDPOINT``). One file per
quant, ``<name>-<QUANT>.gguf``. ``--verify`` then loads every file in llama.cpp and prints the tokenization,
next-token agreement and chat-template figures against transformers. Exit status: 0 done (and verified), 1 a
verification failed, 2 bad input (unsupported architecture, unknown quant, missing files).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def make_parser() -> argparse.ArgumentParser:
    from hub_tools.export.gguf import DEFAULT_QUANTS, QUANT_TYPES

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
    gguf.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: all cores)")
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
    from huggingface_hub.errors import HfHubHTTPError

    from hub_tools.export.gguf import GGUFExportError, export_gguf, file_type, read_config

    try:
        for quant in args.quant:
            file_type(quant.lower())
        model_dir = resolve_model(args.model, args.revision)
        read_config(model_dir)
    except (GGUFExportError, ValueError, FileNotFoundError, HfHubHTTPError) as error:
        print(f"gaokerena export gguf: {error}", file=sys.stderr)
        return 2
    name = args.name or Path(args.model.rstrip("/")).name
    try:
        exported = export_gguf(model_dir, args.out, args.quant, name=name, threads=args.threads)
    except GGUFExportError as error:
        print(f"gaokerena export gguf: {error}", file=sys.stderr)
        return 2
    for item in exported:
        print(f"{item.path}  {item.size / 1024**2:,.1f} MB  ({item.seconds:.1f} s)")
    if not args.verify:
        return 0
    return verify_files([item.path for item in exported], model_dir, threads=args.threads)


def verify_files(paths: list[Path], model_dir: Path, *, threads: int | None = None) -> int:
    """Print the llama.cpp figures for each file; 1 if any tokenization or template differs."""
    from hub_tools.export.check import check_gguf, load_reference, reference_logits

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
