"""Words: abbreviations, station entries, document numbers, definitions, spelled letters."""

from __future__ import annotations

import re

from loa.content.normalize.context import (
    CAPS_WORDS,
    ISSUER_FOLLOWS,
    MAGNITUDE_BEFORE,
    PARTY_COMMITTEES,
    SMS_SYNTAX_BEFORE,
    bare,
    in_heading,
    initials_match,
    isolated,
)
from loa.content.normalize.dictionary import Entry
from loa.content.normalize.handlers.base import Reader
from loa.content.normalize.letters import is_syllable, spell
from loa.content.normalize.numbers import (
    read_int,
    roman_to_int,
)
from loa.content.normalize.tables import (
    DOCUMENT_TYPES,
)


class WordRules(Reader):
    def _override(self, m: re.Match[str]) -> tuple[str, str]:
        entry = self.dictionary.get(m.group())
        spoken = entry.spoken if entry else m.group()
        if m.end() < len(m.string) and m.string[m.end()].isalnum():
            spoken += " "
        return spoken, "station"

    @staticmethod
    def _dong_after_magnitude(m: re.Match[str], start: int) -> bool:
        """ "2 triệu đ", "500 nghìn đ/người": the short đ after a magnitude word is "đồng".
        Checked by the word handlers when the word is "đ", so other words pay nothing."""
        return bool(MAGNITUDE_BEFORE.search(m.string, max(0, start - 8), start))

    def _bullet(self, m: re.Match[str]) -> tuple[str, str]:
        return "- ", "bullet"

    def _born(self, m: re.Match[str]) -> tuple[str, str]:
        return "sinh năm ", "abbreviation"

    def _either(self, m: re.Match[str]) -> tuple[str, str]:
        a, b = self.dictionary.get(m.group("either_a")), self.dictionary.get(m.group("either_b"))
        if a is None or b is None or "code" in (a.kind, b.kind):
            spoken = f"{self._sub(m.group('either_a'))}/{self._sub(m.group('either_b'))}"
            return spoken, "text" if spoken == m.group() else "spelled"
        return f"{a.spoken} hoặc {b.spoken}", "abbreviation"

    def _plain(self, m: re.Match[str]) -> tuple[str, str]:
        word = m.group("plain_w")
        if word == "đ" and self._dong_after_magnitude(m, m.start("plain_w")):
            return m.group()[: m.start("plain_w") - m.start()] + "đồng", "unit"
        if word[0].isupper():
            entry = self.dictionary.get(word)
            if entry is not None and entry.kind != "code":
                return m.group()[: m.start("plain_w") - m.start()] + entry.spoken, "abbreviation"
        return m.group(), "text"

    def _markup(self, m: re.Match[str]) -> tuple[str, str]:
        return "", "markup"

    def _document(self, m: re.Match[str]) -> tuple[str, str]:
        number = m.group("doc_no")
        digits = number.rstrip("abcdefghijklmnopqrstuvwxyzđ")
        words = [self._speak_int(digits)]
        if len(digits) < len(number):
            words.append(spell(number[len(digits) :]))
        if m.group("doc_year"):
            words += ["năm", read_int(int(m.group("doc_year")))]
        issuers: list[str] = []
        joint = False  # "TTLT-BTC-BNV": a joint document names all its issuers
        for part in re.split(r"[-/]", m.group("doc_code")):
            letters = part.rstrip("0123456789")
            entry = self.dictionary.get(part) or self.dictionary.get(letters)
            if part in DOCUMENT_TYPES and part not in self.dictionary.overrides:
                entry = Entry(part, DOCUMENT_TYPES[part], "type")  # "05/CĐ-UBND": công điện
            if entry is None:
                continue
            if entry.kind == "type":
                joint = joint or part.endswith("LT")
                continue
            if issuers and not joint:
                break  # what follows the issuer is its drafting unit ("UBND-VP")
            spoken = entry.spoken
            if letters == "QH" and len(letters) < len(part):
                spoken += " khóa " + read_int(int(part[len(letters) :]))
            elif len(letters) < len(part) and entry.key == letters:  # "BCĐ389"
                spoken += " " + read_int(int(part[len(letters) :]))
            if spoken not in issuers:
                issuers.append(spoken)
        # "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ" names the issuer itself.
        if issuers and not ISSUER_FOLLOWS.match(m.string, m.end()):
            words += ["của", " và ".join(issuers)]
        return " ".join(words), "document"

    def _special(self, m: re.Match[str]) -> tuple[str, str]:
        entry = self.dictionary.get(m.group())
        spoken = entry.spoken if entry else m.group()
        if m.end() < len(m.string) and m.string[m.end()].isalnum():
            spoken += " "
        return spoken, "abbreviation"

    def _definition(self, m: re.Match[str]) -> tuple[str, str]:
        # "cải cách hành chính (CCHC)": the announcer does not read the abbreviation's
        # definition twice; any other bracketed abbreviation is read normally.
        abbr = m.group("def_abbr")
        entry = self.dictionary.get(abbr)
        if entry is not None and entry.kind != "code":
            spoken = bare(entry.spoken)
            before = bare(m.string[max(0, m.start() - len(entry.spoken) - 8) : m.start()])
            if before.endswith(spoken):
                return "", "definition"
        if initials_match(abbr, m.string[max(0, m.start() - 160) : m.start()]):
            return "", "definition"  # "Ban An toàn giao thông (BATGT)": its own initials
        spoken = self._sub(abbr)
        if any(ch.isdigit() for ch in abbr):  # "Đường tỉnh 549 (ĐT.549)": the same road again
            before = self._sub(m.string[max(0, m.start() - 40) : m.start()])
            if bare(spoken) and bare(before).endswith(bare(spoken)):
                return "", "definition"
        lead = m.group()[: m.group().index("(")]
        return f"{lead}({spoken})", "abbreviation"

    def _ampersand(self, m: re.Match[str]) -> tuple[str, str]:
        return "và", "abbreviation"

    def _word(self, m: re.Match[str]) -> tuple[str, str]:
        word = m.group()
        if word == "đ" and self._dong_after_magnitude(m, m.start()):
            return "đồng", "unit"
        if word.isupper() and SMS_SYNTAX_BEFORE.search(m.string, max(0, m.start() - 40), m.start()):
            return spell(word), "spelled"  # "soạn TC gửi 8088": the letters to type
        entry = self.dictionary.get(word)
        if entry is not None and entry.kind != "code":
            return entry.spoken, "abbreviation"
        if entry is not None and word in PARTY_COMMITTEES and not in_heading(m):
            return entry.spoken, "abbreviation"  # "Ban Thường vụ HU": the district committee
        if word.islower() or (word.istitle() and word[-1] not in "0123456789"):
            return word, "text"
        letters = word.rstrip("0123456789")
        if len(letters) < len(word):
            coded = letters not in self.dictionary and (
                len(letters) == 1 or (len(letters) <= 3 and letters.isascii() and letters.isupper())
            )
            head = spell(letters) if coded else self._word_text(letters)[0]  # "F0", "CO2"
            return f"{head} {read_int(int(word[len(letters) :]))}", "abbreviation"
        if (
            len(word) <= 3
            and word.isascii()
            and word.isupper()
            and word not in CAPS_WORDS
            and roman_to_int(word) is None  # "lớp VI" stays a Roman numeral
            and isolated(m.string, m.start(), m.end())
        ):
            return spell(word), "spelled"  # "trạm BOT", "mã QR", "(CAP)": letters, not a word
        return self._word_text(word)

    def _word_text(self, word: str) -> tuple[str, str]:
        entry = self.dictionary.get(word)
        if entry is not None and entry.kind != "code":
            return entry.spoken, "abbreviation"
        if "&" in word:
            return " và ".join(self._word_text(part)[0] for part in word.split("&")), "abbreviation"
        uppers = sum(1 for ch in word if ch.isupper())
        lowers = sum(1 for ch in word if ch.islower())
        # "VUTT", "TrMN" are letters to spell; "VnExpress" is a name and "HOẠCH" a word.
        if uppers >= 2 and uppers >= lowers and not (word.isupper() and is_syllable(word)):
            return spell(word), "spelled"
        return word, "text"
