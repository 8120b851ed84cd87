"""What each quant costs, measured with llama.cpp itself on held-out Persian medical text (``--measure``).

    figures = measure_quality(f16, [(path, "q4_k_m", True), ...], Path("mf3qa-test-answers.txt"), ctx=512)
    write_quality(figures, Path("artifacts/gguf/quality.json"))

For every file, over the same tokens of the evaluation text (cut into ``ctx``-token windows, each starting with
BOS, every position of each window scored), with llama-cpp-python's logits (``logits_all``):

- mean KL divergence ``KL(P_F16 || P_quant)`` of the next-token distributions, in nats (what llama.cpp's
  ``llama-perplexity --kl-divergence`` reports as "Mean KLD");
- top-1 agreement: the share of positions where the quant's most likely next token is F16's;
- perplexity of the text: ``exp`` of the mean negative log-likelihood of each actual next token.

The F16 log-probabilities are computed once and kept in a memory-mapped file (positions x vocabulary float32:
about 1 MB per position for aya's 256k vocabulary), so files are compared one at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm


DEFAULT_CTX = 512
DEFAULT_MAX_TOKENS = 4096
QUALITY_FILE = "quality.json"


@dataclass(frozen=True)
class FileQuality:
    """The figures of one GGUF file against F16."""

    file: str
    quant: str  # label: Q4_K_M
    imatrix: bool
    size: int
    mean_kld: float
    top1: float
    perplexity: float
    positions: int
    seconds: float  # the measuring pass (llama.cpp evaluation + the arithmetic)

    @property
    def tokens_per_second(self) -> float:
        return self.positions / self.seconds if self.seconds else 0.0


@dataclass
class QualityReport:
    eval_text: dict  # name, sha256, tokens
    ctx: int
    files: list[FileQuality]

    def to_dict(self) -> dict:
        return {"eval_text": self.eval_text, "ctx": self.ctx, "files": [asdict(f) for f in self.files]}

    @classmethod
    def from_dict(cls, data: dict) -> QualityReport:
        return cls(data["eval_text"], int(data["ctx"]), [FileQuality(**f) for f in data["files"]])

    def find(self, quant: str, imatrix: bool) -> FileQuality | None:
        return next((f for f in self.files if f.quant == quant and f.imatrix == imatrix), None)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def score_windows(tokens: list[int], bos: int | None, ctx: int, max_tokens: int) -> list[list[int]]:
    """The first ``max_tokens`` tokens cut into windows of ``ctx`` (BOS first when given), each scored alone."""
    body = ctx - (bos is not None)
    windows = []
    for start in range(0, min(len(tokens), max_tokens), body):
        piece = tokens[start:start + body]
        if len(piece) >= 2:
            windows.append(([bos] if bos is not None else []) + piece)
    return windows


def _open(path: Path, ctx: int, threads: int | None):
    from llama_cpp import Llama

    return Llama(model_path=str(path), n_ctx=ctx, n_batch=ctx, n_ubatch=ctx, logits_all=True, verbose=False,
                 n_threads=threads or os.cpu_count() or 1, n_threads_batch=threads or os.cpu_count() or 1)  # fmt: skip


def _window_log_probs(llm, window: list[int]) -> np.ndarray:
    llm.reset()
    llm.eval(window)
    return _log_softmax(np.asarray(llm.scores[: len(window) - 1], dtype=np.float32))


def measure_quality(
    f16_path: Path,
    files: list[tuple[Path, str, bool]],
    eval_text: Path,
    *,
    ctx: int = DEFAULT_CTX,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    threads: int | None = None,
    progress: bool = True,
) -> QualityReport:
    """Figures for F16 and every ``(path, quant label, made with an imatrix)`` in ``files``."""
    eval_text = Path(eval_text)
    text = eval_text.read_text(encoding="utf-8")
    if not text.strip():
        raise ValueError(f"evaluation text {eval_text} is empty")
    reference = _open(f16_path, ctx, threads)
    try:
        tokens = reference.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        bos = reference.token_bos() if reference.metadata.get("tokenizer.ggml.add_bos_token", "true") == "true" else None
        windows = score_windows(tokens, bos if bos is not None and bos >= 0 else None, ctx, max_tokens)
        if not windows:
            raise ValueError(f"evaluation text {eval_text} has too few tokens to score")
        positions = sum(len(w) - 1 for w in windows)
        n_vocab = reference.n_vocab()
        with tempfile.TemporaryDirectory(prefix="gguf-quality-") as tmp:
            ref = np.lib.format.open_memmap(Path(tmp) / "f16.npy", mode="w+", dtype=np.float32,
                                            shape=(positions, n_vocab))  # fmt: skip
            start, row = time.perf_counter(), 0
            nll = 0.0
            for window in tqdm(windows, desc=f"F16 {f16_path.name}", unit="window", disable=not progress):
                lp = _window_log_probs(reference, window)
                ref[row:row + len(lp)] = lp
                nll -= float(lp[np.arange(len(lp)), window[1:]].sum())
                row += len(lp)
            reference.close()
            results = [FileQuality(Path(f16_path).name, "F16", False, Path(f16_path).stat().st_size, 0.0, 1.0,
                                   float(np.exp(nll / positions)), positions, time.perf_counter() - start)]  # fmt: skip
            for path, quant, imatrix in files:
                results.append(_measure_one(Path(path), quant, imatrix, windows, ref, ctx, threads, progress))
            del ref
    finally:
        reference.close()
    eval_info = {"name": eval_text.name, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                 "tokens": positions + len(windows) * (bos is not None)}  # fmt: skip
    return QualityReport(eval_info, ctx, results)


def _measure_one(path, quant, imatrix, windows, ref, ctx, threads, progress) -> FileQuality:
    start = time.perf_counter()
    llm = _open(path, ctx, threads)
    kld = nll = 0.0
    agree = row = 0
    try:
        label = f"{quant}{' imatrix' if imatrix else ''}"
        for window in tqdm(windows, desc=label, unit="window", disable=not progress):
            lp = _window_log_probs(llm, window)
            expected = np.asarray(ref[row:row + len(lp)], dtype=np.float64)
            kld += float((np.exp(expected) * (expected - lp)).sum())
            agree += int((expected.argmax(-1) == lp.argmax(-1)).sum())
            nll -= float(lp[np.arange(len(lp)), window[1:]].sum())
            row += len(lp)
    finally:
        llm.close()
    return FileQuality(path.name, quant, imatrix, path.stat().st_size, kld / row, agree / row,
                       float(np.exp(nll / row)), row, time.perf_counter() - start)  # fmt: skip


def write_quality(report: QualityReport, out: Path) -> Path:
    Path(out).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return Path(out)


def read_quality(path: Path) -> QualityReport | None:
    """The report in ``path``, or None when there is none."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        return QualityReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a quality report written by `gaokerena export gguf --measure` ({error})") from None
