"""The [report] section of loa.toml: who signs the periodic report, its header, and where it goes."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field, field_validator

from loa.core.settings import Integer, Number, SectionSettings


class ReportSettings(SectionSettings):
    """[report]. Empty texts take their default from the station's name (or the catalogue)."""

    section: ClassVar[str] = "report"

    signer: str = ""
    signer_name: str = ""
    on_behalf: str = ""
    issuer: str = ""
    issuer_text: str = ""
    place: str = ""
    number: str = ""
    recipients: tuple[str, ...] = ()
    out: str = ""
    missing_after_minutes: Number = Field(default=30.0, ge=0, le=7 * 24 * 60)
    doc_max_undelivered: Integer = Field(default=50, ge=0, le=100_000)
    #: The station's targets (chỉ tiêu): channel -> items to air or post within
    #: `target_months` months from `targets_from` (default: 1 January of this year).
    targets: dict[str, Integer] = Field(default_factory=dict)
    target_months: Integer = Field(default=12, ge=1, le=60)
    targets_from: date | None = None

    @field_validator("targets")
    @classmethod
    def _known_channels(cls, value: dict[str, int]) -> dict[str, int]:
        from loa.core.registry import check_channel

        for name, count in value.items():
            check_channel(name)
            if count < 1:
                raise ValueError(f"{name} = {count}: a target is a number of items, at least 1")
        return value
