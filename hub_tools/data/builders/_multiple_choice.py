"""What the four-option multiple-choice builders (MMLU-fa, IBMSEE) share: the sheet columns of a question, its four
options and its 1-4 answer; their parsing into (question, choices, answer); and the Features of the output rows
(id, question, choices (4), answer (ClassLabel A-D), then the builder's own string columns)."""

from __future__ import annotations

from hub_tools.data.builders import BuildOptions, clean_text, reject

LETTERS = ["A", "B", "C", "D"]
OPTION_COLUMNS = {f"option{i}": str for i in range(1, 5)}


def mc_columns(answer_column: str, **others: type) -> dict[str, type]:
    """The required sheet columns: question, option1..option4, ``answer_column`` (int), then ``others``."""
    return {"question": str, **OPTION_COLUMNS, answer_column: int, **others}


def mc_features(*string_columns: str):
    """Features id, question, choices (4 strings), answer (ClassLabel A-D), then ``string_columns`` (strings)."""
    from datasets import ClassLabel, Features, List, Value

    return Features(
        {
            "id": Value("string"),
            "question": Value("string"),
            "choices": List(Value("string"), length=4),
            "answer": ClassLabel(names=LETTERS),
            **{column: Value("string") for column in string_columns},
        }
    )


def parse_mc_row(row, answer_column: str, options: BuildOptions, report) -> tuple[str, list[str], int] | None:
    """(question, choices, answer 0-3) of a sheet row, texts cleaned (:func:`clean_text`); ``None`` when the row
    was rejected (:func:`reject`: answer not 1-4, question or an option empty after clean-up)."""
    if not 1 <= row[answer_column] <= 4:
        reject(row, answer_column, "answer out of range (expected 1-4)", options, report)
        return None
    question = clean_text(row["question"], options, report)
    choices = [clean_text(row[column], options, report) for column in OPTION_COLUMNS]
    if not question:
        reject(row, "question", "text empty after normalisation", options, report)
        return None
    empty = [i for i, c in enumerate(choices, start=1) if not c]
    if empty:
        reject(row, f"option{empty[0]}", "text empty after normalisation", options, report)
        return None
    return question, choices, row[answer_column] - 1
