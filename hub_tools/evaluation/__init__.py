"""Evaluation: multiple-choice (MMLU-fa, IBMSEE; generate and loglikelihood protocols), K-QA-fa with LLM judges,
the paper's results re-scored, paired comparisons, and the result file schema (SCHEMAS.md §3).

Light imports only here (no torch): the Space and the release tools import ``schema`` and ``paper_import``.
"""

from __future__ import annotations

from .extract import extract_choice
from .schema import (
    Result,
    ResultValidationError,
    load_result,
    result_filename,
    save_result,
    to_eval_results,
    to_hub_eval_results_yaml,
)


def import_paper_results(directory, **kwargs):
    """See ``hub_tools.evaluation.paper_import.import_paper_results``."""
    from .paper_import import import_paper_results as _impl

    return _impl(directory, **kwargs)


__all__ = [
    "Result",
    "ResultValidationError",
    "extract_choice",
    "import_paper_results",
    "load_result",
    "result_filename",
    "save_result",
    "to_eval_results",
    "to_hub_eval_results_yaml",
]
