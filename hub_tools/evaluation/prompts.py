"""Prompts: the paper's multiple-choice prompt, the K-QA answer prompt and the judge prompts.

``mc_prompt`` reproduces the ``model_prompt`` column of the authors' result spreadsheets character for character
(tests check it against every row of paper_results/MMLU_Anatomy): a Persian instruction ("answer the question
below and use only Persian!"), a "## پرسش" (question) header, the question, a "## گزینه ها" (options) header and
the options as ``[A] : …`` lines, with the authors' exact blank lines and trailing spaces.
"""

from __future__ import annotations

from collections.abc import Sequence

LETTERS = ("A", "B", "C", "D")

MC_INSTRUCTION = "به پرسش زیر به پاسخ بدهید و تنها از زبان فارسی استفاده کنید!"

#: Assistant-turn prefix for the loglikelihood protocol: the option letter is the very next token. It is the
#: opening the fine-tuned model itself writes ("پاسخ صحیح گزینه [D] است" = "the correct answer is option [D]").
LOGLIKELIHOOD_ANSWER_PREFIX = "پاسخ صحیح گزینه ["


def mc_prompt(question: str, choices: Sequence[str]) -> str:
    """The paper's multiple-choice prompt (``model_prompt`` column), for 4 options."""
    if len(choices) != 4:
        raise ValueError(f"a multiple-choice question needs 4 options, got {len(choices)}")
    options = "\n".join(f"[{letter}] : {text}" for letter, text in zip(LETTERS, choices))
    return f"\n{MC_INSTRUCTION}\n## پرسش\n{question} \n\n\n## گزینه ها\n{options} \n\n\n\n\n"


KQA_INSTRUCTION = "به پرسش پزشکی زیر به زبان فارسی، دقیق و کامل پاسخ بدهید."


def kqa_prompt(question: str) -> str:
    return f"{KQA_INSTRUCTION}\n\n{question.strip()}"


PAIRWISE_SYSTEM = (
    "You are an expert physician judging answers to patients' medical questions written in Persian. "
    "Compare two answers for medical correctness, completeness and helpfulness. Reply with exactly one token: "
    "A if answer A is better, B if answer B is better, or TIE if they are equally good."
)


def pairwise_prompt(question: str, answer_a: str, answer_b: str) -> str:
    return (
        f"Question:\n{question.strip()}\n\n"
        f"[Answer A]\n{answer_a.strip()}\n[End of answer A]\n\n"
        f"[Answer B]\n{answer_b.strip()}\n[End of answer B]\n\n"
        "Which answer is better? Reply with exactly one of: A, B, TIE.\nVerdict:"
    )


STATEMENT_SYSTEM = (
    "You are an expert physician checking a Persian answer to a medical question against one medical statement. "
    "Reply with exactly one word: ENTAILED if the answer states or clearly implies the statement, CONTRADICTED if "
    "the answer says something that contradicts the statement, or NEUTRAL if the answer does neither."
)


def statement_prompt(question: str, answer: str, statement: str) -> str:
    return (
        f"Question:\n{question.strip()}\n\n[Answer]\n{answer.strip()}\n[End of answer]\n\n"
        f"[Statement]\n{statement.strip()}\n[End of statement]\n\n"
        "Reply with exactly one of: ENTAILED, CONTRADICTED, NEUTRAL.\nVerdict:"
    )
