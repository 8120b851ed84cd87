"""Abbreviations read against the options' words (hub_tools/evaluation/abbreviations.py)."""

from __future__ import annotations

import pytest

from hub_tools.evaluation.abbreviations import abbreviations, spell_out, spells
from hub_tools.evaluation.extract import INVALID, explain_choice, extract_choice


@pytest.mark.parametrize(
    ("short", "words", "expected"),
    [
        ("VSD", ["Ventricular", "septal", "defect"], True),
        ("ADA", ["Adenosine", "deaminase"], True),  # the second A from inside "deaminase"
        ("AFP", ["Alpha", "fetoprotein"], True),
        ("SNc", ["Substantia", "nigra", "pars", "compacta"], True),  # "pars" is short and inside: it gives none
        ("EM", ["Erythema", "nodosum"], False),  # "nodosum" must give its initial
        ("ASD", ["Ventricular", "septal", "defect"], False),
        ("RA", ["Rheumatoid"], False),  # one word is never a run
        ("NP", ["Nerve", "palsy", "of", "the"], False),  # a trailing short word is not skipped
    ],
)
def test_spells(short, words, expected):
    assert spells(short, words) is expected


def test_what_counts_as_an_abbreviation():
    found = [m.group() for m in abbreviations("IV fluids, then ASD repair; SNc loss; mRNA; type IV; Hb A; X-linked")]
    assert found == ["ASD", "SNc", "mRNA"]  # roman numerals are numbers; one capital or a hyphenated token is not


def test_spell_out_both_ways_and_only_for_one_option():
    choices = ["Atrial septal defect", "Ventricular septal defect", "Patent ductus arteriosus", "ACE inhibitor"]
    said, pairs = spell_out("VSD, probably.", choices)
    assert said == "Ventricular septal defect, probably." and pairs == (("VSD", "Ventricular septal defect"),)
    said, pairs = spell_out("an angiotensin converting enzyme inhibitor", choices)
    assert said == "an ACE inhibitor" and pairs == (("ACE", "angiotensin converting enzyme"),)
    # two options spelled equally well: neither
    assert spell_out("SD", ["Septal defect", "Sinus disease", "Other", "None"]) == ("SD", ())
    # a known abbreviation is left as it is
    assert spell_out("IM", ["Intravenous methylprednisolone", "b", "c", "d"], known=lambda a: a == "IM")[1] == ()


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("LES tone is low — hence the reflux.", ["Pyloric sphincter", "Lower esophageal sphincter", "Ileocecal valve",
                                                 "Upper esophageal sphincter"], "B"),
        ("RS cells in a mixed background", ["Reed-Sternberg cells", "Auer rods", "Heinz bodies", "Howell-Jolly bodies"],
         "A"),
        ("Glucose-6-phosphate dehydrogenase deficiency", ["PK deficiency", "G6PD deficiency", "HS", "PNH"], "B"),
        ("Give adrenaline IM now.", ["Intramuscular epinephrine", "Intravenous methylprednisolone", "x", "y"], "A"),
        # negatives: an abbreviation two options spell alike, one that spells none
        ("SD", ["Septal defect", "Sinus disease", "Other", "None"], INVALID),
        ("HSV", ["Urticaria", "Erythema multiforme", "Erythema nodosum", "Fixed drug eruption"], INVALID),
    ],
)
def test_options_read_by_abbreviation(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_the_reason_names_the_abbreviation():
    choices = ["Wernicke encephalopathy", "Cerebral oedema", "Central pontine myelinolysis",
               "Osmotic demyelination syndrome"]
    _, _, reason = explain_choice("ODS.", choices)
    assert "'ODS' = 'Osmotic demyelination syndrome'" in reason
