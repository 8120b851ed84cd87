"""Exact and near-duplicate detection that scales linearly with the number of texts.

Every comparison runs on a *match form* of the text (:func:`match_text`): the letter folds of the builders'
normaliser (:func:`~hub_tools.data.normalize.normalize_persian`; ``match_text(normalize_persian(x)) ==
match_text(x)``), digits folded to ASCII, lower case, ZWNJ read as a space, punctuation and symbols dropped and
whitespace collapsed. Crawled Persian writes ``می‌شود``, ``می شود`` and
``میشود`` for the same word and mixes ``۱۲``/``12``; the match form makes those equal without changing the text
that is published.

Exact duplicates: texts whose match forms are equal (a 128-bit BLAKE2b digest of the match form is the key).

Near duplicates: MinHash signatures with banded LSH find candidates, and every candidate is then verified with the
*exact* Jaccard similarity of the two shingle sets (kept, as sorted 64-bit hashes, for every indexed text), so a
pair is a near duplicate only when its true similarity reaches the threshold. The work stays linear in the number of
texts (each text is hashed once and looked up in ``b`` buckets; nothing of size n² is built). The banding is chosen
for recall (:func:`bands_for_recall`): among the ``b`` bands × ``r`` rows that fit ``num_perm``, the one with the
fewest false candidates such that a pair *at* the threshold is found with probability ``1 - (1 - t^r)^b >= 0.99``
(at 0.8 and 128 permutations: 21 bands × 6 rows, 0.998; :func:`lsh_curve` gives the whole curve, which the MF3QA
build report prints). The banding datasketch would choose (:func:`optimal_bands`, 9 × 13 at 0.8) finds a pair at
0.8 only 44% of the time. Shingles are either character ``k``-grams of the match form with the spaces removed
(``shingle="char"``, default ``k=5``: robust to the spacing variants above and meaningful for questions only a few
words long) or word ``k``-grams (``shingle="word"``, for long articles, where it is cheaper).

Why numpy rather than ``datasketch.MinHash`` (which is installed): datasketch hashes every shingle with SHA-1 in
Python and builds each signature in its own numpy call; on the MF3QA questions and question + answer pairs it took
2.4-2.7× the CPU time of this module, which hashes all shingles of a chunk of texts in a handful of vectorised
operations (a polynomial rolling hash over code points or word hashes, with a splitmix64 finaliser) and takes the
per-text minimum of ``num_perm`` multiply-shift hash functions with ``np.minimum.reduceat``. Owning the hashing also
lets the same code serve word n-grams for the contamination check and keeps the band keys vectorised. The LSH part
follows datasketch's ``MinHashLSH``: the number of bands ``b`` and rows per band ``r`` minimise the same weighted
false-positive/false-negative integrals (:func:`optimal_bands`; a test checks it against datasketch), and the tests
compare the similarity estimates with exact Jaccard similarities.

Clustering is greedy and deterministic: texts are visited in input order; a text whose estimated similarity to an
earlier *kept* text is at least ``threshold`` joins that text's cluster (the most similar one, the earliest on a
tie); otherwise it is kept and indexed. Only kept texts are indexed, so clusters are stars around their first
member and never chain (A≈B, B≈C does not put C with A unless C≈A).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from hub_tools.folding import match_key

__all__ = [
    "DedupResult",
    "TextTooLongError",
    "Deduplicator",
    "MinHasher",
    "NearDuplicateIndex",
    "dedup",
    "exact_duplicates",
    "exact_key",
    "match_text",
    "near_duplicate_clusters",
    "optimal_bands",
    "bands_for_recall",
    "detection_probability",
    "lsh_curve",
    "exact_jaccard",
]

_U64 = np.uint64
# The longest text (match form) compared for duplicates: far above any question, answer or article of the
# sources (an xlsx cell holds at most 32,767 characters); a longer text is a broken source, refused by name.
MAX_TEXT_CHARS = 1_000_000


class TextTooLongError(ValueError):
    """A text too long for duplicate detection (see ``MAX_TEXT_CHARS``)."""


_MASK32 = (1 << 32) - 1
# Chunking bounds the (num_perm × shingles) working matrix to roughly this many entries (8 bytes each).
_WORK_ENTRIES = 2_000_000


def match_text(text: str) -> str:
    """The form texts are compared in: normalised letters, ASCII digits, lower case, no punctuation, single spaces.

    Equal to ``match_text(normalize_persian(text))``: the same letter folds as the normaliser, and everything the
    normaliser does to spacing and ZWNJ is erased here anyway (ZWNJ reads as a space, runs of spaces collapse).
    """
    return match_key(text)


def exact_key(text: str) -> str:
    """128-bit hex digest of :func:`match_text`; equal keys are exact duplicates."""
    return hashlib.blake2b(match_text(text).encode("utf-8"), digest_size=16).hexdigest()


# --------------------------------------------------------------------------------------------------------------------
# Hashing


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser on a uint64 array (wrapping arithmetic), a good 64-bit mixer."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _rolling_kgrams(
    values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hash every k-gram of each segment of ``values`` (uint64) that lies inside one segment.

    Returns (hashes, per-segment counts). A segment shorter than k contributes one hash of the whole segment, an
    empty one a fixed hash, so every text has at least one shingle.
    """
    n = len(values)
    counts = np.maximum(lengths - k + 1, 1)
    if n == 0:
        return np.full(len(lengths), 0x9E3779B97F4A7C15, dtype=_U64), counts
    # Position-weighted sum over the window (wrapping uint64), then a finaliser.
    pad = np.concatenate([values, np.zeros(k, dtype=_U64)])
    h = np.zeros(n, dtype=_U64)
    mul = _U64(0x100000001B3)
    for j in range(k):
        h = h * mul + pad[j : j + n] + _U64(j + 1)
    h = _splitmix64(h)
    # Windows that start at s and fit in their segment: s in [start, start + len - k].
    full = lengths >= k
    seg_ids = np.repeat(np.arange(len(lengths)), np.where(full, lengths - k + 1, 0))
    if len(seg_ids):
        first = np.cumsum(np.where(full, lengths - k + 1, 0)) - np.where(full, lengths - k + 1, 0)
        idx = starts[seg_ids] + (np.arange(len(seg_ids)) - first[seg_ids])
        window_hashes = h[idx]
    else:
        window_hashes = np.zeros(0, dtype=_U64)
    if full.all():
        return window_hashes, counts
    # Short segments: hash of the whole (short) segment, so "ab" and "abc" still differ.
    out = np.empty(int(counts.sum()), dtype=_U64)
    out_starts = np.cumsum(counts) - counts
    full_idx = np.nonzero(full)[0]
    if len(full_idx):
        full_counts = counts[full_idx]
        within = np.arange(int(full_counts.sum())) - np.repeat(np.cumsum(full_counts) - full_counts, full_counts)
        dest = np.repeat(out_starts[full_idx], full_counts) + within
        out[dest] = window_hashes
    for i in np.nonzero(~full)[0]:
        seg = values[starts[i] : starts[i] + lengths[i]]
        acc = _U64(0xCBF29CE484222325)
        for v in seg:
            acc = _U64((int(acc) * 0x100000001B3 + int(v) + 1) & 0xFFFFFFFFFFFFFFFF)
        out[out_starts[i]] = _splitmix64(np.array([acc ^ _U64(lengths[i])], dtype=_U64))[0]
    return out, counts


