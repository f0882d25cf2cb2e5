"""The messages of live broadcasting (Vietnamese with English)."""

from __future__ import annotations

from loa.core.i18n import Catalog

T = Catalog(
    {
        "held": (
            "Đang có người phát trực tiếp: {by} (từ {since}, vùng {zones}). Đợi người đó dừng "
            "rồi thử lại.",
            "Someone is already live: {by} (since {since}, zones {zones}). Wait until they stop "
            "and try again.",
        ),
        "all_zones": ("tất cả", "all"),
        "no_outputs": (
            "Không phát trực tiếp được: đài không bật luồng phát IP ([radio.stream]) và không "
            "có loa run nào đang chạy với đầu phát. Bật [radio.stream] hoặc chạy loa run.",
            "Cannot go live: the station has no IP stream ([radio.stream]) and no loa run with "
            "outputs is running. Turn on [radio.stream] or start loa run.",
        ),
        "device": (
            "Không mở được micrô {device}: {error}. Kiểm tra tên thiết bị (ví dụ "
            "--device pulse:default, alsa:hw:0) hoặc cắm micrô.",
            "Could not open the microphone {device}: {error}. Check the device name (e.g. "
            "--device pulse:default, alsa:hw:0) or plug the microphone in.",
        ),
        "bad_device": (
            "Thiết bị «{device}» không đúng: ghi KIỂU:TÊN (pulse:default, alsa:hw:0) hoặc đường "
            "dẫn một tệp âm thanh.",
            "The device “{device}” is not valid: write KIND:NAME (pulse:default, alsa:hw:0) or "
            "the path of an audio file.",
        ),
        "title": ("Phát trực tiếp ({by})", "Live broadcast ({by})"),
        "not_live": ("Không có buổi phát trực tiếp nào đang diễn ra.", "Nothing is live."),
        "daemon_said": ("loa run trả lời: {error}", "loa run answered: {error}"),
        "no_sound": (
            "Trình duyệt không gửi âm thanh nào từ micrô. Cho phép trang dùng micrô (biểu "
            "tượng ổ khóa cạnh địa chỉ) rồi bấm Phát trực tiếp lại.",
            "The browser sent no sound from the microphone. Allow the page to use the "
            "microphone (the padlock beside the address) and press Go live again.",
        ),
        "not_fed": (
            "Buổi phát này không phải của {by} hoặc đã kết thúc.",
            "This broadcast is not {by}'s, or it has ended.",
        ),
    }
)
