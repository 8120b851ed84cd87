"""The card of a GGUF repo (``base_model_relation: quantized``): quant table, RAM needs, one-line commands.

    card = build_gguf_card(repo_id="gaokerena/gaokerena-v1-GGUF", version="v1.0",
                           base_model="gaokerena/gaokerena-v1", files=describe_gguf_files(folder))

Sizes, the RAM estimate and each file's tensor types are read from the GGUF files themselves (``gguf.GGUFReader``:
file type, layers, KV heads, the type of every tensor), never typed by hand. With ``quality`` (the ``quality.json``
of ``gaokerena export gguf --measure``) the table gets each file's KL divergence, top-1 agreement and perplexity
against F16, with and without the importance matrix, and the "which file" advice is derived from them
(:func:`recommend`); with ``imatrix`` (``imatrix.json``) the card says how the matrix was made and proven clean.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from huggingface_hub import ModelCard, ModelCardData

from hub_tools.cards.model import MODEL_TAGS, CardError, _common_context, _render
from hub_tools.export.quants import QUANT_NOTES, quant_label, quant_of_file
from hub_tools.export.quality import FileQuality, QualityReport


GGUF_TAGS = [tag for tag in MODEL_TAGS if tag != "lora"] + ["gguf", "llama.cpp", "ollama"]
#: Context length the RAM estimate assumes (Ollama's params set the same).
RAM_CONTEXT = 4096
#: Compute buffers and runtime on top of weights and KV cache (llama.cpp CPU, measured order of magnitude).
RAM_OVERHEAD_BYTES = 300 * 1024**2
RECOMMENDED_QUANT = "Q4_K_M"
#: A file is "close to F16" when its mean KL divergence (nats) and top-1 agreement on the held-out text are within
#: these bars; the recommended file is the smallest one that is (llama.cpp's published 8B figures: Q4_K_M is around
#: 0.03-0.06 nats and 90-93% top-1, Q6_K under 0.01 and over 97%).
KLD_BAR = 0.05
TOP1_BAR = 0.90


@dataclass(frozen=True)
class GGUFFileInfo:
    """One GGUF file of the repo, as the card describes it."""

    filename: str
    quant: str  # Q4_K_M, F16, ...
    size: int
    ram: int  # estimated bytes of RAM to run it at RAM_CONTEXT tokens
    tensor_types: dict[str, int] = field(default_factory=dict)  # ggml type -> number of tensors

    @property
    def size_label(self) -> str:
        return _human(self.size)

    @property
    def ram_label(self) -> str:
        return _human(self.ram)


def describe_gguf_file(path: Path) -> GGUFFileInfo:
    """Size, quant type and RAM estimate (file + F16 KV cache at RAM_CONTEXT + overhead) of one GGUF file."""
    import gguf

    path = Path(path)
    reader = gguf.GGUFReader(path)
    arch = _field(reader, "general.architecture", path)
    layers = int(_field(reader, f"{arch}.block_count", path))
    embedding = int(_field(reader, f"{arch}.embedding_length", path))
    heads = int(_field(reader, f"{arch}.attention.head_count", path))
    kv_heads = int(_field(reader, f"{arch}.attention.head_count_kv", path))
    ftype = gguf.LlamaFileType(int(_field(reader, "general.file_type", path)))
    types = {tensor.name: tensor.tensor_type.name for tensor in reader.tensors}
    quant = quant_of_file(path.name, ftype.name.removeprefix("MOSTLY_").removeprefix("ALL_"))
    kv_cache = 2 * layers * kv_heads * (embedding // heads) * RAM_CONTEXT * 2
    size = path.stat().st_size
    counts = dict(sorted(Counter(types.values()).items(), key=lambda item: (-item[1], item[0])))
    return GGUFFileInfo(path.name, quant, size, size + kv_cache + RAM_OVERHEAD_BYTES, counts)


def describe_gguf_files(folder: Path) -> list[GGUFFileInfo]:
    """Every ``*.gguf`` directly in ``folder``, largest first (F16, Q8_0, ..., the smallest quant)."""
    files = sorted(Path(folder).glob("*.gguf"))
    if not files:
        raise CardError(f"{folder} holds no .gguf file: run `gaokerena export gguf --out {folder}` first")
    return sorted((describe_gguf_file(p) for p in files), key=lambda info: (-info.size, info.filename))


def build_gguf_card(
    *,
    repo_id: str,
    version: str,
    base_model: str,
    files: list[GGUFFileInfo],
    root_model: str | None = None,
    namespace: str = "gaokerena",
    title: str = "Gaokerena",
    license: str = "cc-by-nc-sa-4.0",
    language: str = "fa",
    hub_url: str = "https://huggingface.co",
    quality: QualityReport | None = None,
    imatrix: dict | None = None,
) -> ModelCard:
    """The GGUF repo's card: ``base_model`` is the merged model the files were converted from; ``quality`` and
    ``imatrix`` are the export's ``quality.json`` and ``imatrix.json`` when it measured and used an imatrix."""
    if not files:
        raise CardError(f"{repo_id}: a GGUF card needs at least one file")
    card_data = ModelCardData(
        language=[language],
        license=license,
        library_name="gguf",
        pipeline_tag="text-generation",
        base_model=base_model,
        base_model_relation="quantized",
        tags=GGUF_TAGS,
    )
    rows = quality_rows(files, quality) if quality else []
    quants = [info.quant for info in files]
    if rows:
        default_quant = recommend(rows).info.quant
    else:
        default_quant = RECOMMENDED_QUANT if RECOMMENDED_QUANT in quants else files[-1].quant
    default_file = next(info.filename for info in files if info.quant == default_quant)
    context = dict(
        _common_context(repo_id, version, base_model, namespace, title, license, language, hub_url, root_model),
        files=files,
        default_quant=default_quant,
        default_file=default_file,
        ram_context=RAM_CONTEXT,
        notes={quant_label(k): v for k, v in QUANT_NOTES.items()},
        hub_host=_ollama_host(hub_url),
        rows=rows,
        ladder=ram_ladder(rows) if rows else [],
        quality=quality,
        imatrix=imatrix,
        kld_bar=KLD_BAR,
        top1_bar=TOP1_BAR,
    )
    return _render("gguf_card.md", card_data, context)


