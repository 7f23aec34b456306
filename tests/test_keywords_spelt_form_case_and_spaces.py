"""spelt_form, the form a write and an undo compare keywords in, keeps a keyword's letter
case (an old keyword of ours in another case is re-cased to the label) and ignores the
spaces another program put around or within it (Windows rewrites XPKeywords "a;b" as
"a; b"): an undo takes ours out whatever the spacing."""

from __future__ import annotations

from dataclasses import replace

from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields


def test_a_relabel_to_another_letter_case_re_cases_our_keyword() -> None:
    written = KeywordFields(subject=["Trip", "colosseum"], hierarchical=["Landmarks|colosseum"])
    after = label_fields(written, "Colosseum", "colosseum")
    assert after.subject == ["Trip", "Colosseum"]  # once, in the label's case
    assert after.hierarchical == ["Trip", "Landmarks|Colosseum"]


def test_an_undo_takes_out_our_keyword_another_program_respaced() -> None:
    before = KeywordFields(subject=["Trip"], xp=["Trip"])
    after = label_fields(before, "Big Ben", None)
    assert (after.subject, after.xp) == (["Trip", "Big Ben"], ["Trip", "Big Ben"])
    respaced = replace(after, subject=["Trip", "Big  Ben"], xp=["Trip", " Big Ben"])  # "Trip; Big Ben"
    reverted = revert_fields(respaced, before, after)
    assert (reverted.subject, reverted.xp) == (["Trip"], ["Trip"])
