"""What the text around a match says: the look-behind and look-ahead tests the handlers use to
choose a reading ("ngày" before a date, a counted thing after a number, a calling word before a
service number), and the calendar check of a day."""

from __future__ import annotations

import calendar
import re
import unicodedata

from loa.content.normalize.letters import is_syllable
from loa.content.normalize.patterns import MAGNITUDE, UPPER
from loa.content.normalize.tables import UNITS

DATE_CONTEXT = re.compile(
    r"(?:ngày|từ|đến|tới|hôm|dịp|sáng|chiều|tối|trưa|đêm|vào|mồng|mùng|nay|trước|sau)\W*$",
    re.IGNORECASE,
)
ADDRESS_CONTEXT = re.compile(r"(?:số nhà|nhà|hẻm|ngõ|ngách|kiệt|kiệt)\W*$", re.IGNORECASE)
FRACTION_FOLLOWS = re.compile(
    r"[ \t]+(?:số|tổng|dân số|diện tích|thời gian|lượng|phần|trong số)\b", re.IGNORECASE
)
# A/B followed by what is counted is "A out of B" ("12/12 thôn", "5/7 xã"), not a date.
COUNT_FOLLOWS = re.compile(
    r"[ \t]+(?:thôn|xóm|bản|làng|tổ|xã|phường|thị trấn|huyện|tỉnh|hộ|người|tiêu chí|chỉ tiêu|"
    r"đơn vị|cơ quan|trường|lớp|học sinh|đại biểu|thủ tục|hồ sơ|nội dung|nhiệm vụ|phiếu|câu|"
    r"ý kiến|điểm|bài|tin|lĩnh vực|dịch vụ|chỉ số|thành viên|cán bộ|công chức)\b",
    re.IGNORECASE,
)
# What a rate's "/" comes after: money, a unit or %, or a counted thing ("đồng/người/năm").
RATE_BEFORE = re.compile(
    r"(?:(?<![^\W\d_])(?:đồng|đ|VNĐ|VND|USD|người|lượt|lần|hồ sơ|tấn|tạ|yến|kg|g|ha|km|m|m2|m3|lít"
    r"|giờ|buổi|tin|bài|suất|ngày|tháng|triệu|tỷ|nghìn|hộ|con|cây|bản|trang|chiếc"
    r"|ca|chuyến|khẩu|xe|bữa|liều|mũi|gói|bao|thùng|chai|hộp|cái|công|tiết|bệnh nhân)|%)$"
)
UNIT_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:"
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if "/" not in u)
    + ")$"
)
RATE_CHAIN = re.compile(r"[0-9][^/\n]{0,16}/[^\W\d_]+$")
PERIODS = frozenset("giây phút giờ ngày đêm tuần tháng quý năm".split())
COUNTED_BEFORE = re.compile(r"[0-9][ \t]?[^\W\d_]+(?:[ \t][^\W\d_]+){0,2}$")
# After a counted thing's "/", what makes it a rate: a period, a place or a group of people.
PER_TARGETS = frozenset(
    "giây phút giờ ngày đêm tuần tháng quý năm ca vụ mùa đợt kỳ khóa lần buổi lượt người hộ"
    " xã thôn xóm ấp bản tổ lớp trường khẩu suất chuyến xe".split()
)
# A/B before people or votes ("2/3 đại biểu", "1/2 cử tri") is a share: "hai phần ba" when
# B is small; "12/15 đại biểu" is a head count, "mười hai trên mười lăm".
PEOPLE_FOLLOWS = re.compile(
    r"[ \t]+(?:đại biểu|cử tri|phiếu|thành viên|hội viên|đảng viên|người)\b", re.IGNORECASE
)
# A day/month right after a street or square word names the street ("đường 3/2", "Quảng
# trường 26/3"): read the date without an added "ngày".
STREET_BEFORE = re.compile(
    r"(?<![\w])(?:đường|(?<!thành )(?<!khu )phố|quảng trường|cầu|công viên)[ \t]*$", re.IGNORECASE
)
# "cổ phần", "xã hội": the same words as a Roman numeral's context, but never before one.
NOT_ROMAN_BEFORE = {
    "phần": re.compile(r"(?<![\w])cổ[ \t]*$", re.IGNORECASE),
    "hội": re.compile(r"(?<![\w])xã[ \t]*$", re.IGNORECASE),
}
NEVER = re.compile(r"(?!x)x")
MAGNITUDE_BEFORE = re.compile(rf"(?<![\w]){MAGNITUDE}[ \t]*$")
XI_MANG = re.compile(r"[ \t]+m[aă]ng\b", re.IGNORECASE)
# "TT. Y tế": before these, TT. is a centre (trung tâm), not a township (thị trấn).
CENTRE_AFTER = re.compile(r"[ \t]*(?:Y tế|Văn hóa|VH|Hành chính|GDNN|GDTX|Chính trị|Dịch vụ)\b")
# "TT. HĐND": before a council or committee, TT. is its standing body (thường trực).
STANDING_AFTER = re.compile(r"[ \t]*(?:HĐND|UBND|UBMTTQ|MTTQ|HU|TU|ĐU|Huyện ủy|Tỉnh ủy|Đảng ủy)\b")
_DAY_WORD_BEFORE = re.compile(r"(?:ngày|mồng|mùng)[ \t]*$", re.IGNORECASE)
# "Tết Thiếu nhi 1-6", "dịp Quốc khánh 2-9": a day-month after a holiday's name is a date.
HOLIDAY_BEFORE = re.compile(
    r"(?:Thiếu nhi|Quốc khánh|Lao động|Giải phóng(?: miền Nam)?|Phụ nữ|Nhà giáo|[Ll]iệt sĩ"
    r"|Thầy thuốc|Báo chí|Doanh nhân|Gia đình|Người cao tuổi|Thanh niên|Môi trường|Dân số"
    r"|Quân đội nhân dân|Biên phòng|Quốc phòng toàn dân|Thành lập Đảng|Chiến thắng"
    r"|Sinh nhật Bác|Độc lập|Việt Nam|thế giới|Pháp luật|Khuyến học|khuyết tật|[Tt]ruyền thống"
    r"|Tết|Lễ|[Kk]ỷ niệm|[Nn]hân dịp|[Dd]ịp)\W*$"
)
# "Ngày Pháp luật 9-11": the name of a day, capitalised ("Ngày làm việc từ 3-5 ngày" is not one).
NAMED_DAY_BEFORE = re.compile(rf"Ngày[ \t]+[{UPPER}][^\W\d_]*(?:[ \t]+[^\W\d_]+){{0,6}}[ \t]*$")
MONTH_FOLLOWS = re.compile(r"[ \t]+(?:tháng|THÁNG)[ \t]+[0-9]")  # "ngày 2-3 tháng 4"
DAY_MONTH_AND_BEFORE = re.compile(
    r"(?<![0-9])(?:[12][0-9]|3[01]|0?[1-9])-(?:1[0-2]|0?[1-9])[ \t]*(?:,|và)[ \t]*$"
)
# "sáng 1-6", "vào 2-9": a day-month after a word of when, unless a length follows ("vào 2-3
# ngày tới" is a range).
WHEN_BEFORE = re.compile(r"(?:hôm|sáng|chiều|tối|trưa|đêm|vào|mồng|mùng)\W*$", re.IGNORECASE)
# What may follow such a day-month when it is a date ("vào 1-6.", "sáng 2-9 tới"), not "đầu tư
# vào 1-2 dự án".
DATE_END_FOLLOWS = re.compile(
    r"[ \t]*(?:$|[,.;:)!?(\-–]|(?:hằng năm|hàng năm|năm nay|năm tới|tới|này|vừa qua|và|tại|ở|lúc"
    r"|sẽ|đã|diễn ra|tổ chức)\b|[" + UPPER + "])"
)
_SPAN_FOLLOWS = re.compile(
    r"[ \t]*(?:ngày|tuần|tháng|năm|giờ|phút|lần|lượt|người|hộ|tuổi|buổi|ca|đợt|km|cm|m)\b",
    re.IGNORECASE,
)


