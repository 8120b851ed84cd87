"""The GGUF quant ladder: quant names, ``_L`` variants, file names and file types (a leaf module).

``hub_tools.export.gguf`` (the F16 writer and llama-cpp-python's quantizer) and ``hub_tools.export.llama_tools``
(llama.cpp's ``llama-imatrix``/``llama-quantize``) both take these; neither imports the other at module level.
"""

from __future__ import annotations


#: Quant names accepted on the command line, in the order files are made. Each is a ``gguf.LlamaFileType``, or an
#: ``_L`` variant (below).
QUANT_TYPES = ("f16", "q8_0", "q6_k_l", "q6_k", "q5_k_l", "q5_k_m", "q5_k_s", "q4_k_l", "q4_k_m", "q4_k_s", "q4_0",
               "iq4_xs", "q3_k_m", "q2_k")  # fmt: skip
DEFAULT_QUANTS = ("f16", "q8_0", "q5_k_m", "q4_k_m")
#: ``_L`` variants (as bartowski names them): the base quant with the token embeddings (and the output matrix, which
#: aya ties to them) kept in Q8_0 instead of the base quant's Q6_K. aya's 256k-token embedding is an eighth of the 8B
#: model and is also its output layer; Q8_0 there costs ~0.25 GB more than Q6_K.
L_VARIANTS = {"q6_k_l": "q6_k", "q5_k_l": "q5_k_m", "q4_k_l": "q4_k_m"}
L_TENSOR_TYPE = "Q8_0"
#: Quants whose quality an importance matrix changes (llama.cpp ignores it for F16 and Q8_0).
IMATRIX_QUANTS = tuple(q for q in QUANT_TYPES if q not in ("f16", "q8_0"))
#: What a quant is for, for the cards.
QUANT_NOTES = {
    "f16": "unquantized reference; the source of the other files",
    "q8_0": "practically lossless",
    "q6_k_l": "very close to F16, Q8_0 embeddings and output",
    "q6_k": "very close to F16",
    "q5_k_l": "high quality, Q8_0 embeddings and output",
    "q5_k_m": "high quality",
    "q5_k_s": "high quality, a little smaller",
    "q4_k_l": "Q4_K_M with Q8_0 embeddings and output",
    "q4_k_m": "recommended for most computers",
    "q4_k_s": "smaller, slightly lower quality",
    "q4_0": "legacy 4-bit, fast on ARM",
    "iq4_xs": "4-bit i-quant, smaller than Q4_K_M",
    "q3_k_m": "small, noticeably lower quality",
    "q2_k": "smallest, lowest quality",
}


class GGUFExportError(ValueError):
    """A model or request the exporter cannot turn into correct GGUF files (named in the message)."""


def quant_label(quant: str) -> str:
    """``q4_k_m`` -> ``Q4_K_M`` (the suffix of the file name and Ollama's tag)."""
    return quant.upper()


def gguf_file_name(name: str, quant: str) -> str:
    return f"{name}-{quant_label(quant)}.gguf"


def file_type(quant: str):
    """The ``gguf.LlamaFileType`` of a quant name (an ``_L`` variant's base); ``GGUFExportError`` for an unknown one."""
    import gguf

    if quant not in QUANT_TYPES:
        raise GGUFExportError(f"unknown quant {quant!r}; choose from {', '.join(QUANT_TYPES)}")
    return gguf.LlamaFileType[f"MOSTLY_{L_VARIANTS.get(quant, quant).upper()}"]


def quant_of_file(filename: str, ftype_name: str) -> str:
    """The quant label of a file: its name's ``-<QUANT>.gguf`` suffix when that quant has the file's
    ``general.file_type`` (``ftype_name``, e.g. ``Q4_K_M``: an ``_L`` variant has its base's), else ``ftype_name``.
    (On a small model whose rows fall back to other types, Q4_K_M and Q4_K_L can hold the same tensor types.)"""
    stem = filename.removesuffix(".gguf")
    for quant in QUANT_TYPES:
        if stem.endswith(f"-{quant_label(quant)}") and quant_label(L_VARIANTS.get(quant, quant)) == ftype_name:
            return quant_label(quant)
    return ftype_name
