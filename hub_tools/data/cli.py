"""``gaokerena data``: build the datasets from their sources, check contamination.

gaokerena data build mmlu-fa --out artifacts/mmlu-fa                      # bundled samples
gaokerena data build mmlu-fa --source ../shared/data/gaokerena/MMLU_fa --out artifacts/mmlu-fa
gaokerena data build mf3qa --source A.xlsx B.xlsx --out DIR --min-answer-chars 20 --contamination fail
gaokerena data build mf3qa --source DIR --out OUT --benchmarks MMLU_fa/ IBMSEE/    # = --set benchmarks=A,B
gaokerena data check-contamination ...                                    # see its own --help
gaokerena data list                                                       # the datasets and their modules
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def _key_value(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    return key.strip().replace("-", "_"), value


def _coerce(value: str):
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def build_parser() -> argparse.ArgumentParser:
    from hub_tools.data.builders import BUILDERS, BuildOptions

    defaults = BuildOptions()
    parser = argparse.ArgumentParser(prog="gaokerena data", description="Build the Gaokerena datasets.")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build one dataset into a folder (parquet + card + build report)")
    build.add_argument("name", choices=sorted(BUILDERS), help="the dataset to build")
    build.add_argument(
        "--source",
        nargs="+",
        type=Path,
        default=None,
        help="source files or folders (default: the bundled samples in hub_tools/data/samples/<name>)",
    )
    build.add_argument("--out", type=Path, required=True, help="output folder (its earlier build output is replaced)")
    build.add_argument(
        "--on-error",
        choices=["raise", "skip"],
        default=defaults.on_error,
        help="a bad row stops the build (raise) or is quarantined and reported (skip)",
    )
    build.add_argument("--fold-digits", action="store_true", help="write Persian/Arabic-Indic digits as ASCII")
    build.add_argument(
        "--min-answer-chars",
        type=int,
        default=defaults.min_answer_chars,
        help=f"drop answers shorter than this (default {defaults.min_answer_chars})",
    )
    build.add_argument(
        "--near-dup-threshold",
        type=float,
        default=defaults.near_dup_threshold,
        help=f"MinHash Jaccard threshold for near duplicates (default {defaults.near_dup_threshold})",
    )
    build.add_argument(
        "--contamination",
        choices=["warn", "fail", "off"],
        default=defaults.contamination,
        help="training rows that overlap benchmark/test rows: drop and report (warn), fail, or off",
    )
    build.add_argument("--seed", type=int, default=defaults.seed)
    build.add_argument(
        "--cpt-fraction",
        type=float,
        default=defaults.cpt_fraction,
        help=f"share of the corpus in the 'cpt' config (default {defaults.cpt_fraction})",
    )
    build.add_argument(
        "--benchmarks",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="benchmark sources for the contamination check (mf3qa, corpus); same as --set benchmarks=A,B",
    )
    build.add_argument(
        "--set",
        dest="extra",
        type=_key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a builder-specific option (repeatable)",
    )

    sub.add_parser("list", help="list the datasets")
    check = sub.add_parser(
        "check-contamination", help="check benchmark/test overlap (options: see its --help)", add_help=False
    )
    check.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check-contamination":
        from hub_tools.data.contamination import main as contamination_main

        return int(contamination_main(argv[1:]) or 0)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "list":
        from hub_tools.data.builders import BUILDERS, sample_dir

        for name, module in BUILDERS.items():
            print(f"{name}\t{module}\tsamples: {sample_dir(name)}")
        return 0
    return _build(args)


def _build(args: argparse.Namespace) -> int:
    from hub_tools.data.builders import BuildOptions, default_sources, get_builder
    from hub_tools.data.dedup import TextTooLongError
    from hub_tools.data.readers import DataError
    from hub_tools.data.report import ReportError

    extra = {key: _coerce(value) for key, value in args.extra}
    if args.benchmarks:
        if "benchmarks" in extra:
            print(
                "gaokerena data build: give the benchmarks with --benchmarks or --set benchmarks=, not both",
                file=sys.stderr,
            )
            return 2
        extra["benchmarks"] = ",".join(str(path) for path in args.benchmarks)
    try:
        options = BuildOptions(
            on_error=args.on_error,
            fold_digits=args.fold_digits,
            min_answer_chars=args.min_answer_chars,
            near_dup_threshold=args.near_dup_threshold,
            contamination=args.contamination,
            seed=args.seed,
            cpt_fraction=args.cpt_fraction,
            extra=extra,
        )
    except ValueError as exc:
        print(f"gaokerena data build: {exc}", file=sys.stderr)
        return 2
    sources = list(args.source) if args.source else default_sources(args.name)
    for source in sources:
        if not source.exists():
            print(f"gaokerena data build: source {source} does not exist", file=sys.stderr)
            return 2
    builder = get_builder(args.name)
    try:
        report = builder.build(sources, args.out, options)
        _record_provenance(args.name, args.out, report, sources, samples=not args.source)
    except (DataError, ReportError, TextTooLongError) as exc:
        print(f"gaokerena data build {args.name}: {exc}", file=sys.stderr)
        return 1
    totals = report.to_dict()["totals"]
    configs = ", ".join(
        f"{config} " + "/".join(f"{split}={n}" for split, n in splits.items())
        for config, splits in report.outputs.items()
    )
    print(
        f"{args.name}: read {totals['read']}, kept {totals['kept']}, dropped {totals['dropped']} -> {args.out} "
        f"(configs: {configs})"
    )
    if report.quarantined:
        print(f"{len(report.quarantined)} row(s) quarantined: see {args.out / 'quarantine.jsonl'}")
    if not args.source:
        print(f"{args.name}: built from the bundled samples (no --source); the card says so, and `gaokerena release "
              "push` publishes it only to a local Hub unless --allow-samples")  # fmt: skip
    return 0


def _record_provenance(name: str, out: Path, report, sources: list[Path], *, samples: bool) -> None:
    """The build report records the sources (with sha256) or the bundled samples; the card is rendered again so that
    a sample build says so in its first line."""
    from hub_tools.cards.dataset import render_dataset_card
    from hub_tools.data.output import CARD_FILE
    from hub_tools.data.provenance import describe_sources

    report.set_stat("provenance", describe_sources(sources, samples=samples))
    report.write(out)
    render_dataset_card(name, out).save(out / CARD_FILE)


if __name__ == "__main__":
    sys.exit(main())
