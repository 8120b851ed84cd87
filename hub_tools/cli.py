"""The `gaokerena` command: one entry point, one subcommand per stage of a release.

    gaokerena --help
    gaokerena hub serve --root ./hub --port 8080

Each subcommand lives in its own module exposing ``main(argv: list[str] | None = None) -> int`` and is imported
only when it runs, so ``gaokerena --help`` answers without importing torch, transformers or datasets.
"""

from __future__ import annotations

import importlib
import sys


# name -> (module exposing main(argv) -> int, one-line help). Order is the order of a release.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "hub": ("hub_tools.localhub.cli", "run the local Hugging Face Hub server (serve)"),
    "data": ("hub_tools.data.cli", "build the datasets from their sources (build), check contamination"),
    "publish": ("hub_tools.publish", "publish a built dataset with its card to a Hub (dataset)"),
    "train": ("training.cli", "train the LoRA stages (cpt, sft) or build the tiny model (init-tiny)"),
    "merge": ("training.merge", "merge a LoRA adapter into its base model and verify the logits"),
    "export": ("hub_tools.export.cli", "export a model as GGUF files for llama.cpp / Ollama / LM Studio (gguf)"),
    "eval": ("hub_tools.evaluation.cli", "evaluate models (mc, kqa), import the paper's results, compare"),
    "release": ("hub_tools.release.cli", "plan, push and verify a versioned release from a manifest"),
    "rehearse": ("hub_tools.release.rehearse", "the full offline release rehearsal on an embedded local Hub"),
    "space": ("space.deploy", "deploy the Gradio Space to a Hub (deploy)"),
}


def _usage() -> str:
    width = max(len(name) for name in SUBCOMMANDS)
    lines = ["usage: gaokerena <command> [options]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_text}" for name, (_, help_text) in SUBCOMMANDS.items()]
    lines += ["", "Run `gaokerena <command> --help` for the options of a command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand's ``main``; returns its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(_usage())
        return 0 if argv else 2
    if argv[0] == "--version":
        from hub_tools import __version__

        print(f"gaokerena {__version__}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in SUBCOMMANDS:
        print(f"gaokerena: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(SUBCOMMANDS[name][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
