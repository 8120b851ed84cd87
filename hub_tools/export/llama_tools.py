"""llama.cpp's own ``llama-imatrix`` and ``llama-quantize``: an importance matrix and the quants made with it.

    tools = LlamaTools.find()                       # .gl/build-0.3.36/bin (``make llama-tools``), else PATH
    tools.imatrix(f16, Path("calibration.txt"), Path("out/gaokerena-v1.imatrix"), ctx=512)
    tools.quantize(f16, Path("out/gaokerena-v1-Q4_K_M.gguf"), "q4_k_m", imatrix=Path("out/gaokerena-v1.imatrix"))

Why the tools and not llama-cpp-python: the importance matrix is collected by an evaluation callback inside
``llama-imatrix`` (C++), and llama-cpp-python has no code that computes one. ``make llama-tools`` builds the two
tools once, CPU only, from the llama.cpp that llama-cpp-python's sdist vendors (the same source as the bindings the
exporter and the measurements use), into ``.gl/``. The imatrix is written in llama.cpp's ``dat`` format with the
``.imatrix`` suffix, as bartowski and lmstudio-community publish theirs: a ``.gguf`` imatrix at the top of a GGUF
repo would be listed by Ollama and LM Studio as one more model file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hub_tools.export.quants import L_TENSOR_TYPE, L_VARIANTS, GGUFExportError, file_type, quant_label


#: The llama-cpp-python release whose vendored llama.cpp the Makefile builds the tools from (= the pinned bindings).
LLAMA_CPP_PYTHON_VERSION = "0.3.36"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TOOLS_DIR = REPO_ROOT / ".gl" / f"build-{LLAMA_CPP_PYTHON_VERSION}" / "bin"  # the Makefile's LLAMA_BUILD
TOOL_NAMES = ("llama-imatrix", "llama-quantize")


@dataclass(frozen=True)
class LlamaTools:
    """Paths of the two tools."""

    imatrix_bin: Path
    quantize_bin: Path

    @classmethod
    def find(cls, tools_dir: Path | None = None) -> LlamaTools:
        """From ``tools_dir`` (default: the Makefile's build folder, then ``PATH``); a clear error when missing."""
        found = []
        for name in TOOL_NAMES:
            folders = [Path(tools_dir)] if tools_dir else [DEFAULT_TOOLS_DIR]
            path = next((f / name for f in folders if (f / name).is_file()), None)
            if path is None and tools_dir is None and shutil.which(name):
                path = Path(shutil.which(name))
            if path is None:
                raise GGUFExportError(
                    f"{name} not found in {folders[0]}{'' if tools_dir else ' or on PATH'}: run `make llama-tools` "
                    "(builds llama.cpp's llama-imatrix and llama-quantize from llama-cpp-python's vendored source)"
                )
            found.append(path)
        return cls(*found)

    def imatrix(self, f16_path: Path, calibration: Path, out_path: Path, *, ctx: int = 512, chunks: int = -1,
                threads: int | None = None) -> Path:  # fmt: skip
        """``llama-imatrix`` over ``calibration`` (plain text, cut into ``ctx``-token chunks) into ``out_path``."""
        calibration = Path(calibration)
        if not calibration.is_file() or not calibration.read_text(encoding="utf-8").strip():
            raise GGUFExportError(f"calibration text {calibration} is missing or empty")
        partial = Path(out_path).resolve().with_name(Path(out_path).name + ".partial")
        # Run beside the text and name it bare: the imatrix records its dataset's name, and every quant made from
        # it copies that into its metadata (quantize.imatrix.dataset); a local path must not be published.
        command = [str(self.imatrix_bin), "-m", str(Path(f16_path).resolve()), "-f", calibration.name,
                   "-o", str(partial), "--output-format", "dat", "-c", str(ctx), "-b", str(ctx),
                   "--chunks", str(chunks), "-t", str(threads or os.cpu_count() or 1), "--no-ppl"]  # fmt: skip
        _run(command, f"llama-imatrix on {calibration}", cwd=calibration.parent)
        partial.replace(out_path)
        return out_path

    def quantize(self, f16_path: Path, out_path: Path, quant: str, *, imatrix: Path | None = None,
                 threads: int | None = None) -> Path:  # fmt: skip
        """``llama-quantize [--imatrix FILE]`` of the F16 file to ``quant`` (an ``_L`` variant: Q8_0 embeddings and
        output)."""
        ftype = file_type(quant).name.removeprefix("MOSTLY_")
        command = [str(self.quantize_bin)]
        if imatrix is not None:  # by its bare name, from its folder: the file records it (quantize.imatrix.file)
            command += ["--imatrix", Path(imatrix).name]
        if quant in L_VARIANTS:
            command += ["--token-embedding-type", L_TENSOR_TYPE.lower(), "--output-tensor-type", L_TENSOR_TYPE.lower()]
        partial = Path(out_path).resolve().with_name(Path(out_path).name + ".partial")
        command += [str(Path(f16_path).resolve()), str(partial), ftype, str(threads or os.cpu_count() or 1)]
        _run(command, f"llama-quantize {quant_label(quant)} of {Path(f16_path).name}",
             cwd=Path(imatrix).resolve().parent if imatrix is not None else None)
        partial.replace(out_path)
        return out_path


IMATRIX_PROVENANCE = "imatrix.json"


def write_imatrix(tools: LlamaTools, f16_path: Path, calibration: Path, out_path: Path, *, ctx: int = 512,
                  chunks: int = -1, threads: int | None = None) -> Path:  # fmt: skip
    """Compute the imatrix into ``out_path`` and write its provenance, ``imatrix.json`` beside it: the calibration
    text's own provenance (``calibration.json`` from ``gaokerena export calibration``: sources, seed, SHA-256, the
    contamination check) and how the matrix was computed."""
    from hub_tools.export.calibration import provenance_path

    if tools is None:
        raise GGUFExportError("an importance matrix needs llama.cpp's tools (LlamaTools.find())")
    calibration = Path(calibration)
    source = provenance_path(calibration)
    if not source.is_file():
        raise GGUFExportError(f"{calibration} has no provenance file {source.name} beside it: make the calibration "
                              "text with `gaokerena export calibration`")  # fmt: skip
    tools.imatrix(f16_path, calibration, out_path, ctx=ctx, chunks=chunks, threads=threads)
    provenance = {
        "imatrix": out_path.name,
        "format": "llama.cpp imatrix (dat)",
        "computed_with": f"llama-imatrix from llama.cpp as vendored by llama-cpp-python {LLAMA_CPP_PYTHON_VERSION}",
        "computed_on": f16_path.name,
        "context": ctx,
        "chunks": chunks,
        "calibration": json.loads(source.read_text(encoding="utf-8")),
    }
    (out_path.parent / IMATRIX_PROVENANCE).write_text(json.dumps(provenance, ensure_ascii=False, indent=1) + "\n")
    return out_path


def _run(command: list[str], what: str, *, cwd: Path | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False, cwd=cwd)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise GGUFExportError(f"{what} failed (exit {result.returncode}):\n{tail}")