_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_day(day: int, month: int, year: int | None = None) -> bool:
    """Whether day/month (of `year`, if given) exists: 31/4 and 29/2/2025 do not."""
    if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month]):
        return False
    if month == 2 and day == 29 and year is not None:
        return calendar.isleap(year)
    return True


def bare(text: str) -> str:
    """Letters only, without marks or case, for comparing "Uỷ ban" with "Ủy ban"."""
    decomposed = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(ch for ch in decomposed if ch.isalnum())


_WORDS = re.compile(r"[^\W\d_]+")
_SKIPPABLE = frozenset({"và", "của", "các", "với"})


def initials_match(abbr: str, before: str) -> bool:
    """Whether the letters of `abbr` are the first letters of the words right before it
    ("Hệ thống thông tin (HTTT)" no, "Ban An toàn giao thông (BATGT)" yes); "và", "của" may be
    skipped ("Bộ Thông tin và Truyền thông (BTTTT)")."""
    letters = [bare(ch) for ch in abbr if ch.isalpha() and ch.isupper()]
    if len(letters) < 2 or len(letters) != sum(1 for ch in abbr if ch.isalpha()):
        return False  # "(TTg)", "(ThS)": not plain initials
    words = _WORDS.findall(before)[-2 * len(letters) :]
    for candidate in (words, [w for w in words if w.lower() not in _SKIPPABLE]):
        tail = candidate[-len(letters) :]
        if len(tail) == len(letters) and [bare(w[0]) for w in tail] == letters:
            return True
    return False


