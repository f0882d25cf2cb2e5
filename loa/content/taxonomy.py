"""The built-in CCHC topic taxonomy and audience groups, taken from the directives in the seeds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa.content.models import Audience, Topic

# code, Vietnamese name, English name
BUILTIN_TOPICS: tuple[tuple[str, str, str], ...] = (
    ("institutional", "Cải cách thể chế", "Institutional reform"),
    ("procedures", "Cải cách thủ tục hành chính", "Administrative-procedure reform"),
    ("one_stop", "Cơ chế một cửa, một cửa liên thông", "One-stop / interlinked one-stop mechanism"),
    ("apparatus", "Cải cách tổ chức bộ máy hành chính", "Reform of the administrative apparatus"),
    ("civil_service", "Cải cách chế độ công vụ", "Civil-service reform"),
    ("public_finance", "Cải cách tài chính công", "Public-finance reform"),
    ("e_government", "Chính quyền điện tử, chính quyền số", "E-government and digital government"),
    ("communication", "Thông tin, tuyên truyền cải cách hành chính", "CCHC communication"),
    ("inspection", "Kiểm tra cải cách hành chính", "CCHC inspection"),
    ("par_index", "Chỉ số cải cách hành chính (PAR INDEX)", "PAR INDEX"),
    ("papi", "Chỉ số hiệu quả quản trị và hành chính công (PAPI)", "PAPI index"),
    ("sipas", "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)", "SIPAS index"),
    ("pci", "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)", "PCI index"),
    ("online_services", "Dịch vụ công trực tuyến mức độ 3, 4", "Online public services, level 3-4"),
)

BUILTIN_AUDIENCES: tuple[tuple[str, str, str], ...] = (
    ("officials", "Cán bộ, công chức, viên chức", "Officials and civil servants"),
    ("residents", "Người dân", "Residents"),
    ("businesses", "Doanh nghiệp, hộ kinh doanh", "Businesses and household businesses"),
    ("parents", "Phụ huynh và học sinh", "Parents and pupils"),
    ("workers", "Người lao động ít thời gian", "Workers with little free time"),
    ("elderly", "Người cao tuổi", "The elderly"),
)


def seed_taxonomy(session: Session) -> None:
    """Add the built-in topics and audiences that the station does not have yet."""
    have_topics = set(session.scalars(select(Topic.code)))
    for pos, (code, name, name_en) in enumerate(BUILTIN_TOPICS):
        if code not in have_topics:
            session.add(Topic(code=code, name=name, name_en=name_en, builtin=True, position=pos))
    have_aud = set(session.scalars(select(Audience.code)))
    for pos, (code, name, name_en) in enumerate(BUILTIN_AUDIENCES):
        if code not in have_aud:
            session.add(Audience(code=code, name=name, name_en=name_en, builtin=True, position=pos))


# Keywords that point to a topic, for files that do not name one (txt, docx). Lowercase.
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "online_services": (
        "dịch vụ công trực tuyến",
        "mức độ 3",
        "mức độ 4",
        "cổng dịch vụ công",
        "nộp hồ sơ trực tuyến",
        "thanh toán trực tuyến",
    ),
    "one_stop": ("một cửa", "bộ phận tiếp nhận và trả kết quả", "tiếp nhận và trả kết quả"),
    "procedures": ("thủ tục hành chính", "tthc", "hồ sơ", "bưu chính công ích"),
    "e_government": (
        "chính quyền điện tử",
        "chính quyền số",
        "chuyển đổi số",
        "vneid",
        "định danh điện tử",
        "chữ ký số",
    ),
    "par_index": ("par index", "chỉ số cải cách hành chính"),
    "papi": ("papi",),
    "sipas": ("sipas", "mức độ hài lòng", "sự hài lòng"),
    "pci": ("pci", "năng lực cạnh tranh"),
    "civil_service": ("công chức", "công vụ", "văn hóa giao tiếp", "thái độ phục vụ", "kỷ luật"),
    "apparatus": ("bộ máy", "sắp xếp", "tinh gọn", "sáp nhập"),
    "public_finance": ("tài chính công", "ngân sách", "tự chủ tài chính", "thu phí"),
    "institutional": ("văn bản quy phạm pháp luật", "thể chế", "luật ", "nghị định"),
    "inspection": ("kiểm tra cải cách", "đoàn kiểm tra", "thanh tra"),
}


def guess_topic(text: str, known: set[str]) -> str:
    """The built-in topic whose keywords occur most in `text` (only among `known` codes);
    "communication" when nothing matches."""
    lowered = text.lower()
    best, best_hits = "communication", 0
    for code, words in TOPIC_KEYWORDS.items():
        if code not in known:
            continue
        hits = sum(lowered.count(w) for w in words)
        if hits > best_hits:
            best, best_hits = code, hits
    return best
