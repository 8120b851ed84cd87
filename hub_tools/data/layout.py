"""File names inside a built dataset folder that both the writer (:mod:`hub_tools.data.output`) and the dataset
card (:mod:`hub_tools.cards.dataset`) use; a leaf (standard library only), so neither imports the other for them."""

from __future__ import annotations


def parquet_name(split: str) -> str:
    """The one parquet file of ``split`` in a config folder: ``<split>-00000-of-00001.parquet``."""
    return f"{split}-00000-of-00001.parquet"
