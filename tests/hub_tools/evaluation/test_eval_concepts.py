"""The concept lexicon's is-a relations and the reading of a text at the concepts its options name."""

from __future__ import annotations

from importlib.resources import files

from hub_tools.evaluation.concepts import broader, concept_spans


def _relations() -> list[tuple[str, str]]:
    text = files("hub_tools.evaluation").joinpath("concept_classes.tsv").read_text(encoding="utf-8")
    return [tuple(line.split("\t")) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_every_relation_joins_two_concepts_of_the_lexicon_once_and_without_a_cycle():
    lexicon = files("hub_tools.evaluation").joinpath("concepts.tsv").read_text(encoding="utf-8")
    ids = {line.partition("\t")[0] for line in lexicon.splitlines() if line.strip() and not line.startswith("#")}
    relations = _relations()
    assert len(relations) > 1000
    assert all(len(pair) == 2 and pair[0] in ids and pair[1] in ids for pair in relations)
    assert len(set(relations)) == len(relations)
    assert not any((kind, member) in set(relations) for member, kind in relations)
    assert not any(member in broader(member) for member, _ in relations)


def test_broader_follows_the_chain():
    assert "ssri" in broader("sertraline")
    assert {"cardioselective_beta_blocker", "beta_blocker"} <= broader("metoprolol")
    assert broader("no_such_concept") == frozenset()


def test_a_text_is_read_at_the_concepts_its_options_name():
    said = "کاهش گلوکونئوژنز کبدی"
    assert [span.concept for span in concept_spans(said)] == ["hepatic_gluconeogenesis_inhibition"]
    assert [span.concept for span in concept_spans(said, {"gluconeogenesis", "liver"})] == ["gluconeogenesis", "liver"]
    # a preferred concept is taken only where it starts in the longest form's words
    assert [span.concept for span in concept_spans(said, {"kidney"})] == ["hepatic_gluconeogenesis_inhibition"]
