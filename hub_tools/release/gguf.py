"""The GGUF repo of a release: its allow-listed files, its generated card and Ollama files, and its check.

    files = gguf_generated_files(source, repo_id=..., version=..., base_model="gaokerena/gaokerena-v1")
    build_gguf_repo(source, out_dir, ...)            # the complete repo folder, for inspection or another uploader

``source`` is the folder ``gaokerena export gguf --out`` wrote. What the repo publishes is the ``gguf`` artifact
type's allow-list (:mod:`hub_tools.publishing.artifacts`): the ``*.gguf`` files at the top of the folder, the
importance matrix (``*.imatrix``) with its provenance (``imatrix.json``) and the measured quality
(``quality.json``) when the export wrote them, the generated ``README.md`` and Ollama's ``template``, ``system`` and
``params``. Anything else in the folder (partial files, logs, the ``plain/`` comparison files) stays local.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from pathlib import Path

from hub_tools.cards.gguf import build_gguf_card, describe_gguf_files
from hub_tools.cards.model import CardError
from hub_tools.aya import END_OF_TURN_TOKEN
from hub_tools.export.gguf import PRE_TOKENIZER, SUPPORTED_ARCHITECTURES
from hub_tools.export.quants import quant_label
from hub_tools.export.llama_tools import IMATRIX_PROVENANCE
from hub_tools.export.ollama import ollama_files
from hub_tools.export.quality import QUALITY_FILE, read_quality


OLLAMA_FILES = ("template", "system", "params")


def gguf_generated_files(source: Path, *, quants: tuple[str, ...] = (), **card_args) -> dict[str, str]:
    """``README.md`` (the card, from the files in ``source`` and its ``quality.json`` and ``imatrix.json``) and
    Ollama's three files, by repo path. ``quants``: the manifest's ladder; the folder must hold exactly those files.
    ``card_args`` are :func:`hub_tools.cards.gguf.build_gguf_card`'s keywords (``repo_id``, ``version``, ...)."""
    source = Path(source)
    files = describe_gguf_files(source)
    if quants:
        check_ladder(files, quants, source)
    imatrix_path = source / IMATRIX_PROVENANCE
    imatrix = json.loads(imatrix_path.read_text(encoding="utf-8")) if imatrix_path.is_file() else None
    card = build_gguf_card(files=files, quality=read_quality(source / QUALITY_FILE),
                           imatrix=imatrix, **card_args)  # fmt: skip
    return {"README.md": str(card), **ollama_files()}


def check_ladder(files, quants: tuple[str, ...], source: Path) -> None:
    """The manifest's quants are exactly the folder's files (a ``CardError`` naming the difference)."""
    wanted = {quant_label(q) for q in quants}
    present = {info.quant for info in files}
    if wanted != present:
        raise CardError(f"{source}: the manifest's quants and the GGUF files differ: missing "
                        f"{sorted(wanted - present) or 'none'}, not in the manifest {sorted(present - wanted) or 'none'} "
                        "(run `gaokerena export gguf --quant` with the manifest's quants)")  # fmt: skip


def _published_sources(source: Path) -> list[Path]:
    """The files of ``source`` the repo publishes as they are (the GGUF files, the imatrix and the JSON records)."""
    patterns = ("*.gguf", "*.imatrix", IMATRIX_PROVENANCE, QUALITY_FILE)
    return sorted({path for pattern in patterns for path in Path(source).glob(pattern) if path.is_file()})


