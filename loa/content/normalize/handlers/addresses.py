"""Addresses: house numbers, roads, places, plates, web and e-mail addresses, phone numbers."""

from __future__ import annotations

import re

from loa.content.normalize.context import (
    CENTRE_AFTER,
    SERVICE_NUMBERS,
    STANDING_AFTER,
    TRAILING_PUNCT,
    bare,
)
from loa.content.normalize.handlers.base import Reader
from loa.content.normalize.letters import spell
from loa.content.normalize.numbers import (
    read_digits,
    read_int,
)
from loa.content.normalize.tables import (
    ADDRESS_WORDS,
    DOMAIN_WORDS,
    PLACE_PREFIXES,
    ROAD_CODES,
    UNITS,
)


class AddressRules(Reader):
    def _house_number(self, m: re.Match[str]) -> tuple[str, str]:
        keyword = m.group("hn_kw") or m.group("hn_so")
        words = [
            keyword,
            self._speak_int(m.group("hn_a")),
            "trên",
            self._speak_int(m.group("hn_b")),
        ]
        if m.group("hn_l"):
            words.append(spell(m.group("hn_l")))
        return " ".join(words), "address"

    def _road(self, m: re.Match[str]) -> tuple[str, str]:
        kind = m.group("road_kw") or m.group("road_kw2")
        if kind == "ĐT" and m.group("road_no") in SERVICE_NUMBERS:
            return f"điện thoại {read_digits(m.group('road_no'))}", "phone"  # "ĐT 113"
        words = [ROAD_CODES[kind], read_int(int(m.group("road_no")))]
        before = bare(m.string[max(0, m.start() - 16) : m.start()])
        if before.endswith(bare(ROAD_CODES[kind])):
            words.pop(0)  # "đường tỉnh ĐT.549": the kind of road is said once
        elif before.endswith("duong") and ROAD_CODES[kind].startswith("đường "):
            words[0] = ROAD_CODES[kind][len("đường ") :]  # "Đường ĐT.547": "Đường tỉnh 547"
        if m.group("road_l"):
            words.append(spell(m.group("road_l")))
        return " ".join(words), "road"

    def _chainage(self, m: re.Match[str]) -> tuple[str, str]:
        """ "Km 12+500": kilometre twelve plus five hundred metres."""

        def point(km: str, metres: str | None) -> str:
            spoken = f"{UNITS['km']} {read_int(int(km))}"
            return spoken + (f" cộng {read_int(int(metres))}" if metres else "")

        spoken = point(m.group("ch_km") or m.group("ch_km2"), m.group("ch_m"))
        if m.group("ch_to_km"):
            spoken += " đến " + point(m.group("ch_to_km"), m.group("ch_to_m"))
        return spoken, "chainage"

    def _plate(self, m: re.Match[str]) -> tuple[str, str]:
        """ "51G-123.45": the province as a number, the series by letter, the serial by digit."""
        serial = m.group("pl_n") or m.group("pl_n2")
        return (
            f"{read_int(int(m.group('pl_p')))} {spell(m.group('pl_s'))} {read_digits(serial)}",
            "plate",
        )

    def _handle(self, m: re.Match[str]) -> tuple[str, str]:
        return f"a còng {self._address(m.group('hd_name'))}", "handle"

    def _place(self, m: re.Match[str]) -> tuple[str, str]:
        keyword = m.group("place_kw") or m.group("place_kw2")
        if keyword == "TT" and CENTRE_AFTER.match(m.string, m.end()):
            return "Trung tâm ", "place"
        if keyword == "TT" and STANDING_AFTER.match(m.string, m.end()):
            return "Thường trực ", "abbreviation"
        return PLACE_PREFIXES[keyword] + " ", "place"

    def _email(self, m: re.Match[str]) -> tuple[str, str]:
        local, _, domain = m.group().partition("@")
        return f"{self._address(local)} a còng {self._address(domain)}", "email"

    def _url(self, m: re.Match[str]) -> tuple[str, str]:
        text = m.group()
        tail = TRAILING_PUNCT.search(text)
        trailing = tail.group() if tail else ""
        text = text[: len(text) - len(trailing)]
        text = re.sub(r"^https?://", "", text).rstrip("/")
        return self._address(text) + trailing, "url"

    def _address(self, text: str) -> str:
        out: list[str] = []
        for piece in re.split(r"([./\-_@])", text):
            if not piece:
                continue
            lower = piece.lower()
            if piece in "./-_@":
                out.append(
                    {
                        ".": "chấm",
                        "/": "gạch chéo",
                        "-": "gạch ngang",
                        "_": "gạch dưới",
                        "@": "a còng",
                    }[piece]
                )
            elif lower in self.dictionary.overrides:
                out.append(self.dictionary.entries[lower].spoken)
            elif lower in DOMAIN_WORDS:
                out.append(DOMAIN_WORDS[lower])
            elif lower in ADDRESS_WORDS:
                out.append(ADDRESS_WORDS[lower])
            elif piece.isascii() and piece.isdigit():
                out.append(read_digits(piece) if len(piece) > 4 else read_int(int(piece)))
            else:
                out.append(piece)
        return " ".join(out)

    def _phone(self, m: re.Match[str]) -> tuple[str, str]:
        text = m.group()
        words = []
        text = text.replace("(", "").replace(")", "")
        if text.startswith("+84"):
            words.append("cộng tám tư")
            text = text[3:]
        words.append(read_digits(text))
        return " ".join(words), "phone"