class MinHasher:
    """Vectorised MinHash signatures (``num_perm`` uint32 values per text) for char or word shingles."""

    def __init__(self, num_perm: int = 128, seed: int = 0, shingle: str = "char", k: int = 5):
        if shingle not in {"char", "word"}:
            raise ValueError(f"shingle must be 'char' or 'word', got {shingle!r}")
        if num_perm < 2 or k < 1:
            raise ValueError("num_perm must be >= 2 and k >= 1")
        self.num_perm, self.seed, self.shingle, self.k = num_perm, seed, shingle, k
        rng = np.random.default_rng(seed)
        # Multiply-shift hash functions h_i(x) = (a_i * x + b_i) mod 2^64 >> 32 with odd a_i.
        self._a = (rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) << _U64(1)) | _U64(1)
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
        self._word_cache: dict[str, int] = {}

    # -- shingles
    def _word_hash(self, word: str) -> int:
        h = self._word_cache.get(word)
        if h is None:
            h = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
            if len(self._word_cache) < 2_000_000:
                self._word_cache[word] = h
        return h

    def _units(self, forms: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Concatenated unit values (code points or word hashes) with per-text starts and lengths."""
        for form in forms:
            if len(form) > MAX_TEXT_CHARS:
                raise TextTooLongError(
                    f"a text of {len(form)} characters (once normalised) is above the limit of {MAX_TEXT_CHARS} "
                    f"for duplicate detection; it starts {form[:60]!r}")
        if self.shingle == "char":
            joined = [f.replace(" ", "") for f in forms]
            lengths = np.fromiter((len(s) for s in joined), dtype=np.int64, count=len(joined))
            values = np.frombuffer("".join(joined).encode("utf-32-le"), dtype=np.uint32).astype(_U64)
        else:
            words = [f.split() for f in forms]
            lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
            wh = self._word_hash
            values = np.fromiter((wh(w) for ws in words for w in ws), dtype=_U64, count=int(lengths.sum()))
        starts = np.cumsum(lengths) - lengths
        return values, starts, lengths

    def shingle_hashes(self, text: str) -> set[int]:
        """The set of shingle hashes of one text (for tests and exact Jaccard checks)."""
        values, starts, lengths = self._units([match_text(text)])
        hashes, _ = _rolling_kgrams(values, starts, lengths, self.k)
        return set(hashes.tolist())

    # -- signatures
    def _signatures_of_forms(self, forms: Sequence[str]) -> np.ndarray:
        return self._signatures_and_sets(forms)[0]

    def _signatures_and_sets(self, forms: Sequence[str], sets: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
        """Signatures of ``forms`` and, when ``sets``, each form's shingle set (sorted unique uint64 hashes)."""
        values, starts, lengths = self._units(forms)
        hashes, counts = _rolling_kgrams(values, starts, lengths, self.k)
        shingle_sets: list[np.ndarray] = []
        if sets:
            bounds = np.cumsum(counts)[:-1]
            shingle_sets = [np.unique(part) for part in np.split(hashes, bounds)]
        sig = np.empty((len(forms), self.num_perm), dtype=np.uint32)
        offsets = np.cumsum(counts) - counts
        # Process texts in slices whose shingles fit the working-matrix budget.
        per_block = max(1, _WORK_ENTRIES // self.num_perm)
        i = 0
        n = len(forms)
        while i < n:
            if counts[i] > per_block:  # one long text: the minimum over slices that fit the budget
                sig[i] = self._long_signature(hashes[int(offsets[i]) : int(offsets[i] + counts[i])], per_block)
                i += 1
                continue
            j = i
            total = 0
            while j < n and (j == i or total + counts[j] <= per_block):
                total += int(counts[j])
                j += 1
            lo, hi = int(offsets[i]), int(offsets[i] + total)
            block = hashes[lo:hi]
            mat = (block[None, :] * self._a[:, None] + self._b[:, None]) >> _U64(32)
            sig[i:j] = np.minimum.reduceat(mat, offsets[i:j] - lo, axis=1).T.astype(np.uint32)
            i = j
        return sig, shingle_sets

    def _long_signature(self, hashes: np.ndarray, per_block: int) -> np.ndarray:
        acc = np.full(self.num_perm, np.iinfo(np.uint64).max, dtype=_U64)
        for lo in range(0, len(hashes), per_block):
            block = hashes[lo : lo + per_block]
            np.minimum(acc, ((block[None, :] * self._a[:, None] + self._b[:, None]) >> _U64(32)).min(axis=1), out=acc)
        return acc.astype(np.uint32)

    def signatures(self, texts: Iterable[str], chunk_size: int = 4096) -> np.ndarray:
        """``(n, num_perm)`` uint32 signatures of ``texts`` (streamed in chunks)."""
        parts = [self._signatures_of_forms([match_text(t) for t in chunk]) for chunk in _chunks(texts, chunk_size)]
        if not parts:
            return np.zeros((0, self.num_perm), dtype=np.uint32)
        return np.concatenate(parts)

    def iter_signatures(self, texts: Iterable[str], chunk_size: int = 4096) -> Iterator[np.ndarray]:
        for chunk in _chunks(texts, chunk_size):
            yield from self._signatures_of_forms([match_text(t) for t in chunk])


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# --------------------------------------------------------------------------------------------------------------------
# LSH


def _false_positive(threshold: float, b: int, r: int) -> float:
    s = np.linspace(0.0, threshold, 201)
    return float(np.trapezoid(1 - (1 - s**r) ** b, s))


def _false_negative(threshold: float, b: int, r: int) -> float:
    s = np.linspace(threshold, 1.0, 201)
    return float(np.trapezoid(1 - (1 - (1 - s**r) ** b), s))


def optimal_bands(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> tuple[int, int]:
    """``(b, r)`` with ``b * r <= num_perm`` minimising the weighted false positive/negative areas (as datasketch)."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    best, best_err = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            err = fp_weight * _false_positive(threshold, b, r) + fn_weight * _false_negative(threshold, b, r)
            if err < best_err:
                best, best_err = (b, r), err
    return best


def detection_probability(similarity: float, b: int, r: int) -> float:
    """Probability that banded LSH with ``b`` bands of ``r`` rows makes a pair of this Jaccard similarity a
    candidate: ``1 - (1 - s^r)^b``."""
    return 1.0 - (1.0 - similarity**r) ** b


def bands_for_recall(threshold: float, num_perm: int, min_recall: float = 0.99) -> tuple[int, int]:
    """``(b, r)`` with ``b * r <= num_perm`` that finds a pair at ``threshold`` with probability >= ``min_recall``
    and, among those, has the smallest false-positive area (fewest candidates below the threshold to verify)."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    best, best_fp = None, float("inf")
    for r in range(1, num_perm + 1):
        b = num_perm // r
        if detection_probability(threshold, b, r) < min_recall:
            continue
        fp = _false_positive(threshold, b, r)
        if fp < best_fp:
            best, best_fp = (b, r), fp
    if best is None:
        raise ValueError(f"no banding of {num_perm} permutations reaches recall {min_recall} at {threshold}")
    return best


def lsh_curve(b: int, r: int, similarities=(0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)) -> dict[str, float]:
    """Probability of becoming a candidate at each Jaccard similarity (for the build report)."""
    return {f"{s:.2f}": round(detection_probability(s, b, r), 4) for s in similarities}


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two shingle sets given as sorted unique arrays."""
    if not len(a) and not len(b):
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (len(a) + len(b) - inter)


_BANDS_CACHE: dict[tuple[float, int, float], tuple[int, int]] = {}


def _bands(threshold: float, num_perm: int, min_recall: float = 0.99) -> tuple[int, int]:
    key = (round(threshold, 6), num_perm, min_recall)
    if key not in _BANDS_CACHE:
        _BANDS_CACHE[key] = bands_for_recall(threshold, num_perm, min_recall)
    return _BANDS_CACHE[key]


class NearDuplicateIndex:
    """A MinHash LSH index: add texts under keys, query texts for indexed keys whose exact Jaccard similarity (of
    the shingle sets) is >= threshold; LSH only proposes the candidates."""

    def __init__(
        self,
        threshold: float = 0.8,
        num_perm: int = 128,
        seed: int = 0,
        shingle: str = "char",
        k: int = 5,
        min_recall: float = 0.99,
    ):
        self.threshold = threshold
        self.hasher = MinHasher(num_perm=num_perm, seed=seed, shingle=shingle, k=k)
        self.b, self.r = _bands(threshold, num_perm, min_recall)
        self._buckets: list[dict[int, int | list[int]]] = [{} for _ in range(self.b)]
        self._sets: list[np.ndarray] = []  # shingle set per indexed position
        self.keys: list = []
        self.candidates_checked = 0

    def curve(self) -> dict[str, Any]:
        """The banding and its detection curve, for reports."""
        return {
            "num_perm": self.hasher.num_perm,
            "bands": self.b,
            "rows": self.r,
            "p_candidate_at_threshold": round(detection_probability(self.threshold, self.b, self.r), 4),
            "p_candidate_by_similarity": lsh_curve(self.b, self.r),
            "verification": "exact Jaccard of the shingle sets",
        }

    def __len__(self) -> int:
        return len(self.keys)

    def band_keys(self, sigs: np.ndarray) -> list[list[int]]:
        """One 64-bit key per band per signature row."""
        n = len(sigs)
        out = np.empty((n, self.b), dtype=_U64)
        s64 = sigs.astype(_U64)
        for band in range(self.b):
            h = np.full(n, band + 1, dtype=_U64)
            for col in range(band * self.r, (band + 1) * self.r):
                h = _splitmix64(h ^ s64[:, col])
            out[:, band] = h
        return out.tolist()

    def _candidates(self, band_keys: list[int]) -> set[int]:
        found: set[int] = set()
        for bucket, key in zip(self._buckets, band_keys):
            hit = bucket.get(key)
            if hit is None:
                continue
            if isinstance(hit, int):
                found.add(hit)
            else:
                found.update(hit)
        return found

    def _best(self, shingles: np.ndarray, candidates: set[int]) -> list[tuple[int, float]]:
        """The candidates whose exact Jaccard similarity to ``shingles`` reaches the threshold, best first."""
        out = []
        self.candidates_checked += len(candidates)
        for pos in candidates:
            sim = exact_jaccard(shingles, self._sets[pos])
            if sim >= self.threshold:
                out.append((pos, sim))
        out.sort(key=lambda item: (-item[1], item[0]))
        return out

    def _insert(self, key, shingles: np.ndarray, band_keys: list[int]) -> int:
        pos = len(self.keys)
        self.keys.append(key)
        self._sets.append(shingles)
        for bucket, bk in zip(self._buckets, band_keys):
            hit = bucket.get(bk)
            if hit is None:
                bucket[bk] = pos
            elif isinstance(hit, int):
                bucket[bk] = [hit, pos]
            else:
                hit.append(pos)
        return pos

    def add_many(self, keys: Iterable, texts: Iterable[str], chunk_size: int = 4096) -> None:
        """Index every text under its key (no de-duplication among them)."""
        key_iter = iter(keys)
        for chunk in _chunks(texts, chunk_size):
            sigs, sets = self.hasher._signatures_and_sets([match_text(t) for t in chunk], sets=True)
            for shingles, bks in zip(sets, self.band_keys(sigs)):
                self._insert(next(key_iter), shingles, bks)

    def query_many(self, texts: Iterable[str], chunk_size: int = 4096) -> Iterator[list[tuple[object, float]]]:
        """For each text, the indexed ``(key, exact_jaccard)`` at or above the threshold, most similar first."""
        for chunk in _chunks(texts, chunk_size):
            sigs, sets = self.hasher._signatures_and_sets([match_text(t) for t in chunk], sets=True)
            for shingles, bks in zip(sets, self.band_keys(sigs)):
                yield [(self.keys[pos], sim) for pos, sim in self._best(shingles, self._candidates(bks))]


# --------------------------------------------------------------------------------------------------------------------
# Clustering


@dataclass
class DedupResult:
    """Per input text: whether it is kept, the index of its cluster's representative and why it was dropped."""

    keep: list[bool] = field(default_factory=list)
    cluster: list[int] = field(default_factory=list)  # index of the representative (itself when kept)
    kind: list[str | None] = field(default_factory=list)  # None (kept), "exact" or "near"
    similarity: list[float] = field(default_factory=list)  # to the representative (1.0 when kept or exact)

    def __len__(self) -> int:
        return len(self.keep)

    @property
    def n_exact(self) -> int:
        return sum(1 for k in self.kind if k == "exact")

    @property
    def n_near(self) -> int:
        return sum(1 for k in self.kind if k == "near")

    @property
    def n_kept(self) -> int:
        return sum(self.keep)

    def clusters(self) -> dict[int, list[int]]:
        """Representative -> all members (itself first), only clusters with more than one member."""
        groups: dict[int, list[int]] = {}
        for i, rep in enumerate(self.cluster):
            groups.setdefault(rep, []).append(i)
        return {rep: members for rep, members in groups.items() if len(members) > 1}


def exact_duplicates(texts: Iterable[str]) -> DedupResult:
    """Keep the first text of every match form (:func:`exact_key`)."""
    result = DedupResult()
    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        rep = first.setdefault(exact_key(text), i)
        result.keep.append(rep == i)
        result.cluster.append(rep)
        result.kind.append(None if rep == i else "exact")
        result.similarity.append(1.0)
    return result


class Deduplicator:
    """Streaming exact + near-duplicate detection: feed texts chunk by chunk with :meth:`process`.

    State is one 16-byte key per distinct text plus the shingle set and ``b`` bucket entries per kept text, so a
    corpus can be de-duplicated while it is read, without holding its texts. ``threshold=None`` finds exact
    duplicates only. A near duplicate's similarity is the exact Jaccard similarity to the kept text it duplicates.
    """

    def __init__(
        self,
        threshold: float | None = 0.8,
        num_perm: int = 128,
        seed: int = 0,
        *,
        shingle: str = "char",
        k: int = 5,
        min_recall: float = 0.99,
    ):
        self.threshold = threshold
        self.index = (
            NearDuplicateIndex(
                threshold=threshold, num_perm=num_perm, seed=seed, shingle=shingle, k=k, min_recall=min_recall
            )
            if threshold is not None and threshold < 1.0
            else None
        )
        self._first: dict[bytes, int] = {}
        self._rep_of: dict[int, int] = {}  # exact twin's representative, for texts dropped as near duplicates
        self._guard_sets: dict[int, np.ndarray] = {}  # index position -> shingle set of its guard text
        self.n_seen = 0

    def process(
        self, texts: Sequence[str], forms: Sequence[str] | None = None, guards: Sequence[str] | None = None
    ) -> list[tuple[str | None, int, float]]:
        """For each text (in order): ``(kind, representative, similarity)``, kind None (kept), "exact" or "near";
        ``representative`` is the global 0-based position of the kept text it duplicates (itself when kept).
        ``forms`` may pass precomputed :func:`match_text` forms.

        ``guards`` (one text per text, optional): a second text that must also be similar for a near duplicate,
        e.g. the question of a question + answer pair, so that two different questions sharing one long answer are
        not near duplicates of each other. Use it on every call or on none."""
        forms = [match_text(t) for t in texts] if forms is None else list(forms)
        base = self.n_seen
        self.n_seen += len(forms)
        reps: list[int] = []
        fresh: list[int] = []
        for offset, form in enumerate(forms):
            i = base + offset
            rep = self._first.setdefault(hashlib.blake2b(form.encode("utf-8"), digest_size=16).digest(), i)
            reps.append(rep)
            if rep == i:
                fresh.append(offset)
        out: list[tuple[str | None, int, float]] = []
        near: dict[int, tuple[int, float]] = {}
        if self.index is not None and fresh:
            index = self.index
            sigs, sets = index.hasher._signatures_and_sets([forms[o] for o in fresh], sets=True)
            guard_sets: list[np.ndarray] = []
            if guards is not None:
                _, guard_sets = index.hasher._signatures_and_sets([match_text(guards[o]) for o in fresh], sets=True)
            band_keys = index.band_keys(sigs)
            for row, offset in enumerate(fresh):
                matches = index._best(sets[row], index._candidates(band_keys[row]))
                if guards is not None:
                    matches = [
                        (pos, sim)
                        for pos, sim in matches
                        if exact_jaccard(guard_sets[row], self._guard_sets[pos]) >= index.threshold
                    ]
                if matches:
                    pos, sim = matches[0]
                    near[offset] = (index.keys[pos], sim)
                    self._rep_of[base + offset] = index.keys[pos]
                else:
                    pos = index._insert(base + offset, sets[row], band_keys[row])
                    if guards is not None:
                        self._guard_sets[pos] = guard_sets[row]
        for offset in range(len(forms)):
            i = base + offset
            rep = reps[offset]
            if rep != i:
                out.append(("exact", self._rep_of.get(rep, rep), 1.0))
            elif offset in near:
                out.append(("near", near[offset][0], near[offset][1]))
            else:
                out.append((None, i, 1.0))
        return out


def near_duplicate_clusters(
    texts: Iterable[str],
    threshold: float = 0.8,
    num_perm: int = 128,
    seed: int = 0,
    *,
    shingle: str = "char",
    k: int = 5,
    chunk_size: int = 4096,
) -> DedupResult:
    """Greedy clustering: LSH candidates verified by exact Jaccard (see the module docstring); exact duplicates are
    found first by key.

    Returns a :class:`DedupResult`: ``keep`` is the keep mask, ``cluster`` the representative index per text.
    Deterministic for a given input order, ``seed`` and parameters. Memory: ``num_perm`` × 4 bytes and ``b`` bucket
    entries per *kept* text plus one 16-byte key per distinct text.
    """
    dedup_state = Deduplicator(threshold, num_perm, seed, shingle=shingle, k=k)
    result = DedupResult()
    for chunk in _chunks(texts, chunk_size):
        for kind, rep, sim in dedup_state.process(chunk):
            result.keep.append(kind is None)
            result.cluster.append(rep)
            result.kind.append(kind)
            result.similarity.append(sim)
    return result


def dedup(texts: Iterable[str], threshold: float | None = 0.8, **kwargs) -> DedupResult:
    """Exact duplicates, and near duplicates too unless ``threshold`` is None (then only exact)."""
    if threshold is None:
        return exact_duplicates(texts)
    return near_duplicate_clusters(texts, threshold=threshold, **kwargs)

