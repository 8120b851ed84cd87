"""Convert a Cohere-architecture checkpoint (aya-expanse, Gaokerena) to GGUF files for llama.cpp, Ollama, LM Studio.

    paths = export_gguf(Path("artifacts/merged/sft"), Path("artifacts/gguf"), ["f16", "q8_0", "q4_k_m"],
                        name="gaokerena-v1")

The F16 file is written with the ``gguf`` package (llama.cpp's own Python GGUF writer): architecture ``command-r``
(how llama.cpp runs ``CohereForCausalLM``), the full byte-level BPE vocabulary with the ``command-r``
pre-tokenizer, the special tokens (EOS = ``<|END_OF_TURN_TOKEN|>``), the chat template, ``logit_scale`` and no
``output`` tensor (the embeddings are tied, as in aya). Tensors are streamed one at a time from the safetensors
shards, so an 8B model converts without holding its weights in memory. Every other type (Q8_0, the K-quants) is
made from the F16 file by llama.cpp's own quantizer through ``llama-cpp-python`` (``llama_model_quantize``).
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from hub_tools.aya import END_OF_TURN_TOKEN
from hub_tools.export.quants import (
    DEFAULT_QUANTS,
    IMATRIX_QUANTS,
    L_VARIANTS,
    GGUFExportError,
    file_type,
    gguf_file_name,
    quant_label,
)


logger = logging.getLogger(__name__)

#: HF architecture -> llama.cpp architecture name (``gguf.MODEL_ARCH_NAMES``).
SUPPORTED_ARCHITECTURES = {"CohereForCausalLM": "command-r"}
SUPPORTED_MODEL_TYPES = {"cohere": "CohereForCausalLM"}
#: llama.cpp's pre-tokenizer for Cohere's byte-level BPE (individual digits, then the GPT-2 split).
PRE_TOKENIZER = "command-r"


@dataclass(frozen=True)
class ExportedFile:
    quant: str
    path: Path
    seconds: float
    imatrix: bool = False  # quantized with an importance matrix

    @property
    def size(self) -> int:
        return self.path.stat().st_size


# ------------------------------------------------------------------------------------------------------ reading
def read_config(model_dir: Path) -> dict[str, Any]:
    """``config.json``, checked for an architecture llama.cpp runs the way this exporter writes it."""
    path = Path(model_dir) / "config.json"
    if not path.is_file():
        raise GGUFExportError(f"{model_dir} has no config.json: not a transformers model folder")
    config = json.loads(path.read_text(encoding="utf-8"))
    architectures = config.get("architectures") or []
    supported = [a for a in architectures if a in SUPPORTED_ARCHITECTURES]
    if not architectures and config.get("model_type") in SUPPORTED_MODEL_TYPES:  # a config saved without a model
        supported = [SUPPORTED_MODEL_TYPES[config["model_type"]]]
    if not supported:
        raise GGUFExportError(
            f"{path}: architecture {architectures or config.get('model_type')!r} is not supported by the GGUF "
            f"exporter; supported: {', '.join(f'{k} ({v})' for k, v in SUPPORTED_ARCHITECTURES.items())}"
        )
    if not config.get("tie_word_embeddings", True):
        raise GGUFExportError(f"{path}: tie_word_embeddings is false, but llama.cpp's command-r ties the output "
                              "to the token embeddings")  # fmt: skip
    if config.get("use_qk_norm") and config["num_hidden_layers"] < 64:
        raise GGUFExportError(f"{path}: use_qk_norm with fewer than 64 layers is not a layout llama.cpp's command-r "
                              "reads (it loads q/k norms only for Command R+ sized models)")  # fmt: skip
    return config


def _safetensors_files(model_dir: Path) -> list[Path]:
    index = model_dir / "model.safetensors.index.json"
    if index.is_file():
        shards = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
        return [model_dir / shard for shard in shards]
    single = model_dir / "model.safetensors"
    if single.is_file():
        return [single]
    raise GGUFExportError(f"{model_dir} has no model.safetensors (or shard index): save the model with "
                          "save_pretrained(safe_serialization=True)")  # fmt: skip


def _iter_tensor_names(model_dir: Path) -> Iterator[tuple[Path, str, tuple[int, ...]]]:
    from safetensors import safe_open

    for shard in _safetensors_files(model_dir):
        with safe_open(shard, framework="pt") as handle:
            for name in handle.keys():
                yield shard, name, tuple(handle.get_slice(name).get_shape())


def _gguf_tensor_name(name: str, name_map) -> str | None:
    """HF tensor name -> GGUF name; None for a tensor llama.cpp does not use (the tied lm_head)."""
    if name == "lm_head.weight":
        return None
    mapped = name_map.get_name(name, try_suffixes=(".weight", ".bias"))
    if mapped is None:
        raise GGUFExportError(f"tensor {name!r} has no command-r counterpart in llama.cpp")
    return mapped


# ------------------------------------------------------------------------------------------------------ vocab
@dataclass
class Vocab:
    tokens: list[str]
    types: list[int]
    merges: list[str]
    special_ids: dict[str, int]
    add_bos: bool
    add_eos: bool
    chat_template: str | list[dict[str, str]] | None


def read_vocab(model_dir: Path, vocab_size: int) -> Vocab:
    """The tokenizer as llama.cpp's ``gpt2`` BPE model reads it, padded with unused tokens to ``vocab_size``."""
    import gguf
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    backend = json.loads(tokenizer.backend_tokenizer.to_str())
    if backend["model"]["type"] != "BPE":
        raise GGUFExportError(f"{model_dir}: tokenizer model {backend['model']['type']!r} is not byte-level BPE")
    vocab = tokenizer.get_vocab()
    if len(vocab) > vocab_size:
        raise GGUFExportError(f"{model_dir}: the tokenizer has {len(vocab)} tokens but the model only {vocab_size}")
    by_id = {index: token for token, index in vocab.items()}
    added = tokenizer.added_tokens_decoder
    tokens, types = [], []
    for index in range(vocab_size):
        if index not in by_id:
            tokens.append(f"[PAD{index}]")
            types.append(gguf.TokenType.UNUSED)
        elif index in added:
            tokens.append(by_id[index])
            types.append(gguf.TokenType.CONTROL if added[index].special else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(by_id[index])
            types.append(gguf.TokenType.NORMAL)
    merges = [" ".join(pair) if isinstance(pair, list) else pair for pair in backend["model"]["merges"]]
    if END_OF_TURN_TOKEN not in vocab:
        raise GGUFExportError(f"{model_dir}: the tokenizer lacks {END_OF_TURN_TOKEN}, aya's end of turn")
    special_ids = {"eos": vocab[END_OF_TURN_TOKEN], "eot": vocab[END_OF_TURN_TOKEN]}
    for kind in ("bos", "pad", "unk", "sep", "mask"):
        token = getattr(tokenizer, f"{kind}_token", None)
        if token is not None and token in vocab:
            special_ids[kind] = vocab[token]
    probe = tokenizer("a")["input_ids"]
    return Vocab(
        tokens=tokens,
        types=[int(t) for t in types],
        merges=merges,
        special_ids=special_ids,
        add_bos="bos" in special_ids and probe[0] == special_ids["bos"],
        add_eos=probe[-1] == special_ids["eos"],
        chat_template=tokenizer.chat_template,
    )


# ------------------------------------------------------------------------------------------------------ writing
def write_f16(model_dir: Path, out_path: Path, *, name: str, progress: bool = True) -> Path:
    """Write the F16 GGUF of ``model_dir`` (matrices in F16, norms in F32) to ``out_path``."""
    import gguf
    import torch
    from safetensors import safe_open

    model_dir, out_path = Path(model_dir), Path(out_path)
    config = read_config(model_dir)
    arch = gguf.MODEL_ARCH.COMMAND_R
    n_layers = int(config["num_hidden_layers"])
    name_map = gguf.get_tensor_name_map(arch, n_layers)
    vocab = read_vocab(model_dir, int(config["vocab_size"]))

    entries = []  # (shard, hf name, gguf name, shape, numpy dtype)
    for shard, hf_name, shape in _iter_tensor_names(model_dir):
        gguf_name = _gguf_tensor_name(hf_name, name_map)
        if gguf_name is not None:
            dtype = np.float32 if len(shape) == 1 else np.float16
            entries.append((shard, hf_name, gguf_name, shape, dtype))
    if not any(e[2] == "token_embd.weight" for e in entries):
        raise GGUFExportError(f"{model_dir}: no model.embed_tokens.weight among the tensors")

    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    writer = gguf.GGUFWriter(partial, gguf.MODEL_ARCH_NAMES[arch])
    _add_metadata(writer, config, vocab, name=name)
    for _, _, gguf_name, shape, dtype in entries:
        writer.add_tensor_info(gguf_name, shape, np.dtype(dtype), int(np.prod(shape)) * np.dtype(dtype).itemsize)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    handles: dict[Path, Any] = {}
    try:
        bar = tqdm(entries, desc=f"F16 {out_path.name}", unit="tensor", disable=not progress)
        for shard, hf_name, _, _, dtype in bar:
            if shard not in handles:
                handles[shard] = safe_open(shard, framework="pt")
            tensor = handles[shard].get_tensor(hf_name).to(torch.float32).numpy()
            writer.write_tensor_data(tensor.astype(dtype, copy=False))
            del tensor
    finally:
        writer.close()
        handles.clear()
    partial.replace(out_path)
    return out_path


def _add_metadata(writer, config: dict[str, Any], vocab: Vocab, *, name: str) -> None:
    import gguf

    heads = int(config["num_attention_heads"])
    writer.add_name(name)
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_block_count(int(config["num_hidden_layers"]))
    writer.add_context_length(int(config.get("model_max_length") or config["max_position_embeddings"]))
    writer.add_embedding_length(int(config["hidden_size"]))
    writer.add_feed_forward_length(int(config["intermediate_size"]))
    writer.add_head_count(heads)
    writer.add_head_count_kv(int(config.get("num_key_value_heads") or heads))
    writer.add_rope_freq_base(float(_rope_theta(config)))
    writer.add_rope_scaling_type(gguf.RopeScalingType.NONE)
    writer.add_layer_norm_eps(float(config["layer_norm_eps"]))
    writer.add_logit_scale(float(config["logit_scale"]))
    writer.add_vocab_size(len(vocab.tokens))

    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(PRE_TOKENIZER)
    writer.add_token_list(vocab.tokens)
    writer.add_token_types(vocab.types)
    writer.add_token_merges(vocab.merges)
    for kind, token_id in vocab.special_ids.items():
        getattr(writer, f"add_{kind}_token_id")(token_id)
    writer.add_add_bos_token(vocab.add_bos)
    writer.add_add_eos_token(vocab.add_eos)
    if vocab.chat_template:
        writer.add_chat_template(vocab.chat_template)


def _rope_theta(config: dict[str, Any]) -> float:
    parameters = config.get("rope_parameters") or {}
    if parameters.get("rope_type", "default") != "default":
        raise GGUFExportError(f"rope_type {parameters['rope_type']!r} is not supported (command-r uses plain RoPE)")
    return parameters.get("rope_theta", config.get("rope_theta", 10000.0))


def quantize(f16_path: Path, out_path: Path, quant: str, *, threads: int | None = None) -> Path:
    """Make ``out_path`` from the F16 file with llama.cpp's quantizer (``llama_model_quantize``); an ``_L`` variant
    keeps the token embeddings and the output in Q8_0."""
    ftype = file_type(quant)
    try:
        import llama_cpp
    except ImportError as error:
        raise GGUFExportError(
            f"quant {quant} needs llama.cpp's quantizer: pip install llama-cpp-python ({error})"
        ) from error
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = int(ftype)
    params.nthread = threads or os.cpu_count() or 1
    if quant in L_VARIANTS:
        params.token_embedding_type = params.output_tensor_type = llama_cpp.GGML_TYPE_Q8_0
    partial = out_path.with_name(out_path.name + ".partial")
    status = llama_cpp.llama_model_quantize(str(f16_path).encode(), str(partial).encode(), ctypes.byref(params))
    if status != 0:
        partial.unlink(missing_ok=True)
        raise GGUFExportError(f"llama.cpp could not quantize {f16_path} to {quant_label(quant)} (status {status})")
    partial.replace(out_path)
    return out_path


def export_gguf(
    model_dir: Path,
    out_dir: Path,
    quants: list[str] | tuple[str, ...] = DEFAULT_QUANTS,
    *,
    name: str,
    progress: bool = True,
    threads: int | None = None,
    calibration: Path | None = None,
    imatrix_ctx: int = 512,
    imatrix_chunks: int = -1,
    tools=None,
    plain_too: bool = False,
    keep_f16: bool = False,
) -> list[ExportedFile]:
    """One ``<name>-<QUANT>.gguf`` per quant in ``out_dir``. The F16 file is always made (the others come from
    it); it is deleted at the end unless ``f16`` was asked for or ``keep_f16``.

    ``calibration``: a calibration text (``gaokerena export calibration``). ``tools`` (a
    :class:`hub_tools.export.llama_tools.LlamaTools`) then computes ``<name>.imatrix`` on the F16 file, writes its
    provenance to ``imatrix.json``, and makes the quants an imatrix changes with it. ``plain_too`` also makes those
    quants without it, in ``out_dir/plain/`` (for the with/without comparison; never published)."""
    import time

    quants = list(dict.fromkeys(q.lower() for q in quants))
    for quant in quants:
        file_type(quant)
    read_config(Path(model_dir))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    f16_path = out_dir / gguf_file_name(name, "f16")
    start = time.perf_counter()
    write_f16(Path(model_dir), f16_path, name=name, progress=progress)
    exported = [ExportedFile("f16", f16_path, time.perf_counter() - start)]
    imatrix = None
    if calibration is not None:
        from hub_tools.export.llama_tools import write_imatrix

        imatrix = write_imatrix(tools, f16_path, Path(calibration), out_dir / f"{name}.imatrix", ctx=imatrix_ctx,
                                chunks=imatrix_chunks, threads=threads)  # fmt: skip
    jobs = [(q, out_dir, imatrix if q in IMATRIX_QUANTS else None) for q in quants if q != "f16"]
    if imatrix is not None and plain_too:
        jobs += [(q, out_dir / "plain", None) for q in quants if q in IMATRIX_QUANTS]
    for quant, folder, matrix in tqdm(jobs, desc="quantize", unit="file", disable=not progress or not jobs):
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        target = folder / gguf_file_name(name, quant)
        if matrix is None:
            path = quantize(f16_path, target, quant, threads=threads)
        else:
            path = tools.quantize(f16_path, target, quant, imatrix=matrix, threads=threads)
        exported.append(ExportedFile(quant, path, time.perf_counter() - start, imatrix=matrix is not None))
    if "f16" not in quants and not keep_f16:
        f16_path.unlink()
        exported = exported[1:]
    return exported
