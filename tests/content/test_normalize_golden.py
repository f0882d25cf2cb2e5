"""The golden set: real directive text and what an announcer reads for it."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from loa.content.normalize import explain, normalize

GOLDEN = Path(__file__).with_name("golden")


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for path in sorted(GOLDEN.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            source, expected = line.split("\t")
            cases.append((f"{path.stem}:{number}", source, expected))
    return cases


CASES = _cases()


def test_golden_set_is_big_enough() -> None:
    assert len(CASES) >= 300


@pytest.mark.parametrize(("where", "source", "expected"), CASES, ids=[c[0] for c in CASES])
def test_golden(where: str, source: str, expected: str) -> None:
    assert normalize(source) == expected, where


@pytest.mark.parametrize(
    ("where", "source", "expected"), CASES[::7], ids=[c[0] for c in CASES[::7]]
)
def test_golden_from_nfd_input(where: str, source: str, expected: str) -> None:
    result = normalize(unicodedata.normalize("NFD", source))
    assert result == expected, where
    assert unicodedata.is_normalized("NFC", result)


def test_accuracy_figure() -> None:
    """The figure reported to the lead: share of golden cases read exactly right."""
    right = sum(normalize(source) == expected for _, source, expected in CASES)
    assert right / len(CASES) == 1.0


def test_explain_covers_every_character_of_the_golden_inputs() -> None:
    for where, source, _ in CASES:
        if "./." in source or "](" in source:
            continue  # these two are rewritten before the spans are cut
        spans = explain(source)
        assert "".join(span.source for span in spans) == unicodedata.normalize("NFC", source), where
