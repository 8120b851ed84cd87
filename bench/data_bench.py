"""Data benchmarks: redaction throughput, the full MF3QA build, near-duplicate scaling, a 100k-article corpus build.

    python bench/data_bench.py                       # everything, a few minutes on a laptop
    python bench/data_bench.py --only neardup --scales 1 4 16 64
    python bench/data_bench.py --only corpus --articles 20000 --json results.json

Sections:

- ``mf3qa``: ``gaokerena data build mf3qa`` on the authors' files (``../shared/data/gaokerena/MF3QA`` or
  ``--shared``), benchmark contamination check included: wall time and rows read per second. Skipped when the
  folder is absent.
- ``redact``: :func:`hub_tools.data.redact.redact_personal_data` on every question and answer of the filtered MF3QA
  crawls (or the bundled samples) and on the labelled set, one core (CPU time of this single-threaded process):
  strings and characters per second, next to :func:`~hub_tools.data.normalize.normalize_persian` on the same
  strings (the baseline, measured in the same run), and the redactions per kind.
- ``mf3qa`` also reports the CPU time, the LSH banding (bands × rows, probability of finding a pair at the
  threshold) and, with ``--mf3qa-scales 1 2``, the full build on 2× the training rows (each extra copy a variation
  of the filtered crawls with ~30% of the words replaced, so nothing is a duplicate): linear scaling gives a CPU
  time ratio close to the row ratio.
- ``neardup``: :func:`hub_tools.data.dedup.near_duplicate_clusters` on ``1×, 4×, 16×`` the real MF3QA questions
  (synthetic variations: ~30% of the words of each copy replaced, so copies are new texts, plus 5% lightly edited
  near duplicates). Prints the wall and CPU time per scale and the growth of the CPU time (steadier than wall time
  on a shared machine) against the 1× run: linear scaling gives ratios close to the scale factors (4, 16),
  quadratic scaling 16 and 256. Without the real files, the bundled sample sentences are
  the seed.
- ``corpus``: a corpus build of ``--articles`` (default 100,000) synthetic Persian articles (sentences of the bundled
  sample articles in random order, 2% exact and 2% near duplicates), in a child process, reporting wall time,
  articles per second and the child's peak resident memory (``VmHWM``) next to that of a child that only
  imports the builder.

Every section prints one line per measurement; ``--json PATH`` also writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run_context import load_average, run_context  # noqa: E402 - bench/ is the script's folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SHARED = ROOT.parent / "shared" / "data" / "gaokerena"
SAMPLE_ARTICLES = ROOT / "hub_tools" / "data" / "samples" / "corpus" / "articles.jsonl"


def _sample_sentences() -> list[str]:
    texts = [json.loads(line)["text"] for line in SAMPLE_ARTICLES.read_text(encoding="utf-8").splitlines()]
    return [s.strip() + "." for t in texts for s in t.split(".") if len(s.split()) > 4]


def _questions(shared: Path) -> list[str]:
    folder = shared / "MF3QA" / "filtered"
    if not folder.is_dir():
        return _sample_sentences()
    from hub_tools.data.readers import read_xlsx

    return [row["question"] for path in sorted(folder.glob("*.xlsx")) for row in read_xlsx(path, {"question": str})]


# --------------------------------------------------------------------------------------------------------------------


def _scaled_mf3qa(source: Path, scale: int, root: Path) -> Path:
    """``source`` with ``scale - 1`` varied copies of each filtered crawl added (dev and test unchanged)."""
    import shutil

    import openpyxl

    from hub_tools.data.readers import read_xlsx

    out = root / f"MF3QA-{scale}x"
    shutil.copytree(source, out)
    rng = random.Random(scale)
    for path in sorted((source / "filtered").glob("*.xlsx")):
        rows = [(r["question"], r["answer"]) for r in read_xlsx(path, {"question": str, "answer": str})]
        vocab = [w for q, _ in rows[:2000] for w in q.split()]
        for copy in range(1, scale):
            book = openpyxl.Workbook()
            sheet = book.active
            sheet.append(["Question", "Answer"])
            for q, a in rows:
                sheet.append([_vary(q, vocab, rng) + f" {copy}", _vary(a, vocab, rng)])
                for cell in sheet[sheet.max_row]:
                    cell.data_type = "s"  # a text that starts with "=" is text, not a formula
            book.save(out / "filtered" / f"{path.stem}_copy{copy}.xlsx")
    return out


def _vary(text: str, vocab: list[str], rng: random.Random) -> str:
    words = text.split()
    return " ".join(rng.choice(vocab) if rng.random() < 0.3 else w for w in words)


def bench_mf3qa(shared: Path, results: list[dict], scales: list[int] = (1,)) -> None:
    from hub_tools.data.builders import BuildOptions, get_builder

    source = shared / "MF3QA"
    if not source.is_dir():
        print(f"mf3qa: skipped ({source} not found)")
        return
    base_cpu = base_read = None
    for scale in scales:
        with tempfile.TemporaryDirectory() as tmp:
            folder = source if scale == 1 else _scaled_mf3qa(source, scale, Path(tmp))
            start, cpu_start = time.perf_counter(), time.process_time()
            # the benchmark folders beside the shared MF3QA folder, named explicitly so every scale checks them
            benchmarks = ",".join(str(p) for p in sorted(shared.iterdir()) if p.name in ("MMLU_fa", "IBMSEE", "KQA_fa"))
            options = BuildOptions(extra={"benchmarks": benchmarks} if benchmarks else {})
            report = get_builder("mf3qa").build([folder], Path(tmp) / "mf3qa", options)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        data = report.to_dict()
        read = data["totals"]["read"]
        base_cpu, base_read = base_cpu or cpu, base_read or read
        lsh = data["stats"]["dedup"]["lsh"]
        row = {
            "section": "mf3qa",
            "scale": scale,
            "seconds": round(elapsed, 2),
            "cpu_seconds": round(cpu, 2),
            "rows_read": read,
            "rows_per_s": round(read / elapsed, 1),
            "cpu_growth": round(cpu / base_cpu, 2),
            "rows_ratio": round(read / base_read, 2),
            "outputs": data["outputs"]["default"],
            "dev_leak_rows": data["stats"]["leaks"]["dev"]["train_rows_dropped"],
            "canned_rows_dropped": data["stats"]["canned_answers"]["rows_dropped"],
            "lsh": f"{lsh['bands']}x{lsh['rows']}, p(0.8)={lsh['p_candidate_at_threshold']}",
            "contaminated": data["stats"]["contamination"].get("contaminated"),
        }
        results.append(row)
        print(
            f"mf3qa {scale}x: full build with exact verification {elapsed:.1f} s wall, {cpu:.1f} s CPU, {read} rows "
            f"read ({read / elapsed:.0f} rows/s); CPU ×{row['cpu_growth']:.2f} for rows ×{row['rows_ratio']:.2f}; "
            f"outputs {row['outputs']}, dev leaks dropped {row['dev_leak_rows']}, canned-answer rows dropped "
            f"{row['canned_rows_dropped']}, LSH {row['lsh']}, benchmark questions contaminated {row['contaminated']}"
        )


def bench_redact(shared: Path, results: list[dict], repeat: int = 2) -> None:
    from hub_tools.data.normalize import normalize_persian
    from hub_tools.data.redact import redact_personal_data
    from hub_tools.data.redaction_eval import load_pool
    from hub_tools.data.readers import read_xlsx

    folder = shared / "MF3QA" / "filtered"
    if not folder.is_dir():
        folder = ROOT / "hub_tools" / "data" / "samples" / "mf3qa" / "filtered"
    texts = [
        row[column]
        for path in sorted(folder.glob("*.xlsx"))
        for row in read_xlsx(path, {"question": str, "answer": str})
        for column in ("question", "answer")
    ]
    pool = ROOT / "tests" / "hub_tools" / "data" / "redaction_pool"
    if pool.is_dir():
        texts += [item.text for items in load_pool([pool]).values() for item in items]
    chars = sum(map(len, texts))

    def timed(fn) -> tuple[float, object]:
        best, out = float("inf"), None
        for _ in range(repeat):
            start = time.process_time()
            out = [fn(t) for t in texts]
            best = min(best, time.process_time() - start)
        return best, out

    cpu, outs = timed(redact_personal_data)
    base_cpu, _ = timed(normalize_persian)
    kinds: dict[str, int] = {}
    for _, counts in outs:
        for kind, n in counts.items():
            kinds[kind] = kinds.get(kind, 0) + n
    row = {
        "section": "redact", "strings": len(texts), "chars": chars, "cpu_seconds": round(cpu, 3),
        "strings_per_s": round(len(texts) / cpu), "chars_per_s": round(chars / cpu),
        "normalize_cpu_seconds": round(base_cpu, 3), "ratio_to_normalize": round(cpu / base_cpu, 2),
        "redactions": kinds,
    }
    results.append(row)
    print(
        f"redact: {len(texts)} strings ({chars:,} characters) in {cpu:.2f} s CPU on one core: "
        f"{row['strings_per_s']:,} strings/s, {row['chars_per_s']:,} characters/s; the normaliser on the same "
        f"strings {base_cpu:.2f} s (redaction ×{row['ratio_to_normalize']:.2f}); redactions {kinds}"
    )


def _variants(seed_texts: list[str], scale: int, rng: random.Random) -> list[str]:
    vocab = [w for t in seed_texts for w in t.split()]
    out = list(seed_texts)
    for copy in range(1, scale):
        for text in seed_texts:
            words = text.split()
            for i in range(len(words)):
                if rng.random() < 0.3:
                    words[i] = rng.choice(vocab)
            out.append(" ".join(words) + f" {copy}")
    # 5% near duplicates: a word dropped from an existing text
    for _ in range(len(out) // 20):
        words = rng.choice(out).split()
        if len(words) > 3:
            del words[rng.randrange(len(words))]
        out.append(" ".join(words))
    return out


def bench_neardup(shared: Path, scales: list[int], results: list[dict]) -> None:
    from hub_tools.data.dedup import near_duplicate_clusters

    seed_texts = _questions(shared)
    base = None
    for scale in scales:
        texts = _variants(seed_texts, scale, random.Random(scale))
        start, cpu_start = time.perf_counter(), time.process_time()
        result = near_duplicate_clusters(texts, threshold=0.8)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        base = base or (cpu, len(texts))
        growth = cpu / base[0]
        size_ratio = len(texts) / base[1]
        results.append({
            "section": "neardup", "scale": scale, "texts": len(texts), "seconds": round(elapsed, 2),
            "cpu_seconds": round(cpu, 2), "cpu_growth": round(growth, 2), "size_ratio": round(size_ratio, 2),
            "exact": result.n_exact, "near": result.n_near,
        })
        print(
            f"neardup: {scale:>3}× = {len(texts):>7} texts in {elapsed:6.2f} s wall, {cpu:6.2f} s CPU "
            f"({len(texts) / cpu:,.0f} texts per CPU second); CPU time ×{growth:.2f} for size ×{size_ratio:.2f} "
            f"(exact {result.n_exact}, near {result.n_near})"
        )


def _write_articles(path: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    sentences = _sample_sentences()
    written: list[str] = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            roll = rng.random()
            if written and roll < 0.02:
                text = rng.choice(written)  # exact duplicate
            elif written and roll < 0.04:
                words = rng.choice(written).split()
                del words[rng.randrange(len(words))]
                text = " ".join(words)  # near duplicate
            else:
                text = " ".join(rng.sample(sentences, rng.randint(5, 9))) + f" کد {i}."
                if len(written) < 5000:
                    written.append(text)
            fh.write(json.dumps({"title": f"مقاله {i}", "text": text, "url": f"https://example.org/a/{i}",
                                 "source": "synthetic"}, ensure_ascii=False) + "\n")


def _peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM; unlike ru_maxrss it starts afresh at exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _corpus_child(args: argparse.Namespace) -> None:
    from hub_tools.data.builders import BuildOptions, get_builder

    if args.articles == 0:  # the baseline: the builder and its libraries imported, nothing built
        import datasets  # noqa: F401

        from hub_tools.data.builders import corpus  # noqa: F401

        print(json.dumps({"seconds": 0.0, "peak_kb": _peak_rss_kb()}))
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src" / "articles.jsonl"
        src.parent.mkdir()
        _write_articles(src, args.articles)
        start = time.perf_counter()
        report = get_builder("corpus").build([src.parent], Path(tmp) / "out", BuildOptions(contamination="off"))
        elapsed = time.perf_counter() - start
    data = report.to_dict()
    print(json.dumps({"seconds": elapsed, "outputs": data["outputs"], "duplicates": data["duplicates"],
                      "words": data["stats"]["tokens"]["words"]["total"], "peak_kb": _peak_rss_kb()}))


def _run_child(articles: int) -> tuple[dict, int]:
    proc = subprocess.run(
        [sys.executable, __file__, "--_corpus-child", "--articles", str(articles)],
        capture_output=True, text=True, check=False, env={**os.environ, "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"corpus child failed:\n{proc.stderr[-3000:]}")
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    return outcome, outcome["peak_kb"]


def bench_corpus(articles: int, results: list[dict]) -> None:
    baseline, base_kb = _run_child(0)
    outcome, peak_kb = _run_child(articles)
    elapsed = outcome["seconds"]
    row = {"section": "corpus", "articles": articles, "seconds": round(elapsed, 2),
           "articles_per_s": round(articles / elapsed, 1), "peak_rss_mb": round(peak_kb / 1024, 1),
           "baseline_rss_mb": round(base_kb / 1024, 1), "outputs": outcome["outputs"],
           "duplicates": outcome["duplicates"], "words": outcome["words"]}
    results.append(row)
    print(
        f"corpus: {articles} synthetic articles built in {elapsed:.1f} s ({articles / elapsed:,.0f} articles/s); "
        f"peak RSS {peak_kb / 1024:.0f} MiB (a child that only imports: {base_kb / 1024:.0f} MiB); "
        f"outputs {outcome['outputs']}, duplicates {outcome['duplicates']}, {outcome['words']} words"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["redact", "mf3qa", "neardup", "corpus"], action="append")
    parser.add_argument("--mf3qa-scales", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the authors' data folder")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--_corpus-child", dest="corpus_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    if args.corpus_child:
        _corpus_child(args)
        return 0
    sections = args.only or ["redact", "mf3qa", "neardup", "corpus"]
    load_before = load_average()
    results: list[dict] = []
    if "redact" in sections:
        bench_redact(args.shared, results)
    if "mf3qa" in sections:
        bench_mf3qa(args.shared, results, args.mf3qa_scales)
    if "neardup" in sections:
        bench_neardup(args.shared, args.scales, results)
    if "corpus" in sections:
        bench_corpus(args.articles, results)
    if args.json:
        report = {**run_context(load_before), "sections": results}
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
