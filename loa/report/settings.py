"""The [report] section of loa.toml: who signs the periodic report, its header, and where it goes."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

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
