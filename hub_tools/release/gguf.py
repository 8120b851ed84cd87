"""The GGUF repo of a release: its allow-listed files, its generated card and Ollama files, and its check.

    files = gguf_generated_files(source, repo_id=..., version=..., base_model="gaokerena/gaokerena-v1")
    build_gguf_repo(source, out_dir, ...)            # the complete repo folder, for inspection or another uploader

``source`` is the folder ``gaokerena export gguf --out`` wrote. What the repo publishes is an allow-list
(``GGUF_ALLOW_PATTERNS``): the ``*.gguf`` files at the top of the folder, the generated ``README.md`` and Ollama's
``template``, ``system`` and ``params``. Anything else in the folder (partial files, logs) stays local.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import tempfile
from pathlib import Path

from hub_tools.cards.gguf import build_gguf_card, describe_gguf_files
from hub_tools.export.gguf import END_OF_TURN_TOKEN, PRE_TOKENIZER, SUPPORTED_ARCHITECTURES
from hub_tools.export.ollama import ollama_files


GGUF_ALLOW_PATTERNS = ("*.gguf", "README.md", "template", "system", "params")
OLLAMA_FILES = ("template", "system", "params")


def is_published(path_in_repo: str) -> bool:
    """Whether a path belongs in a GGUF repo (top-level files matching ``GGUF_ALLOW_PATTERNS`` only)."""
    return "/" not in path_in_repo and any(fnmatch.fnmatchcase(path_in_repo, p) for p in GGUF_ALLOW_PATTERNS)


def gguf_generated_files(
    source: Path,
    *,
    repo_id: str,
    version: str,
    base_model: str,
    root_model: str | None = None,
    namespace: str = "gaokerena",
    title: str = "Gaokerena",
    license: str = "cc-by-nc-sa-4.0",
    language: str = "fa",
    hub_url: str = "https://huggingface.co",
) -> dict[str, str]:
    """``README.md`` (the card, from the files in ``source``) and Ollama's three files, by repo path."""
    card = build_gguf_card(
        repo_id=repo_id, version=version, base_model=base_model, files=describe_gguf_files(source),
        root_model=root_model, namespace=namespace, title=title, license=license, language=language, hub_url=hub_url,
    )  # fmt: skip
    return {"README.md": str(card), **ollama_files()}


def build_gguf_repo(source: Path, out_dir: Path, **card_args) -> list[str]:
    """Write the complete GGUF repo folder to ``out_dir`` (the GGUF files hard-linked, or copied across devices);
    returns its paths. ``card_args`` are ``gguf_generated_files``'s keywords."""
    source, out_dir = Path(source), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.gguf")):
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


def check_gguf_repo(api, repo_id: str, commit: str, paths: list[str]) -> str:
    """At ``commit``: Ollama's files are there, every GGUF file is stored by LFS and carries the command-r
    architecture, pre-tokenizer, end-of-turn EOS and chat template; with llama-cpp-python installed, llama.cpp
    also loads the smallest file and generates from a chat prompt. Returns a summary; raises on a problem."""
    import gguf
    from huggingface_hub import hf_hub_download

    ggufs = sorted(p for p in paths if p.endswith(".gguf"))
    if not ggufs:
        raise AssertionError("no .gguf file in the repo")
    missing = [name for name in OLLAMA_FILES + ("README.md",) if name not in paths]
    if missing:
        raise AssertionError(f"missing {missing}")
    infos = api.get_paths_info(repo_id, ggufs, revision=commit, expand=True)
    not_lfs = sorted(info.path for info in infos if getattr(info, "lfs", None) is None)
    if not_lfs:
        raise AssertionError(f"not stored by LFS: {not_lfs}")
    with tempfile.TemporaryDirectory(prefix="verify-gguf-") as tmp:
        local = {}
        for path in ggufs:
            local[path] = Path(hf_hub_download(repo_id, path, revision=commit, cache_dir=tmp, endpoint=api.endpoint,
                                               token=api.token))  # fmt: skip
            _check_metadata(gguf.GGUFReader(local[path]), path)
        smallest = min(ggufs, key=lambda p: local[p].stat().st_size)
        generated = _llama_cpp_generates(local[smallest])
    return f"{len(ggufs)} GGUF files by LFS, command-r metadata ok; {generated}"


def _check_metadata(reader, path: str) -> None:
    def value(key: str):
        field = reader.get_field(key)
        if field is None:
            raise AssertionError(f"{path}: metadata lacks {key}")
        return field.contents()

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