@dataclass(frozen=True)
class QualityRow:
    """A published file with its measured figures (``measured``: as published; ``plain``: the same quant made
    without the importance matrix, when the export compared them)."""

    info: GGUFFileInfo
    measured: FileQuality
    plain: FileQuality | None = None

    @property
    def close_to_f16(self) -> bool:
        return self.measured.mean_kld <= KLD_BAR and self.measured.top1 >= TOP1_BAR


def quality_rows(files: list[GGUFFileInfo], quality: QualityReport) -> list[QualityRow]:
    """One row per published file, largest first; a file the report does not cover is an error (a stale report)."""
    rows = []
    for info in files:
        measured = next((f for f in quality.files if f.file == info.filename), None)
        if measured is None:
            raise CardError(f"quality.json has no figures for {info.filename}: run the export with --measure again")
        plain = quality.find(measured.quant, False) if measured.imatrix else None
        rows.append(QualityRow(info, measured, plain))
    return rows


def recommend(rows: list[QualityRow]) -> QualityRow:
    """The smallest quantized file close to F16 (``KLD_BAR``, ``TOP1_BAR``); if none is, the quantized file with the
    lowest KL divergence; F16 only when it is the only file."""
    quantized = [row for row in rows if row.info.quant != "F16"] or rows
    close = [row for row in quantized if row.close_to_f16]
    if close:
        return min(close, key=lambda row: row.info.size)
    return min(quantized, key=lambda row: (row.measured.mean_kld, row.info.size))


def ram_ladder(rows: list[QualityRow]) -> list[QualityRow]:
    """The files worth choosing by RAM, smallest first: each has a lower KL divergence than every smaller file
    (a bigger file that measures no better is never the right choice)."""
    ladder: list[QualityRow] = []
    for row in sorted(rows, key=lambda r: r.info.size):
        if not ladder or row.measured.mean_kld < ladder[-1].measured.mean_kld:
            ladder.append(row)
    return ladder


def _field(reader, key: str, path: Path):
    field = reader.get_field(key)
    if field is None:
        raise CardError(f"{path}: GGUF metadata lacks {key}")
    return field.contents()


def _human(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.2f} {unit}" if unit == "GB" else f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _ollama_host(hub_url: str) -> str:
    """The host Ollama pulls from: ``hf.co`` for the public Hub, the endpoint's host otherwise."""
    host = hub_url.rstrip("/").split("://", 1)[-1]
    return "hf.co" if host in ("huggingface.co", "hf.co") else host
