"""How the store's verbs show subjects: case and suggestion numbers plainly, others masked."""

from __future__ import annotations

import pytest

from hub.supervision.text import show_subject


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("（2026）豫1121执1号", "（2026）豫1121执1号"),
        ("(2026)豫1121执1号", "（2026）豫1121执1号"),
        ("舞法建〔2026〕3号", "舞法建〔2026〕3号"),
        ("411121198503152315", "411121********2315"),
        (None, "-"),
    ],
)
def test_a_subject_is_shown_plainly_only_when_it_is_a_case_or_suggestion_number(
    subject: str | None, shown: str
) -> None:
    assert show_subject(subject) == shown