# Toneless syllables that a text in lower case may still write in capitals for emphasis or as a
# name ("anh NAM", "xã AN"); other short all-capital words on their own are spelled.
CAPS_WORDS = frozenset(
    "A AN ANH BA BAN BAO CA CAM CHI CHO CO CON DA DAN EM GIA HA HAI HAN HOA KHI LA LAN LAO MA"
    " MAI NAM NGA NHA NAY SAU SON TAM TAN THI THU TIN TO TRA VA VAN VE VIA XA XIN".split()
)
_NEIGHBOUR_BEFORE = re.compile(r"([^\W\d_]+)[^\w\n]*$")
_NEIGHBOUR_AFTER = re.compile(r"[^\w\n]*([^\W\d_]+)")


# Party committees written as issuer codes that running text uses too ("BTV HU", "TT ĐU").
PARTY_COMMITTEES = frozenset({"TU", "HU", "QU", "ĐU"})
# The command words of an SMS ("soạn tin DK HT gửi 8088", "cú pháp: TC <mã hồ sơ>").
SMS_SYNTAX_BEFORE = re.compile(
    r"(?<![\w])(?i:soạn(?:[ \t]+tin(?:[ \t]+nhắn)?)?|cú pháp)[ \t:\"“]*"
    r"(?:[A-ZĐ0-9_\"“”' \t]|<[^>\n]*>)*$"
)


def in_heading(m: re.Match[str]) -> bool:
    """Whether a word stands next to a capitalised Vietnamese word ("TU BỔ ĐÊ"): a heading."""
    string, start, end = m.string, m.start(), m.end()
    before = _NEIGHBOUR_BEFORE.search(string, max(0, start - 24), start)
    after = _NEIGHBOUR_AFTER.match(string, end, end + 24)
    for neighbour in (before, after):
        if neighbour and neighbour.group(1).isupper() and is_syllable(neighbour.group(1)):
            return True
    return False


def isolated(string: str, start: int, end: int) -> bool:
    """Whether the word at start:end stands among words that are not all in capitals (so it is
    not a heading word like "BAN" in "BAN CHỈ ĐẠO"). A word alone (a fragment) is not."""
    before = _NEIGHBOUR_BEFORE.search(string, max(0, start - 24), start)
    after = _NEIGHBOUR_AFTER.match(string, end, end + 24)
    if before is None and after is None:
        return False
    for neighbour in (before, after):
        if neighbour and neighbour.group(1).isupper() and len(neighbour.group(1)) > 1:
            return False
    return True


def day_prefix(keyword: str | None, before: str) -> str:
    """ "ngày " unless the text already says ngày (or mồng, mùng) right before the day, or the
    date names a street ("đường 30/4")."""
    if keyword:
        return keyword + " "
    if _DAY_WORD_BEFORE.search(before) or STREET_BEFORE.search(before):
        return ""
    return "ngày "


