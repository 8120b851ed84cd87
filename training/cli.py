"""`gaokerena train`: the two LoRA stages and the tiny offline model.

    gaokerena train init-tiny --out artifacts/tiny-aya
    gaokerena train cpt --config training/recipes/tiny/cpt.yaml --model_name_or_path artifacts/tiny-aya
    gaokerena train sft --config training/recipes/gaokerena-v1/sft.yaml --output_dir artifacts/gaokerena-v1/sft
    accelerate launch --config_file training/recipes/accelerate_configs/zero3.yaml \
        -m training.cli cpt --config training/recipes/gaokerena-v1/cpt.yaml

`cpt` and `sft` take a recipe (``--config``); any flag named like a recipe key overrides it. Torch, transformers and
TRL are imported only once a subcommand runs, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


STAGES = {
    "cpt": "stage 1: continued pretraining (LoRA) on the medical corpus",
    "sft": "stage 2: instruction tuning (LoRA) on MF3QA, loss on the answers only",
}


def _init_tiny(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="gaokerena train init-tiny",
        description="Write the tiny aya-shaped model (briefly pretrained on the corpus) with its tokenizer and chat "
        "template.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="initialisation seed (default 0)")
    parser.add_argument(
        "--corpus", type=Path, default=None, help="JSON-lines corpus for the tokenizer (default: bundled sample)"
    )
    parser.add_argument("--pretrain-steps", type=int, default=None,
                        help="steps of the brief pretraining on the corpus (default 120; 0: random weights)")
    args = parser.parse_args(argv)
    from training.tiny import PRETRAIN_STEPS, init_tiny

    steps = PRETRAIN_STEPS if args.pretrain_steps is None else args.pretrain_steps
    if steps < 0:
        parser.error(f"--pretrain-steps must be 0 or more, got {steps}")
    out = init_tiny(args.out, seed=args.seed, corpus=args.corpus, pretrain_steps=steps)
    print(f"tiny model written to {out}")
    return 0


def _stage(stage: str, argv: list[str]) -> int:
    from training.configs import RecipeError
    from training.train import make_parser, run

    parser = make_parser(stage, prog=f"gaokerena train {stage}")
    recipe_path = argv[argv.index("--config") + 1] if "--config" in argv[:-1] else None
    try:
        args = parser.parse_args_and_config(argv)
    except ValueError as error:  # unknown recipe keys, values the dataclasses reject
        print(f"gaokerena train {stage}: error: {error}", file=sys.stderr)
        return 2
    try:
        metadata = run(stage, *args, recipe_path=recipe_path)
    except RecipeError as error:
        print(f"gaokerena train {stage}: error: {error}", file=sys.stderr)
        return 2
    if metadata is not None:  # None on the non-main processes of a distributed run
        eval_loss = metadata["eval_loss"]
        print(
            f"{stage}: adapter written to {metadata['output_dir']} (train loss {metadata['train_loss']:.4f}, "
            f"eval loss {'n/a' if eval_loss is None else f'{eval_loss:.4f}'}, "
            f"{metadata['tokens_seen']} tokens, {metadata['wall_time_s']:.1f} s)"
        )
    return 0


def _usage() -> str:
    lines = ["usage: gaokerena train <command> [options]", "", "commands:"]
    lines += [f"  {name:<10} {text}" for name, text in STAGES.items()]
    lines += [f"  {'init-tiny':<10} write the tiny aya-shaped model used offline (tests, demo)"]
    lines += ["", "Run `gaokerena train <command> --help` for the options of a command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``cpt``, ``sft`` or ``init-tiny``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not argv or argv[0] in {"-h", "--help"}:
        print(_usage())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "init-tiny":
        return _init_tiny(rest)
    if command in STAGES:
        return _stage(command, rest)
    print(f"gaokerena train: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
