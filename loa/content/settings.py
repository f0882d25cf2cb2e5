"""The [speech] section of loa.toml: how written text is turned into what an announcer says."""

from __future__ import annotations

from typing import ClassVar

from loa.core.settings import SectionSettings


class SpeechSettings(SectionSettings):
    """[speech]: `dictionary` is the station's own abbreviations file (relative to the station
    folder); empty means `tu-dien.tsv` in the station folder when it exists."""

    section: ClassVar[str] = "speech"

    dictionary: str = ""
