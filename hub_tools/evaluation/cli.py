"""``gaokerena eval``: evaluate models, import the paper's results, compare results.

    gaokerena eval mc --model PATH_OR_REPO [--adapter A] --benchmark mmlu-fa|ibmsee --protocol generate|loglikelihood
    gaokerena eval kqa --model PATH_OR_REPO --judge local:PATH_OR_ID|openai:URL [--judge-mode kqa|kqa-3way]
                       [--against RESULT] [--limit N]
    gaokerena eval import-paper DIR [--out DIR]
    gaokerena eval compare A.json B.json [--resamples 2000] [--seed 0] [--json]
    gaokerena eval validate FILE...                 # check result files against the schema
    gaokerena eval export FILE --format eval-results|model-index   # the Hub's .eval_results yaml / model-index

Each run writes SCHEMAS §3 result files to ``--out`` (default ./results) and prints their paths.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def _model_args(p: argparse.ArgumentParser, *, per_benchmark: bool = False) -> None:
    """The model and dataset options; ``per_benchmark``: --dataset/--dataset-id take one value per --benchmark."""
    several = {"nargs": "+"} if per_benchmark else {}
    p.add_argument("--model", required=True, help="merged model folder or Hub id (the base model with --adapter)")
    p.add_argument("--revision", default=None, help="model revision on the Hub (branch, tag or commit)")
    p.add_argument("--adapter", default=None, help="PEFT adapter folder or Hub id applied on top of --model")
    p.add_argument("--model-id", default=None,
                   help="the id the result records (default: the adapter's, else the model's; a folder's name)")
    p.add_argument("--display-name", default=None, help="leaderboard name (default: the last part of the id)")
    p.add_argument("--model-type", choices=["fine-tuned", "base", "general", "translation-pipeline", "quantized"],
                   default=None, help="default: quantized with --backend llama.cpp, fine-tuned with --adapter or an "
                                      "id naming gaokerena, else general")  # fmt: skip
    p.add_argument("--dataset", default=None, **several,
                   help="built dataset folder or Hub repo (default: the gaokerena repo)")
    p.add_argument("--dataset-revision", default=None, help="dataset revision on the Hub")
    p.add_argument("--dataset-id", default=None, **several,
                   help="Hub dataset id to record when --dataset is a local folder")
    p.add_argument("--config", default=None, help="dataset config (mmlu-fa: all or a subject; ibmsee: a sitting, e.g. medicine-1402-06)")
    p.add_argument("--limit", type=int, default=None, help="only the first N questions")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--max-new-tokens", type=int, default=512, help="generation length (generate protocol, kqa)")
    p.add_argument("--dtype", choices=["auto", "float32", "bfloat16", "float16"], default="auto",
                   help="auto: bfloat16 on a GPU, float32 on CPU")
    p.add_argument("--device", default=None, help="cuda, cuda:1, cpu (default: cuda when available)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch CPU threads (default: torch's, one per core); 1 for a tiny model beside other work")
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples for the 95%% intervals")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--out", type=Path, default=Path("results"), help="output folder (default ./results)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaokerena eval", description="Evaluate models and handle result files.")
    sub = parser.add_subparsers(dest="command", required=True)

    mc = sub.add_parser("mc", help="multiple-choice accuracy on MMLU-fa or IBMSEE")
    _model_args(mc, per_benchmark=True)
    mc.add_argument("--benchmark", choices=["mmlu-fa", "ibmsee"], required=True, nargs="+",
                    help="one or both (then one --dataset and --dataset-id each, in the same order): one process, "
                         "the model loaded once per run")  # fmt: skip
    mc.add_argument("--protocol", choices=["generate", "loglikelihood"], required=True, nargs="+",
                    help="generate: the paper's protocol (greedy answer, extracted option); "
                         "loglikelihood: most likely option letter after the prompt; both: one run each, one "
                         "process")  # fmt: skip
    mc.add_argument("--engine", choices=["auto", "continuous", "static"], default="auto",
                    help="generate protocol: continuous batching (transformers' generate_batch) or static "
                         "length-sorted batches; auto: continuous on a GPU, static on the CPU")  # fmt: skip
    mc.add_argument("--backend", choices=["transformers", "llama.cpp"], default="transformers",
                    help="llama.cpp: --model is a GGUF file, scored through llama.cpp's logits (loglikelihood "
                         "protocol); the result is marked as a quant")  # fmt: skip

    kqa = sub.add_parser("kqa", help="K-QA-fa: generate answers, then LLM-judge them")
    _model_args(kqa)
    kqa.add_argument("--judge", required=True, help="local:PATH_OR_ID or openai:URL (an OpenAI-compatible /v1)")
    kqa.add_argument("--judge-model", default=None, help="model name sent to an openai: judge (default gpt-4o-mini)")
    kqa.add_argument("--api-key-env", default="OPENAI_API_KEY",
                     help="environment variable holding the judge's API key (the key itself is never logged)")
    kqa.add_argument("--judge-concurrency", type=int, default=4, help="parallel requests to an openai: judge")
    kqa.add_argument("--against", default=None,
                     help="another model's answers: a kqa result file or JSON/JSONL of {id, answer}; "
                          "adds the pairwise win rate")  # fmt: skip
    kqa.add_argument("--answers", default=None, help="reuse this model's answers from a file instead of generating")
    kqa.add_argument("--no-metrics", action="store_true", help="skip the K-QA Comp/Hall run")
    kqa.add_argument("--judge-mode", choices=("kqa", "kqa-3way"), default="kqa",
                     help="kqa: K-QA's own protocol (two yes/no questions per statement; default); kqa-3way: one "
                          "three-way verdict per statement. The mode is the result's protocol.")  # fmt: skip

    imp = sub.add_parser("import-paper", help="re-score the paper's per-question spreadsheets into result files")
    imp.add_argument("dir", type=Path, help="DIR/<benchmark folder>/<system>.xlsx")
    imp.add_argument("--out", type=Path, default=Path("results"))
    imp.add_argument("--mmlu-dataset", default=None, help="built MMLU-fa folder/repo to match question ids by text")
    imp.add_argument("--ibmsee-dataset", default=None, help="built IBMSEE folder/repo to match question ids by text")

    cmp_ = sub.add_parser("compare", help="paired comparison of two multiple-choice results")
    cmp_.add_argument("a", type=Path)
    cmp_.add_argument("b", type=Path)
    cmp_.add_argument("--resamples", type=int, default=2000)
    cmp_.add_argument("--seed", type=int, default=0)
    cmp_.add_argument("--json", action="store_true", help="machine-readable output")

    val = sub.add_parser("validate", help="check result files against the schema")
    val.add_argument("files", nargs="+", type=Path)

    exp = sub.add_parser("export", help="print a result as Hub metadata")
    exp.add_argument("file", type=Path)
    exp.add_argument("--format", choices=["eval-results", "model-index"], default="eval-results",
                     help="eval-results: a .eval_results/*.yaml file; model-index: model card YAML")
    return parser


def _common(args) -> dict:
    return dict(
        model=args.model, revision=args.revision, adapter=args.adapter, dataset=args.dataset, config=args.config,
        dataset_revision=args.dataset_revision, dataset_id=args.dataset_id, limit=args.limit,
        batch_size=args.batch_size, max_new_tokens=args.max_new_tokens, display_name=args.display_name,
        model_type=args.model_type, model_id=args.model_id, dtype=args.dtype, device=args.device,
        resamples=args.resamples, seed=args.seed,
    )  # fmt: skip


def _load_once(args):
    from .runner import load_model

    return load_model(args.model, revision=args.revision, adapter=args.adapter, dtype=args.dtype, device=args.device)


def _judge_model(judge, args):
    """The local judge's loaded model when it is the evaluated model as ``_load_once`` would load it (a model judging
    itself): loaded once, not twice. None otherwise."""
    from .judge import LocalJudge

    same = (isinstance(judge, LocalJudge) and judge.model_name == args.model and not args.revision
            and not args.adapter and args.dtype == "auto" and args.device is None)  # fmt: skip
    return judge.lm if same else None


def _print_result(result, path) -> None:
    m = result.metrics
    if result.protocol in ("generate", "loglikelihood"):
        lo, hi = m["ci95"]
        print(f"{result.model.display_name} {result.benchmark.name}/{result.benchmark.config} {result.protocol}: "
              f"accuracy {100 * m['accuracy']:.2f}% [{100 * lo:.2f}, {100 * hi:.2f}] "
              f"n={m['n']} invalid={m['invalid']}")  # fmt: skip
        for name, block in result.subsets.items():
            print(f"  {name:<24} {100 * block['accuracy']:6.2f}%  n={block['n']} invalid={block['invalid']}")
    elif result.protocol == "pairwise":
        print(f"{result.model.display_name} kqa-fa pairwise: win rate {100 * m['win_rate']:.2f}% n={m['n']} "
              f"(wins {m['wins']}, ties {m['ties']}, losses {m['losses']}, unparseable {m['unparseable']})")  # fmt: skip
    else:
        norm = (f" (Comp_norm {100 * m['Comp_norm']:.2f}%, Hall_norm {m['Hall_norm']:.2f}; "
                f"N={m['N_questions']})") if "Comp_norm" in m else ""  # fmt: skip
        print(f"{result.model.display_name} kqa-fa {result.protocol}: Comp {100 * m['Comp']:.2f}% "
              f"Hall {m['Hall']:.2f}{norm} (contradicted statements per question; lower is better), answers with "
              f"a contradiction {100 * m['answers_with_contradiction_share']:.2f}% n={m['n']} "
              f"unparseable verdicts {m['unparseable']}")  # fmt: skip
    print(f"  -> {path}")


class UsageError(ValueError):
    """Options that do not fit together; the message says which."""


def _benchmark_runs(args) -> list[tuple[str, str | None, str | None]]:
    """(benchmark, dataset, dataset id) per --benchmark: --dataset/--dataset-id give none or one value each."""
    benchmarks = list(dict.fromkeys(args.benchmark))
    if len(benchmarks) > 1 and args.config:
        raise UsageError("--config names one benchmark's config: give a single --benchmark with it")

    def per_benchmark(values: list[str] | None, flag: str) -> list[str | None]:
        if values is None:
            return [None] * len(benchmarks)
        if len(values) != len(benchmarks):
            raise UsageError(f"{flag}: {len(values)} value(s) for {len(benchmarks)} benchmark(s); give one each, "
                             "in the order of --benchmark")  # fmt: skip
        return list(values)

    return list(zip(benchmarks, per_benchmark(args.dataset, "--dataset"), per_benchmark(args.dataset_id,
                                                                                          "--dataset-id")))


def _run(args) -> int:
    if args.command == "mc":
        from .data import load_benchmark
        from .mc import evaluate_mc

        runs = _benchmark_runs(args)
        # Each benchmark read once and the model loaded once for every benchmark x protocol (loading is the slow
        # part); the questions first, so a bad dataset fails before the model loads.
        questions = [load_benchmark(benchmark, dataset, args.config, revision=args.dataset_revision,
                                    dataset_id=dataset_id, limit=args.limit) for benchmark, dataset, dataset_id in runs]
        loaded = _load_once(args) if args.backend == "transformers" else None
        for (benchmark, dataset, dataset_id), data in zip(runs, questions):
            for protocol in dict.fromkeys(args.protocol):
                common = {**_common(args), "dataset": dataset, "dataset_id": dataset_id}
                result = evaluate_mc(benchmark=benchmark, protocol=protocol, engine=args.engine,
                                     backend=args.backend, loaded=loaded, data=data, **common)  # fmt: skip
                _print_result(result, result.save(args.out))
        return 0
    if args.command == "kqa":
        from .judge import make_judge
        from .kqa import evaluate_kqa

        judge = make_judge(args.judge, judge_model=args.judge_model, api_key_env=args.api_key_env,
                           concurrency=args.judge_concurrency, batch_size=args.batch_size)  # fmt: skip
        results = evaluate_kqa(judge=judge, against=args.against, answers=args.answers,
                               metrics=not args.no_metrics, mode=args.judge_mode, loaded=_judge_model(judge, args),
                               **_common(args))  # fmt: skip
        for result in results:
            _print_result(result, result.save(args.out))
        return 0
    if args.command == "import-paper":
        from .paper_import import import_paper_results, paper_percent

        datasets = {k: v for k, v in (("mmlu-fa", args.mmlu_dataset), ("ibmsee", args.ibmsee_dataset)) if v}
        for result in import_paper_results(args.dir, datasets=datasets or None):
            path = result.save(args.out)
            subsets = ", ".join(f"{name} {paper_percent(b['accuracy']):.2f} (n={b['n']}, invalid={b['invalid']}"
                                + (f", no answer={b['no_answer']})" if b.get("no_answer") else ")")
                                for name, b in result.subsets.items())  # fmt: skip
            print(f"{result.model.display_name:<36} {result.benchmark.name}: {subsets}\n  -> {path}")
            for cell, value in result.config.get("paper_differences", {}).items():
                print(f"  flagged {cell}: files {value['files']:.2f}, paper {value.get('paper', 'n/a')}"
                      f"{' (' + value['note'] + ')' if 'note' in value else ''}")
        return 0
    if args.command == "compare":
        from .compare import compare_files, format_comparison

        comparison = compare_files(str(args.a), str(args.b), resamples=args.resamples, seed=args.seed)
        print(json.dumps(comparison, indent=2, ensure_ascii=False) if args.json else format_comparison(comparison))
        return 0
    if args.command == "validate":
        from .schema import ResultValidationError, load_result

        bad = 0
        for path in args.files:
            try:
                result = load_result(path)
                print(f"ok  {path} ({result.model.id}, {result.benchmark.name}, {result.protocol}, "
                      f"n={result.metrics['n']})")  # fmt: skip
            except ResultValidationError as err:
                bad += 1
                print(f"bad {err}", file=sys.stderr)
        return 1 if bad else 0
    if args.command == "export":
        from .schema import load_result, to_eval_results, to_hub_eval_results_yaml

        result = load_result(args.file)
        if args.format == "eval-results":
            print(to_hub_eval_results_yaml(result), end="")
        else:
            from huggingface_hub import ModelCardData

            card = ModelCardData(model_name=result.model.display_name, eval_results=to_eval_results(result))
            print(card.to_yaml())
        return 0
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from .compare import CompareError
    from .data import BenchmarkDataError
    from .judge import JudgeError
    from .paper_import import PaperImportError
    from .schema import ResultValidationError

    if getattr(args, "threads", None) is not None and args.threads < 1:
        parser.error(f"--threads must be 1 or more, got {args.threads}")
    if getattr(args, "threads", None):
        import torch

        torch.set_num_threads(args.threads)
    try:
        return _run(args)
    except (ResultValidationError, PaperImportError, CompareError, BenchmarkDataError, JudgeError,
            FileNotFoundError, ValueError) as err:  # fmt: skip
        print(f"gaokerena eval {args.command}: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
