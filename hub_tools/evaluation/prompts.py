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
    "Decide whether the answer ENTAILS the statement (states or clearly implies it), CONTRADICTS it (says something "
    "that contradicts it), or is NEUTRAL (does neither). Reply with JSON only: "
    '{"verdict": "entailed"}, {"verdict": "contradicted"} or {"verdict": "neutral"}.'
)


def statement_prompt(question: str, answer: str, statement: str) -> str:
    """The three-way question (mode ``kqa-3way``)."""
    return (
        f"Question:\n{question.strip()}\n\n[Answer]\n{answer.strip()}\n[End of answer]\n\n"
        f"[Statement]\n{statement.strip()}\n[End of statement]\n\n"
        'Reply with JSON only: {"verdict": "entailed" | "contradicted" | "neutral"}.\nVerdict:'
    )


#: K-QA's own protocol (mode ``kqa``) asks two separate yes/no questions per statement, as its
#: evaluation/prompts/is_entails.txt and is_contradict.txt do: does the answer (the premise) entail the statement
#: (the hypothesis)? does it contradict it? An unrelated statement, or one the answer leaves open, is "no" to both.
YES_NO_SYSTEM = {
    "entailed": (
        "You are an expert physician with a deep understanding of entailment and contradiction. Decide whether a "
        "Persian answer to a medical question (the premise) entails one medical statement (the hypothesis). If the "
        "answer disagrees with, is unrelated to, or does not support the statement, the answer is false. "
        'Reply with JSON only: {"answer": true} or {"answer": false}.'
    ),
    "contradicted": (
        "You are an expert physician with a deep understanding of entailment and contradiction. Decide whether a "
        "Persian answer to a medical question (the premise) contradicts one medical statement (the hypothesis). If "
        "they are unrelated, or the answer does not rule out what the statement says, the answer is false. "
        'Reply with JSON only: {"answer": true} or {"answer": false}.'
    ),
}


def yes_no_prompt(question: str, answer: str, statement: str, relation: str) -> str:
    """One of K-QA's two questions (``relation`` "entailed" or "contradicted") for one statement."""
    verb = {"entailed": "entail", "contradicted": "contradict"}[relation]
    return (
        f"Question:\n{question.strip()}\n\n[Premise]\n{answer.strip()}\n[End of premise]\n\n"
        f"[Hypothesis]\n{statement.strip()}\n[End of hypothesis]\n\n"
        f'Does the premise {verb} the hypothesis? Reply with JSON only: {{"answer": true}} or {{"answer": false}}.\n'
    )
