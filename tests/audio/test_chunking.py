from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from loa.audio.chunking import chunk_text, split_phrases, split_sentences

WORDS = st.lists(
    st.sampled_from(
        [
            "ủy",
            "ban",
            "nhân",
            "dân",
            "xã",
            "thông",
            "báo",
            "hồ",
            "sơ",
            "trực",
            "tuyến",
            "một",
            "cửa",
            "điện",
            "tử",
            "giải-quyết-thủ-tục-hành-chính",
        ]
    ),
    min_size=1,
    max_size=60,
)
PUNCT = st.sampled_from(["", ",", ".", ";", ":", "!", "?"])


def test_sentences_split_after_stops_and_lines() -> None:
    text = "Ủy ban nhân dân xã thông báo. Người dân lưu ý!\nHồ sơ nộp trực tuyến… Xin cảm ơn?"
    assert split_sentences(text) == [
        "Ủy ban nhân dân xã thông báo.",
        "Người dân lưu ý!",
        "Hồ sơ nộp trực tuyến…",
        "Xin cảm ơn?",
    ]


def test_punctuation_only_pieces_are_dropped() -> None:
    assert split_sentences(" . \n ... \n") == []


def test_gtts_limit_splits_at_commas_first() -> None:
    sentence = (
        "Từ ngày mùng một tháng mười hai, người dân có thể nộp hồ sơ trực tuyến, "
        "theo dõi kết quả giải quyết trên cổng dịch vụ công quốc gia và nhận kết quả tại nhà."
    )
    pieces = split_phrases(sentence, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert pieces[0].endswith(",")
    assert " ".join(pieces) == sentence


@given(
    words=WORDS,
    marks=st.lists(PUNCT, min_size=60, max_size=60),
    limit=st.integers(min_value=5, max_value=120),
)
def test_chunks_keep_every_word_whole_and_fit(
    words: list[str], marks: list[str], limit: int
) -> None:
    text = " ".join(w + m for w, m in zip(words, marks, strict=False))
    chunks = [c for sentence in chunk_text(text, limit) for c in sentence]
    # never inside a word: the words come back in order, untouched
    assert " ".join(chunks).split() == text.split()
    for chunk in chunks:
        assert len(chunk) <= limit or " " not in chunk
