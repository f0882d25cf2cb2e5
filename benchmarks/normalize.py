"""The speech normaliser: held-out accuracy, then throughput on a generated notice corpus.

Accuracy: the share of rows in tests/content/golden/heldout/*.tsv that read exactly as written
down. Those rows were written before the rules for them, so this is the figure to watch; no test
asserts it (tests/content/golden/*.tsv are the regression rows the test suite checks).

Throughput: target at least 500 kB/s on one core: the median of `--runs` runs in CPU time of
this process (wall time is printed beside it; on a busy shared machine it is lower). The corpus is
generated (seeded, so every run reads the same text): commune notices assembled from clauses
with fresh numbers, dates, times, money, addresses, document numbers and abbreviations in every
sentence, so no line repeats the way a repeated seed file would. The baseline, measured in the
same run over the same text, is what any pass must pay anyway: unicodedata NFC plus str.split.

Run: .venv/bin/python benchmarks/normalize.py [--size BYTES] [--runs N] [--seed N] [--failures]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELDOUT = HERE.parent / "tests" / "content" / "golden" / "heldout"
TARGET = 500_000  # bytes per second, median of the runs

_OPENINGS = [
    "Thực hiện {doc} ngày {date} của {org} về {topic},",
    "Căn cứ {doc} của {org},",
    "Theo {doc} ngày {date},",
    "Nhằm đẩy mạnh {topic} năm {year},",
    "{Org} thông báo:",
    "Thông báo của {org}:",
]
_BODIES = [
    "{org} tổ chức tiếp công dân vào {weekday} hàng tuần, từ {time} - {time2}",
    "bộ phận Một cửa tiếp nhận {count} hồ sơ, đạt {pct} kế hoạch",
    "lệ phí {money}/hồ sơ, nộp tại {address}",
    "hỗ trợ {money}/hộ cho {count} hộ {place}",
    "năng suất lúa đạt {small} tạ/ha, tăng {pct} - {pct2} so với cùng kỳ",
    "tỷ lệ hài lòng đạt ≥ {pct}, hồ sơ trễ hạn ≤ {pct2}",
    "thời gian giải quyết từ {small} - {small2} ngày làm việc kể từ ngày {date}",
    "người dân tra cứu tại {site} hoặc gọi {phone}",
    "hội nghị có {frac} đại biểu tán thành, tại {address}",
    "nâng cấp {road} đoạn qua {place}, kinh phí {bigmoney}",
    "ông {name}, SN {birth}, trú tại {place}",
    "pano kích thước {small} x {small2} m đặt tại {place}",
    "nhiệt độ có nơi xuống -{small}°C vào đêm {dm}",
    "{abbr} phối hợp với {abbr2} triển khai {topic} trong quý {roman}/{year}",
    "mức phạt từ {money} đến {money2} đối với {abbr}",
    "lễ mít tinh tại đường {street}, lúc {time} ngày {date}",
    # third round: service numbers, plates, chainage, rates, symbols, handles, day lists
    "khi có sự cố gọi {service}, xe {plate} dừng tại Km {small}+{n}00 {road}",
    "nhà máy nước cấp {count} m³/ngày đêm, tổ trực {small} ca/tuần, mưa {small} mm/giờ",
    "xã đứng thứ {small}/{small2} xã, tỷ suất sinh {small}‰, dân số {spaced} người",
    "theo dõi zalo.me/ubndxa hoặc @ubndxa, họp các ngày {small}, {small2}/{month}",
]
_CLOSINGS = [
    "đề nghị các {abbr} triển khai thực hiện./.",
    "đề nghị bà con {place} tham gia đầy đủ.",
    "mọi thắc mắc liên hệ {phone}.",
    "thời hạn hoàn thành trước ngày {date}.",
    "báo cáo kết quả về {org} trước {time} ngày {dm}.",
]
_BULLETS = ["- ", "+ ", "• ", "", "", ""]
_ORGS = [
    "UBND xã",
    "UBND huyện",
    "HĐND xã",
    "UBMTTQ xã",
    "Phòng GDĐT",
    "Phòng LĐTB&XH",
    "BCĐ CCHC",
    "Hội LHPN xã",
    "Đoàn TN xã",
    "Trạm Y tế xã",
    "Công an xã",
]
_ABBRS = [
    "CBCC",
    "TTHC",
    "CCHC",
    "ĐVHC",
    "MTTQ",
    "HTX",
    "BHXH",
    "BHYT",
    "CBCC/VC",
    "THCS/THPT",
    "DVCTT",
    "CĐS",
    "VH-XH",
    "TN&MT",
    "NN&PTNT",
    "KT-XH",
    "ANTT",
]
_TOPICS = [
    "cải cách hành chính",
    "chuyển đổi số",
    "dịch vụ công trực tuyến",
    "phòng chống thiên tai",
    "xây dựng nông thôn mới",
    "cấp đổi căn cước",
    "bảo hiểm y tế học sinh",
    "an toàn giao thông",
    "tiêm chủng mở rộng",
    "phòng chống dịch bệnh trên đàn gia súc",
]
_PLACES = [
    "thôn {n}",
    "ấp {n}",
    "TDP {n}",
    "KP. {n}",
    "xóm {n}",
    "P. Tân Hiệp",
    "Q. {n}",
    "TT. Thiên Cầm",
    "H. Cẩm Xuyên",
    "TX. Kỳ Anh",
    "thôn Đông {n}",
    "bản Nà {n}",
]
_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
_MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Hữu", "Ngọc"]
_GIVENS = ["An", "Bình", "Cường", "Dung", "Hoa", "Hùng", "Lan", "Nam", "Phúc", "Tâm", "Yến"]
_SITES = [
    "dichvucong.gov.vn",
    "dichvucong.baohiemxahoi.gov.vn",
    "vanban.chinhphu.vn",
    "caicachhanhchinh.gov.vn",
    "congbao.chinhphu.vn",
    "www.camnhuong.gov.vn",
]
_DOCS = [
    "Kế hoạch số {n}/KH-UBND",
    "Nghị quyết số {n}/NQ-CP",
    "Quyết định số {n}/QĐ-UBND",
    "Công văn số {n}/UBND-VP",
    "Nghị định số {n}/{year}/NĐ-CP",
    "Hướng dẫn số {n}-HD/TG",
]
_ROADS = ["QL1A", "QL 8", "ĐT 549", "TL 8B", "QL{n}", "ĐT {n}"]
_STREETS = ["3/2", "30/4", "2/9", "19/5", "26/3"]
_WEEKDAYS = ["Thứ 2", "Thứ 3", "Thứ 5", "Thứ 7", "T6", "CN"]
_ROMANS = ["I", "II", "III", "IV"]


def _notice_line(rng: random.Random) -> str:
    def money() -> str:
        value = rng.choice([50, 100, 150, 200, 500, 750, 1500, 2500]) * 1000
        style = rng.randrange(4)
        if style == 0:
            return f"{value:,}".replace(",", ".") + " đồng"
        if style == 1:
            return f"{value:,}".replace(",", ".") + "đ"
        if style == 2:
            return f"{rng.randint(1, 9)} triệu đ"
        return f"{rng.randint(100, 900)} nghìn đồng"

    def date() -> str:
        return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12)}/{rng.randint(2019, 2026)}"

    def fill(template: str) -> str:
        values = {
            "doc": rng.choice(_DOCS),
            "date": date(),
            "dm": f"{rng.randint(1, 28)}/{rng.randint(1, 12)}",
            "org": rng.choice(_ORGS),
            "Org": rng.choice(_ORGS),
            "topic": rng.choice(_TOPICS),
            "year": str(rng.randint(2019, 2026)),
            "weekday": rng.choice(_WEEKDAYS),
            "time": f"{rng.randint(6, 11)}h{rng.choice(['00', '15', '30', '45'])}",
            "time2": f"{rng.randint(13, 17)}h{rng.choice(['00', '30'])}",
            "count": f"{rng.randint(1, 9999):,}".replace(",", "."),
            "pct": f"{rng.randint(50, 99)},{rng.randint(1, 9)}%",
            "pct2": f"{rng.randint(1, 20)}%",
            "money": money(),
            "money2": money(),
            "bigmoney": f"{rng.randint(1, 9)},{rng.randint(1, 9)} tỷ đồng",
            "address": f"số {rng.randint(1, 200)}/{rng.randint(1, 12)} đường {rng.choice(_GIVENS)}",
            "place": rng.choice(_PLACES),
            "small": str(rng.randint(1, 12)),
            "small2": str(rng.randint(13, 30)),
            "site": rng.choice(_SITES),
            "phone": f"0{rng.randint(200, 999)}.{rng.randint(1000, 9999)}.{rng.randint(100, 999)}",
            "frac": rng.choice(
                ["2/3", "1/2", "3/4", f"{rng.randint(10, 20)}/{rng.randint(21, 30)}"]
            ),
            "road": rng.choice(_ROADS),
            "name": f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLES)} {rng.choice(_GIVENS)}",
            "birth": str(rng.randint(1940, 2020)),
            "abbr": rng.choice(_ABBRS),
            "abbr2": rng.choice(_ABBRS),
            "roman": rng.choice(_ROMANS),
            "street": rng.choice(_STREETS),
            "n": str(rng.randint(1, 99)),
            "service": rng.choice(["113", "114", "115", "1022"]),
            "plate": f"{rng.randint(11, 99)}{rng.choice('ABCDEFGH')}-{rng.randint(100, 999)}."
            f"{rng.randint(10, 99)}",
            "spaced": f"{rng.randint(1, 99)} {rng.randint(100, 999)}",
            "month": str(rng.randint(1, 12)),
        }
        text = template
        while "{" in text:
            text = text.format(**values)
        return text

    parts = [fill(rng.choice(_OPENINGS))]
    for _ in range(rng.randint(1, 3)):
        parts.append(fill(rng.choice(_BODIES)) + rng.choice([";", ",", "."]))
    parts.append(fill(rng.choice(_CLOSINGS)))
    return rng.choice(_BULLETS) + " ".join(parts)


def corpus(size: int, seed: int = 15) -> str:
    """About `size` bytes of generated notice text, the same for the same seed."""
    rng = random.Random(seed)
    lines: list[str] = []
    total = 0
    while total < size:
        line = _notice_line(rng)
        lines.append(line)
        total += len(line.encode("utf-8")) + 1
    return "\n".join(lines)


def heldout_rows() -> list[tuple[str, str, str]]:
    """(file:line, source, expected) of every held-out row."""
    rows = []
    for path in sorted(HELDOUT.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip() and not line.startswith("#"):
                source, expected = line.split("\t")
                rows.append((f"{path.name}:{number}", source, expected))
    return rows


def timed(runs: int, func: Callable[[str], object], text: str) -> tuple[float, float]:
    """Median (CPU seconds, wall seconds) of `runs` calls. CPU time is this process on one core,
    so other work on a shared machine does not count against it; wall time is shown too."""
    cpu, wall = [], []
    for _ in range(runs):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        func(text)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return statistics.median(cpu), statistics.median(wall)


def baseline(text: str) -> int:
    return len(unicodedata.normalize("NFC", text).split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--failures", action="store_true", help="list the held-out rows missed")
    args = parser.parse_args()

    from loa.content.normalize import normalize

    rows = heldout_rows()
    missed = [(w, s, e, got) for w, s, e in rows if (got := normalize(s)) != e]
    if rows:
        share = 100 * (len(rows) - len(missed)) / len(rows)
        print(f"held-out accuracy : {share:.1f} % ({len(rows) - len(missed)} of {len(rows)} rows)")
    if args.failures:
        for where, source, expected, got in missed:
            print(
                f"  {where}\n    input:    {source}\n    expected: {expected}\n    got:      {got}"
            )

    text = corpus(args.size, args.seed)
    size = len(text.encode("utf-8"))
    normalize(text[:10_000])  # compile the pattern and warm the caches
    base_cpu, base_wall = timed(args.runs, baseline, text)
    cpu, wall = timed(args.runs, normalize, text)
    rate = size / cpu
    lines = text.count("\n") + 1
    distinct = len(set(text.split("\n")))
    print(f"corpus            : {size / 1e6:.2f} MB generated, {lines} lines ({distinct} distinct)")
    print(
        f"baseline NFC+split: {size / base_cpu / 1e6:8.2f} MB/s CPU"
        f" ({size / base_wall / 1e6:.2f} MB/s wall; median of {args.runs})"
    )
    print(
        f"normalize         : {rate / 1e3:8.0f} kB/s CPU"
        f" ({size / wall / 1e3:.0f} kB/s wall; median of {args.runs})"
    )
    print(f"ratio             : {cpu / base_cpu:8.1f}x the baseline's CPU time")
    print(
        f"target            : {TARGET / 1e3:.0f} kB/s -> {'ok' if rate >= TARGET else 'TOO SLOW'}"
    )
    if rate < TARGET:
        sys.exit(1)


if __name__ == "__main__":
    main()
