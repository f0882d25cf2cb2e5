"""The normaliser's word tables: what a letter, unit, sign, place prefix, document type, road
code, web-address word or fraction character is read as. The patterns are in `patterns`."""

from __future__ import annotations

# --- Letters ---------------------------------------------------------------------------------

LETTER_NAMES = {
    "a": "a",
    "ă": "á",
    "â": "ớ",
    "b": "bê",
    "c": "xê",
    "d": "dê",
    "đ": "đê",
    "e": "e",
    "ê": "ê",
    "f": "ép",
    "g": "giê",
    "h": "hát",
    "i": "i",
    "j": "gi",
    "k": "ca",
    "l": "e lờ",
    "m": "em",
    "n": "en",
    "o": "o",
    "ô": "ô",
    "ơ": "ơ",
    "p": "pê",
    "q": "quy",
    "r": "e rờ",
    "s": "ét",
    "t": "tê",
    "u": "u",
    "ư": "ư",
    "v": "vê",
    "w": "vê kép",
    "x": "ích",
    "y": "i dài",
    "z": "dét",
}

# --- Units -----------------------------------------------------------------------------------

UNITS = {
    "%": "phần trăm",
    "đ": "đồng",
    "đồng": "đồng",
    "VNĐ": "đồng",
    "VND": "đồng",
    "vnđ": "đồng",
    "vnd": "đồng",
    "USD": "đô la Mỹ",
    "usd": "đô la Mỹ",
    "tr": "triệu",
    "km/h": "ki lô mét trên giờ",
    "km2": "ki lô mét vuông",
    "km²": "ki lô mét vuông",
    "km": "ki lô mét",
    "m2": "mét vuông",
    "m²": "mét vuông",
    "m3": "mét khối",
    "m³": "mét khối",
    "cm": "xen ti mét",
    "mm": "mi li mét",
    "m": "mét",
    "ha": "héc ta",
    "kg": "ki lô gam",
    "mg": "mi li gam",
    "g": "gam",
    "ml": "mi li lít",
    "l": "lít",
    "kWh": "ki lô oát giờ",
    "kW": "ki lô oát",
    "MW": "mê ga oát",
    "W": "oát",
    "°C": "độ C",
    "GB": "gi ga bai",
    "MB": "mê ga bai",
    # Third round: symbols the voice drops and units with SI prefixes.
    "‰": "phần nghìn",
    "₫": "đồng",
    "℃": "độ C",
    "°": "độ",
    "m/s": "mét trên giây",
    "km/giờ": "ki lô mét trên giờ",
    "cm2": "xen ti mét vuông",
    "cm²": "xen ti mét vuông",
    "cm3": "xen ti mét khối",
    "cm³": "xen ti mét khối",
    "mm2": "mi li mét vuông",
    "mm²": "mi li mét vuông",
    "dm": "đề xi mét",
    "µm": "mi crô mét",
    "μm": "mi crô mét",
    "nm": "na nô mét",
    "µg": "mi crô gam",
    "μg": "mi crô gam",
    "Hz": "héc",
    "kHz": "ki lô héc",
    "MHz": "mê ga héc",
    "GHz": "gi ga héc",
    "V": "vôn",
    "kV": "ki lô vôn",
    "kVA": "ki lô vôn am pe",
    "MVA": "mê ga vôn am pe",
    "mA": "mi li am pe",
    "Wh": "oát giờ",
    "MWh": "mê ga oát giờ",
    "GWh": "gi ga oát giờ",
    "kWp": "ki lô oát đỉnh",
    "MWp": "mê ga oát đỉnh",
    "GW": "gi ga oát",
    "kB": "ki lô bai",
    "KB": "ki lô bai",
    "Mbps": "mê ga bít trên giây",
    "Gbps": "gi ga bít trên giây",
    "dB": "đề xi ben",
    "ppm": "phần triệu",
    "mmHg": "mi li mét thủy ngân",
    "kcal": "ki lô ca lo",
    "ms": "mi li giây",
    "MPa": "mê ga pát xcan",
    "kPa": "ki lô pát xcan",
    "$": "đô la",
    "€": "ơ rô",
}
# After a rate's "/" ("m³/h", "l/s"): a time unit written as one letter.
PER_UNITS = {"h": "giờ", "s": "giây", "ph": "phút", "ng.đ": "ngày đêm", "ngđ": "ngày đêm"}

