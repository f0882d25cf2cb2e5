"""Typed loa.toml sections: each is validated once, and a bad one is refused with a message that
names the section, the key and the value, in Vietnamese and in English."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from loa.audio.settings import AudioSettings
from loa.channels.facebook import FacebookChannel, FacebookSettings
from loa.channels.radio import RadioSettings
from loa.channels.settings import ChannelsSettings, channel_settings
from loa.channels.website import WebsiteSettings
from loa.channels.wordpress import WordPressSettings
from loa.cli.main import app
from loa.content.settings import SpeechSettings
from loa.core.errors import UserError
from loa.core.i18n import set_language
from loa.core.settings import SectionSettings, StationSettings
from loa.core.station import CONFIG_NAME, Station
from loa.planning.settings import SchedulerSettings
from loa.report.settings import ReportSettings

SECTION_MODELS: list[type[SectionSettings]] = [
    StationSettings,
    SpeechSettings,
    SchedulerSettings,
    AudioSettings,
    ChannelsSettings,
    ReportSettings,
]
CHANNEL_MODELS: dict[str, type[SectionSettings]] = {
    "radio": RadioSettings,
    "website": WebsiteSettings,
    "facebook": FacebookSettings,
    "wordpress": WordPressSettings,
}


def edit_toml(station: Station, section: str, text: str) -> Station:
    """Write `text` under `[section]` of the station's loa.toml (a new table at the end when the
    file has none) and open the station again, as a command would."""
    path = station.root / CONFIG_NAME
    config = path.read_text(encoding="utf-8")
    header = f"[{section}]\n"
    if header in config:
        config = config.replace(header, header + text.strip() + "\n", 1)
    else:
        config += f"\n{header}{text.strip()}\n"
    path.write_text(config, encoding="utf-8")
    return Station.load(station.root)


def refusal(station: Station, model: type[SectionSettings]) -> str:
    with pytest.raises(UserError) as info:
        station.settings(model)
    return str(info.value)


def test_the_new_station_template_is_valid_in_every_section(station: Station) -> None:
    for model in SECTION_MODELS:
        assert station.settings(model) == model.model_validate(
            station.section(model.section), context={"station": station}
        )
    for name, model in CHANNEL_MODELS.items():
        assert channel_settings(station, name, model) == model()
    assert "[channels.zalo]" not in (station.root / CONFIG_NAME).read_text(encoding="utf-8")


def test_a_section_is_read_once_and_again_after_the_config_changes(station: Station) -> None:
    first = station.settings(SchedulerSettings)
    assert station.settings(SchedulerSettings) is first
    assert SchedulerSettings.from_station(station) is first
    station.config = {**station.config, "scheduler": {"max_per_day": 3}}
    assert station.settings(SchedulerSettings).max_per_day == 3


def test_typed_values(station: Station) -> None:
    station = edit_toml(station, "scheduler", 'render_at = "5h30"\nradio_grace_minutes = 5')
    station = edit_toml(station, "channels", "retries = 2\nbackoff_s = 1")
    scheduler = station.settings(SchedulerSettings)
    assert scheduler.render_at == "05:30" and scheduler.radio_grace_minutes == 5.0
    channels = station.settings(ChannelsSettings)
    assert (channels.retries, channels.backoff_s, channels.backoff_max_s) == (2, 1.0, 60.0)
    assert isinstance(channels.backoff_s, float)
    assert station.settings(AudioSettings).intro == station.settings(StationSettings).ident


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            'Giá trị [channels] retries = "bốn" trong loa.toml không hợp lệ: cần một số nguyên.',
        ),
        ("en", '[channels] retries = "bốn" in loa.toml is not valid: a whole number is needed.'),
    ],
)
def test_a_wrong_type_names_section_key_and_value(
    station: Station, lang: str, expected: str
) -> None:
    station = edit_toml(station, "channels", 'retries = "bốn"')
    set_language(lang)
    assert refusal(station, ChannelsSettings) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            "Giá trị [scheduler] max_per_day = 20 trong loa.toml không hợp lệ: "
            "cần nằm trong khoảng 1 đến 10.",
        ),
        (
            "en",
            "[scheduler] max_per_day = 20 in loa.toml is not valid: it must be between 1 and 10.",
        ),
    ],
)
def test_an_out_of_range_number_names_section_key_value_and_range(
    station: Station, lang: str, expected: str
) -> None:
    station = edit_toml(station, "scheduler", "max_per_day = 20")
    set_language(lang)
    assert refusal(station, SchedulerSettings) == expected


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("vi", ["Khoá [audio] loudnes_lufs = -14 trong loa.toml không có", "Các khoá hợp lệ:"]),
        ("en", ["[audio] loudnes_lufs = -14 in loa.toml is not a known setting", "Valid keys:"]),
    ],
)
def test_an_unknown_key_is_refused_listing_the_valid_keys(
    station: Station, lang: str, words: list[str]
) -> None:
    station = edit_toml(station, "audio", "loudnes_lufs = -14")
    set_language(lang)
    message = refusal(station, AudioSettings)
    assert all(w in message for w in words), message
    assert "loudness_lufs" in message and "engine" in message


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "vi",
            ["Mục [channels.telegram] trong loa.toml không ứng với kênh nào", "Các kênh hợp lệ:"],
        ),
        ("en", ["The section [channels.telegram] in loa.toml names no channel", "Valid channels:"]),
    ],
)
def test_an_unknown_channel_section_is_refused_listing_the_channels(
    station: Station, lang: str, words: list[str]
) -> None:
    station = edit_toml(station, "channels.telegram", 'chat_id = "123"')
    set_language(lang)
    message = refusal(station, ChannelsSettings)
    assert all(w in message for w in words), message
    assert "radio, facebook, website, wordpress" in message
    # whichever channel is used, the unknown section is reported
    with pytest.raises(UserError, match=r"channels\.telegram"):
        FacebookChannel.is_configured(station)


def test_an_empty_table_of_an_unknown_channel_configures_nothing(station: Station) -> None:
    """Stations made from the first template carry an empty [channels.zalo]: still valid."""
    station = edit_toml(station, "channels.telegram", "")
    assert station.settings(ChannelsSettings).retries == 4
    assert not FacebookChannel.is_configured(station)


def test_a_channel_table_is_validated_by_its_channel(station: Station) -> None:
    station = edit_toml(station, "channels.facebook", 'pageid = "123"\ntimeout_s = "lâu"')
    with pytest.raises(UserError) as info:
        FacebookChannel.is_configured(station)
    lines = str(info.value).splitlines()
    assert lines == [
        'Giá trị [channels.facebook] timeout_s = "lâu" trong loa.toml không hợp lệ: cần một số.',
        'Khoá [channels.facebook] pageid = "123" trong loa.toml không có (gõ nhầm?). '
        "Các khoá hợp lệ: page_id, graph_url, api_version, scheduled_publishing, timeout_s, "
        "deadline_s, feed_lag_s.",
    ]


def test_a_token_written_into_loa_toml_is_not_echoed(station: Station) -> None:
    station = edit_toml(station, "channels.facebook", 'token = "EAAGsecret"')
    with pytest.raises(UserError) as info:
        FacebookChannel.is_configured(station)
    assert "token = ***" in str(info.value) and "EAAGsecret" not in str(info.value)


def test_radio_sink_and_booleans(station: Station) -> None:
    station = edit_toml(station, "channels.radio", 'sink = "loa"')
    station = edit_toml(station, "scheduler", 'skip_holidays = "có"')
    with pytest.raises(UserError, match=r'\[channels\.radio\] sink = "loa".*auto, null, file'):
        channel_settings(station, "radio", RadioSettings)
    assert refusal(station, SchedulerSettings) == (
        'Giá trị [scheduler] skip_holidays = "có" trong loa.toml không hợp lệ: cần true hoặc false.'
    )


def test_a_bad_station_section_is_refused_when_the_station_opens(station: Station) -> None:
    path = station.root / CONFIG_NAME
    text = path.read_text(encoding="utf-8").replace('"Asia/Ho_Chi_Minh"', '"Asia/Hanoi"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=r'\[station\] timezone = "Asia/Hanoi".*Asia/Ho_Chi_Minh'):
        Station.load(station.root)


def test_cli_refuses_a_bad_retries_without_a_traceback(station: Station) -> None:
    edit_toml(station, "channels", 'retries = "bốn"')
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["--station", str(station.root), "channels", "check"])
    assert result.exit_code == 2, result.output
    assert (
        'Giá trị [channels] retries = "bốn" trong loa.toml không hợp lệ: cần một số nguyên.'
        in result.output
    )
    assert "Traceback" not in result.output and "không mong đợi" not in result.output