def build_gguf_repo(source: Path, out_dir: Path, **card_args) -> list[str]:
    """Write the complete GGUF repo folder to ``out_dir`` (the published files hard-linked, or copied across devices);
    returns its paths. ``card_args`` are ``gguf_generated_files``'s keywords."""
    source, out_dir = Path(source), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in _published_sources(source):
        target = out_dir / path.name
        target.unlink(missing_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
        written.append(path.name)
    for name, content in gguf_generated_files(source, **card_args).items():
        (out_dir / name).write_text(content, encoding="utf-8")
        written.append(name)
    return sorted(written)


def check_gguf_repo(api, repo_id: str, commit: str, paths: list[str], *, reader=None, full_load: bool = False) -> str:
    """At ``commit``: Ollama's files are there, every GGUF file is stored by LFS and its metadata (read from the
    file's head with HTTP range requests through ``reader``, a :class:`hub_tools.release.verify.RemoteReader`, the
    tensor data never downloaded) carries the command-r architecture, pre-tokenizer, end-of-turn EOS and chat
    template. ``full_load`` also downloads the smallest file and has llama.cpp load it and generate. Returns a
    summary; raises on a problem."""
    ggufs = sorted(p for p in paths if p.endswith(".gguf"))
    if not ggufs:
        raise AssertionError("no .gguf file in the repo")
    missing = [name for name in OLLAMA_FILES + ("README.md",) if name not in paths]
    if missing:
        raise AssertionError(f"missing {missing}")
    infos = {info.path: info for info in api.get_paths_info(repo_id, ggufs, revision=commit, expand=True)}
    not_lfs = sorted(path for path, info in infos.items() if getattr(info, "lfs", None) is None)
    if not_lfs:
        raise AssertionError(f"not stored by LFS: {not_lfs}")
    if reader is None:
        from hub_tools.release.verify import RemoteReader

        reader = RemoteReader(api)
    for path in ggufs:
        def read_range(start: int, end: int, path: str = path) -> bytes:
            return reader.read_range(repo_id, path, start, end, revision=commit, repo_type="model")

        _check_metadata(read_gguf_metadata(read_range, infos[path].size), path)
    summary = f"{len(ggufs)} GGUF files by LFS, command-r metadata ok (headers read by range requests)"
    if not full_load:
        return summary
    from huggingface_hub import hf_hub_download

    smallest = min(ggufs, key=lambda p: infos[p].size)
    with tempfile.TemporaryDirectory(prefix="verify-gguf-") as tmp:
        local = Path(hf_hub_download(repo_id, smallest, revision=commit, cache_dir=tmp, endpoint=api.endpoint,
                                     token=api.token))  # fmt: skip
        return f"{summary}; {_llama_cpp_generates(local)}"


# GGUF metadata value types (the GGUF specification; gguf.GGUFValueType): scalar struct formats, 8 = string, 9 = array.
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_CHUNK = 1 << 20


class _HeadReader:
    """Sequential reads from the head of a remote file, fetched in 1 MiB range requests as needed."""

    def __init__(self, read_range, size: int) -> None:
        self.read_range, self.size = read_range, size
        self.buffer, self.pos = b"", 0

    def take(self, n: int) -> bytes:
        while self.pos + n > len(self.buffer):
            if len(self.buffer) >= self.size:
                raise AssertionError("the GGUF header runs past the end of the file")
            end = min(self.size, len(self.buffer) + max(_CHUNK, n)) - 1
            self.buffer += self.read_range(len(self.buffer), end)
        data = self.buffer[self.pos:self.pos + n]
        self.pos += n
        return data

    def unpack(self, fmt: str):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        return self.take(self.unpack("<Q")).decode("utf-8", errors="replace")

    def value(self, kind: int):
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item_kind, count = self.unpack("<I"), self.unpack("<Q")
            return [self.value(item_kind) for _ in range(count)]
        raise AssertionError(f"unknown GGUF value type {kind}")


def read_gguf_metadata(read_range, size: int) -> dict:
    """The key/value metadata of a GGUF file, parsed from its head only: ``read_range(start, end)`` returns the
    bytes ``start..end`` (inclusive, as an HTTP Range), ``size`` is the file's size. Tensor data is never read."""
    head = _HeadReader(read_range, size)
    if head.take(4) != b"GGUF":
        raise AssertionError("not a GGUF file (bad magic)")
    version = head.unpack("<I")
    if version < 2:
        raise AssertionError(f"GGUF version {version} is not supported")
    head.unpack("<Q")  # tensor count
    kv_count = head.unpack("<Q")
    metadata = {}
    for _ in range(kv_count):
        key = head.string()
        metadata[key] = head.value(head.unpack("<I"))
    return metadata


def _check_metadata(metadata: dict, path: str) -> None:
    def value(key: str):
        if key not in metadata:
            raise AssertionError(f"{path}: metadata lacks {key}")
        return metadata[key]

    expected_arch = next(iter(SUPPORTED_ARCHITECTURES.values()))
    checks = {
        "general.architecture": (value("general.architecture"), expected_arch),
        "tokenizer.ggml.pre": (value("tokenizer.ggml.pre"), PRE_TOKENIZER),
        "eos token": (value("tokenizer.ggml.tokens")[value("tokenizer.ggml.eos_token_id")], END_OF_TURN_TOKEN),
    }
    for key, (got, want) in checks.items():
        if got != want:
            raise AssertionError(f"{path}: {key} is {got!r}, expected {want!r}")
    value("tokenizer.chat_template")


def _llama_cpp_generates(path: Path) -> str:
    try:
        from llama_cpp import Llama
    except ImportError:
        return "llama-cpp-python not installed: load not checked"
    llm = Llama(model_path=str(path), n_ctx=256, verbose=False, n_threads=os.cpu_count() or 1)
    try:
        reply = llm.create_chat_completion([{"role": "user", "content": "سلام، علائم کم‌خونی چیست؟"}], max_tokens=4,
                                           temperature=0.0)  # fmt: skip
    finally:
        llm.close()
    if reply["usage"]["completion_tokens"] < 1:
        raise AssertionError(f"llama.cpp generated no token from {path.name}")
    return f"llama.cpp loads {path.name} and generated {reply['usage']['completion_tokens']} token(s)"