# "≥ 95%": comparison signs before a number, read as words.
COMPARISONS = {
    "≥": "lớn hơn hoặc bằng",
    ">=": "lớn hơn hoặc bằng",
    "≤": "nhỏ hơn hoặc bằng",
    "<=": "nhỏ hơn hoặc bằng",
    ">": "lớn hơn",
    "<": "nhỏ hơn",
    "±": "cộng trừ",
    "≈": "xấp xỉ",
    "~": "khoảng",
    "≠": "khác",
    "№": "số",
}
# "P. Bến Thành, Q. 1": an address prefix before a name or number. Read as the word, and the
# full stop goes with it: left in, the voice would pause inside the place name.
PLACE_PREFIXES = {
    "Q": "quận",
    "P": "phường",
    "H": "huyện",
    "TT": "thị trấn",
    "TX": "thị xã",
    "Tx": "thị xã",
    "KP": "khu phố",
    "TDP": "tổ dân phố",
}
# Codes that mean a kind of document inside a document number, whatever they mean in running
# text: "Công điện số 05/CĐ-UBND" (CĐ is "cao đẳng" elsewhere), "12/PC-CAX" (phiếu chuyển).
DOCUMENT_TYPES = {
    "CĐ": "công điện",
    "PC": "phiếu chuyển",
    "SY": "sao y",
    "SL": "sao lục",
    "GUQ": "giấy ủy quyền",
    "GGT": "giấy giới thiệu",
    "GXN": "giấy xác nhận",
    "TBKL": "thông báo kết luận",
}
# "QL1A", "ĐT 549", "TL 8B": road codes, read as the kind of road and its number.
ROAD_CODES = {
    "QL": "quốc lộ",
    "ĐT": "đường tỉnh",
    "TL": "tỉnh lộ",
    "ĐH": "đường huyện",
    "HL": "hương lộ",
}

# --- Web addresses and fractions -------------------------------------------------------------

ADDRESS_WORDS = {
    "vn": "vê en",
    "gov": "gốp",
    "com": "com",
    "net": "nét",
    "org": "o rờ gờ",
    "edu": "e đu",
    "www": "vê kép vê kép vê kép",
    "info": "in phô",
    "io": "i o",
    "me": "mi",
    "ly": "li",
    "tv": "ti vi",
    "app": "áp",
    "bit": "bít",
    "asia": "ê si a",
    "online": "o lai",
    # social networks a commune page is on
    "zalo": "da lô",
    "facebook": "phây búc",
    "fb": "ép bê",
    "youtube": "du túp",
    "tiktok": "tích tốc",
}

# Well-known toneless words of public-service addresses, read as the words they are
# ("dichvucong" is the national portal, "dịch vụ công"); anything else is read as written.
# A station adds its own (its commune's domain) in its dictionary with a lowercase key.
DOMAIN_WORDS = {
    "dichvucong": "dịch vụ công",
    "caicachhanhchinh": "cải cách hành chính",
    "chinhphu": "chính phủ",
    "baochinhphu": "báo chính phủ",
    "vanban": "văn bản",
    "congbao": "công báo",
    "baohiemxahoi": "bảo hiểm xã hội",
    "thuvienphapluat": "thư viện pháp luật",
    "quochoi": "quốc hội",
    "dangcongsan": "đảng cộng sản",
    "nhandan": "nhân dân",
    "toaan": "tòa án",
    "congan": "công an",
    "tiepcongdan": "tiếp công dân",
    "hoidap": "hỏi đáp",
    "thongtin": "thông tin",
}

VULGAR_FRACTIONS = {
    "½": "một phần hai",
    "¼": "một phần tư",
    "¾": "ba phần tư",
    "⅓": "một phần ba",
    "⅔": "hai phần ba",
}