# "thôn 3,4" (hamlets three and four) like "mức độ 3,4": a list, not a decimal.
LIST_CONTEXT = re.compile(
    r"(?:mức độ|cấp độ|khoản|điều|điểm|chương|lớp|mục|thôn|ấp|tổ|xóm|khóm|bản|khu phố|phường)\W*$",
    re.IGNORECASE,
)
ISSUER_FOLLOWS = re.compile(
    r"[ \t]*(?:,[ \t]*)?(?:ngày[ \t]+[0-9/.\-]+(?:[ \t]+tháng[ \t]+[0-9]+[ \t]+năm[ \t]+[0-9]+)?[ \t]*)?của(?:[ \t]|$)",
    re.IGNORECASE,
)
TRAILING_PUNCT = re.compile(r"[.,;:!?)\]]+$")
# Short service numbers are dialled, so read digit by digit after a calling word.
SERVICE_NUMBERS = frozenset(
    {"111", "112", "113", "114", "115", "116", "1022", "1080", "1088", "1039", "1055"}
)
# The word right before a short number that is dialled or texted to ("gọi 1022", "gửi 8085"
# after "soạn tin"); a known service number anywhere after a calling word in the clause.
DIAL_BEFORE = re.compile(
    r"(?<![\w])(?:gọi(?:[ \t]+(?:ngay|điện))?(?:[ \t]+(?:đến|tới|vào))?(?:[ \t]+số)?|hotline|tổng đài"
    r"|đường dây nóng|đầu số|quay số|bấm số|số máy|nhắn tin(?:[ \t]+(?:đến|tới))?)"
    r"(?:[ \t]+số)?[ \t:]*$",
    re.IGNORECASE,
)
TEXT_TO_BEFORE = re.compile(
    r"(?:soạn|nhắn|tin nhắn|SMS)(?:[^.;!?\n]|\.(?=[0-9])){0,32}(?<![\w])(?:gửi|đến|tới)"
    r"(?:[ \t]+(?:đến|tới))?(?:[ \t]+(?:số|tổng đài|đầu số))?[ \t:]*$",
    re.IGNORECASE,
)
SERVICE_NEAR = re.compile(
    r"(?<![\w])(?:số|điện thoại|ĐT|SĐT|liên hệ|khẩn cấp|cấp cứu|cứu hỏa|cứu nạn|cứu hộ|báo cháy"
    r"|chữa cháy|công an|cảnh sát|nhắn tin|trẻ em)[ \t:()]*$",
    re.IGNORECASE,
)
SERVICE_WINDOW = re.compile(
    r"(?<![\w])(?:gọi|hotline|tổng đài|đường dây nóng|khẩn cấp|cấp cứu|cứu hỏa|báo cháy)"
    r"[^.;!?\n]{0,32}$",
    re.IGNORECASE,
)
COUNTED_AFTER = re.compile(
    r"[ \t]+(?:vụ|cuộc|trường hợp|ca|xe|căn|ngôi|con|em|cháu|chiến sĩ|lao động|thuê bao|khách hàng"
    r"|gia đình|đối tượng|tài khoản)\b",
    re.IGNORECASE,
)
AMOUNT_FOLLOWS = re.compile(
    rf"[ \t]*(?:[.,][0-9]|{MAGNITUDE}|đồng|đ\b|người|hộ|lượt|lần|tin nhắn|ngày|tháng|năm|%)",
    re.IGNORECASE,
)
DAY_DASH_MONTH = re.compile(r"(?:(?P<kw>[Nn]gày|NGÀY)[ \t]+)?(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})")
NUMBER_WORD_BEFORE = re.compile(r"số\W*$", re.IGNORECASE)
# Before a long number that is a code, read digit by digit ("mã số thuế", "số tài khoản").
CODE_BEFORE = re.compile(
    r"(?:mã|mã số|mã số thuế|MST|tài khoản|TK|CCCD|CMND|định danh|mã hồ sơ|số hiệu|số seri)[ \t:]*$",
    re.IGNORECASE,
)
SPACED_NOT_AFTER = re.compile(
    r"(?<![\w])(?:ngày|tháng|năm|lúc|thôn|tổ|xóm|ấp|bản|khu|khoản|điều|điểm|mục|chương|phần|lớp"
    r"|số|phòng|đội|thứ|quý|khóa|tuần|giờ|phút|km|QL|ĐT|TL|phường|khóm|đợt|vòng|cấp|hạng|nhóm"
    r"|tuyến|đường|hẻm|ngõ|ngách|kiệt|nhà|căn|lô|thửa|tờ|câu|bài|kỳ|lần|đoạn)[ \t]*$",
    re.IGNORECASE,
)
RANK_BEFORE = re.compile(r"(?<![\w])(?:hạng|vị trí|vị thứ)[ \t]*$", re.IGNORECASE)
