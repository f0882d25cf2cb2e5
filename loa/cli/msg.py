"""`loa msg ...`: the message queue (add, import, list, show, edit, approve, archive, export)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loa.cli.common import console, err_console, get_station, print_json, row_id, sub_app, warn
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from datetime import date

    from loa.core.station import Station

T = Catalog(
    {
        "msg": ("Quản lý hàng đợi tin tuyên truyền CCHC.", "Manage the CCHC message queue."),
        "add": (
            "Thêm một tin (từ tùy chọn, hoặc hỏi từng mục nếu thiếu tiêu đề).",
            "Add a message (from options, or asked field by field when the title is missing).",
        ),
        "import": (
            "Nhập tin từ tệp .md, .yaml, .csv, .docx, .txt (mỗi tệp: nhập hết hoặc không nhập gì).",
            "Import messages from .md, .yaml, .csv, .docx, .txt (each file all or nothing).",
        ),
        "list": ("Liệt kê tin trong hàng đợi, có lọc.", "List queued messages, with filters."),
        "show": ("Xem đầy đủ một tin.", "Show one message in full."),
        "edit": ("Sửa các trường của một tin.", "Change fields of a message."),
        "approve": (
            "Duyệt tin (chỉ tin đã duyệt mới được lên lịch và đăng).",
            "Approve messages (only approved messages are planned or published).",
        ),
        "archive": ("Lưu trữ tin (không phát nữa).", "Archive messages (no longer aired)."),
        "export": (
            "Xuất tin ra CSV hoặc YAML (nhập lại được).",
            "Export messages to CSV or YAML (re-importable).",
        ),
        "topics": (
            "Xem, thêm hoặc bỏ chủ đề CCHC của đài.",
            "List, add or remove the station's topics.",
        ),
        "audiences": (
            "Xem, thêm hoặc bỏ nhóm đối tượng của đài.",
            "List, add or remove the station's audience groups.",
        ),
        "o_title": ("Tiêu đề tin.", "Title."),
        "o_body": ("Nội dung tin.", "Body text."),
        "o_topic": (
            "Chủ đề CCHC (mã hoặc tên, xem: loa msg topics).",
            "CCHC topic (code or name).",
        ),
        "o_audience": (
            "Đối tượng (lặp lại để chọn nhiều; xem: loa msg audiences).",
            "Audience (repeat for several).",
        ),
        "o_source": (
            'Văn bản nguồn, ví dụ "Kế hoạch số 68/KH-UBND ngày 16/02/2022".',
            "Source document.",
        ),
        "o_from": (
            'Hiệu lực từ ngày (dd/mm/yyyy, yyyy-mm-dd, "hôm nay", "mai").',
            'Valid from (dd/mm/yyyy, yyyy-mm-dd, "hôm nay" = today, "mai" = tomorrow).',
        ),
        "o_until": (
            'Hiệu lực đến ngày (dd/mm/yyyy, yyyy-mm-dd, "hôm nay", "mai").',
            'Valid until (dd/mm/yyyy, yyyy-mm-dd, "hôm nay" = today, "mai" = tomorrow).',
        ),
        "o_priority": (
            "Mức ưu tiên: thông thường, ưu tiên, khẩn cấp (normal/high/urgent).",
            "Priority: normal, high, urgent.",
        ),
        "o_airings": ("Số lượt phát trên đài mỗi tuần.", "Radio airings wanted per week."),
        "o_channel": (
            "Kênh (lặp lại), ví dụ radio, facebook, website; tên sai sẽ được báo kèm danh sách.",
            "Channel (repeat), e.g. radio, facebook, website; a wrong name is answered with the list.",
        ),
        "o_radio": ("Kịch bản đọc ngắn cho đài.", "Short spoken script for the radio."),
        "o_post": ("Bài đăng dài hơn cho mạng xã hội/website.", "Longer text for posts."),
        "o_image": ("Đường dẫn ảnh đi kèm.", "Image path."),
        "o_link": ("Liên kết đi kèm bài đăng.", "Link for posts."),
        "o_audio": (
            "Tệp ghi âm của tin (MP3, M4A/AAC, OGG/Opus, AMR, WAV, WebM; tối đa 30 phút, 50 MB): "
            "đài phát tệp này thay cho giọng đọc máy.",
            "The message's recording (MP3, M4A/AAC, OGG/Opus, AMR, WAV, WebM; at most 30 min, "
            "50 MB): the radio airs it instead of the synthetic voice.",
        ),
        "o_no_audio": (
            "Bỏ tệp ghi âm: đài đọc tin bằng giọng máy.",
            "Remove the recording: the radio reads the message with the synthetic voice.",
        ),
        "audio_both": (
            "Chọn một trong hai: --audio TỆP hoặc --no-audio.",
            "Choose one of --audio FILE and --no-audio.",
        ),
        "mastering": ("Đang xử lý tệp ghi âm {name}…", "Mastering the recording {name}…"),
        "f_audio": ("Ghi âm", "Recording"),
        "o_interactive": ("Hỏi từng mục một.", "Ask for each field in turn."),
        "o_json": ("In JSON cho chương trình khác.", "Print JSON for scripts."),
        "o_status": (
            "Lọc theo trạng thái: draft/nháp, approved/đã duyệt, archived/lưu trữ.",
            "Filter by status: draft, approved, archived.",
        ),
        "o_limit": (
            "Chỉ hiện N tin đầu (JSON vẫn có tất cả).",
            "Show only the first N messages (JSON still has them all).",
        ),
        "more": (
            "… còn {n} tin nữa; xem tất cả: loa msg list",
            "… {n} more; see them all: loa msg list",
        ),
        "o_search": (
            "Tìm theo chữ trong tiêu đề, nội dung, văn bản nguồn.",
            "Search title, body and source document.",
        ),
        "o_files": ("Tệp cần nhập.", "Files to import."),
        "o_default_topic": (
            "Chủ đề cho tin không ghi chủ đề (nếu không, loa đoán theo từ khóa).",
            "Topic for records without one (otherwise guessed from keywords).",
        ),
        "o_approve_as": (
            "Duyệt luôn các tin nhập, ghi tên người duyệt.",
            "Approve imported messages in this person's name.",
        ),
        "o_dups": (
            "Nhập cả những tin trùng với tin đã có.",
            "Import records that duplicate existing ones.",
        ),
        "duplicate": (
            'Bỏ qua "{title}": trùng với tin số {id} đã có (dùng --allow-duplicates để vẫn nhập).',
            'Skipped "{title}": same as existing message {id} (--allow-duplicates imports it).',
        ),
        "o_by": (
            "Tên người duyệt (mặc định: tên người dùng máy).",
            "Who approves (default: the login name).",
        ),
        "o_ids": ("Số hiệu tin.", "Message ids."),
        "o_id": ("Số hiệu tin.", "Message id."),
        "o_all_drafts": ("Duyệt tất cả tin nháp.", "Approve every draft."),
        "o_keep": (
            "Giữ trạng thái đã duyệt dù sửa nội dung.",
            "Keep approval even if words change.",
        ),
        "o_format": ("Định dạng: csv hoặc yaml.", "Format: csv or yaml."),
        "o_out": ("Tệp ghi ra (mặc định: in ra màn hình).", "Output file (default: stdout)."),
        "o_add_code": ("Mã mới cần thêm.", "New code to add."),
        "o_name": ("Tên tiếng Việt của mục mới.", "Vietnamese name of the new entry."),
        "o_remove": ("Mã cần bỏ (khi chưa có tin nào dùng).", "Code to remove (when unused)."),
        "created": (
            "Đã thêm tin số {id}: {title} (nháp; duyệt bằng: loa msg approve {id}).",
            "Added message {id}: {title} (draft; approve with: loa msg approve {id}).",
        ),
        "imported": ("Đã nhập {n} tin từ {path}.", "Imported {n} messages from {path}."),
        "encoding": (
            "Tệp được gõ bằng bảng mã {enc}; đã chuyển sang Unicode.",
            "The file was typed in {enc}; converted to Unicode.",
        ),
        "guessed": (
            'Tin "{title}" không ghi chủ đề; loa chọn "{topic}" theo từ khóa. Sửa nếu cần: '
            "loa msg edit ID --topic ...",
            '"{title}" had no topic; loa chose "{topic}" from keywords. Change it with: '
            "loa msg edit ID --topic ...",
        ),
        "approved": ("Đã duyệt tin số {id}: {title}.", "Approved message {id}: {title}."),
        "urgent_sent": (
            "Tin khẩn cấp số {id} đã lên loa ({how}) và được đăng lên các kênh.",
            "Urgent message {id} is on the air ({how}) and posted on its channels.",
        ),
        "archived": ("Đã lưu trữ tin số {id}: {title}.", "Archived message {id}: {title}."),
        "edited": ("Đã sửa tin số {id}.", "Updated message {id}."),
        "unchanged": (
            "Tin số {id} không đổi: các giá trị đưa vào giống hệt giá trị đang có.",
            "Message {id} is unchanged: the values given are the ones it already has.",
        ),
        "expired_approved": (
            "Tin số {id} đã hết hiệu lực từ {until}: tin được duyệt nhưng sẽ không được xếp "
            "lịch, phát hay đăng. Nếu tin còn dùng, sửa ngày: loa msg edit {id} --until NGÀY.",
            "Message {id} expired on {until}: it is approved but will not be planned, aired or "
            "posted. If it is still current, change the date: loa msg edit {id} --until DATE.",
        ),
        "reopened": (
            "Nội dung đã đổi nên tin trở lại trạng thái nháp; duyệt lại bằng: loa msg approve {id}",
            "The words changed, so the message is a draft again; approve with: loa msg approve {id}",
        ),
        "exported": ("Đã xuất {n} tin ra {path}.", "Exported {n} messages to {path}."),
        "none": ("Không có tin nào khớp.", "No message matches."),
        "nothing": (
            "Chưa chọn tin nào. Ghi số hiệu tin hoặc dùng --all-drafts.",
            "No message chosen. Give ids or use --all-drafts.",
        ),
        "bad_format": (
            'Định dạng "{fmt}" không hỗ trợ; dùng csv hoặc yaml.',
            'Unsupported format "{fmt}"; use csv or yaml.',
        ),
        "need_title": (
            'Thiếu tiêu đề. Dùng --title "..." --topic ... hoặc chạy trong cửa sổ lệnh để '
            "loa hỏi từng mục.",
            'Missing title. Use --title "..." --topic ... or run in a terminal to be asked.',
        ),
        "p_title": ("Tiêu đề", "Title"),
        "p_body": ("Nội dung", "Body"),
        "p_topic": ("Chủ đề ({choices})", "Topic ({choices})"),
        "p_aud": (
            "Đối tượng, cách nhau dấu phẩy ({choices})",
            "Audiences, comma-separated ({choices})",
        ),
        "p_source": ("Văn bản nguồn (có thể bỏ trống)", "Source document (optional)"),
        "p_priority": (
            "Mức ưu tiên (thông thường/ưu tiên/khẩn cấp)",
            "Priority (normal/high/urgent)",
        ),
        "p_airings": ("Số lượt phát mỗi tuần", "Airings per week"),
        "p_channels": ("Kênh, cách nhau dấu phẩy", "Channels, comma-separated"),
        "c_id": ("Số", "ID"),
        "c_title": ("Tiêu đề", "Title"),
        "c_topic": ("Chủ đề", "Topic"),
        "c_aud": ("Đối tượng", "Audiences"),
        "c_channels": ("Kênh", "Channels"),
        "c_priority": ("Ưu tiên", "Priority"),
        "c_airings": ("Lượt/tuần", "Per week"),
        "c_valid": ("Hiệu lực", "Valid"),
        "c_until": ("Đến ngày", "Until"),
        "c_status": ("Trạng thái", "Status"),
        "c_code": ("Mã", "Code"),
        "c_name": ("Tên", "Name"),
        "c_count": ("Số tin", "Messages"),
        "queue_title": ("Hàng đợi tin — {station} ({n} tin)", "Message queue — {station} ({n})"),
        "f_source": ("Văn bản nguồn", "Source document"),
        "f_body": ("Nội dung", "Body"),
        "f_image": ("Ảnh", "Photo"),
        "f_link": ("Liên kết", "Link"),
        "f_radio": ("Kịch bản đài", "Radio script"),
        "f_post": ("Bài đăng", "Post text"),
        "f_approved": ("Người duyệt", "Approved by"),
    }
)

msg_app = sub_app(T("msg"))

TitleOpt = Annotated[str | None, typer.Option("--title", "-t", help=T("o_title"))]
BodyOpt = Annotated[str | None, typer.Option("--body", "-b", help=T("o_body"))]
TopicOpt = Annotated[str | None, typer.Option("--topic", help=T("o_topic"))]
AudOpt = Annotated[list[str] | None, typer.Option("--audience", "-a", help=T("o_audience"))]
SourceOpt = Annotated[str | None, typer.Option("--source", help=T("o_source"))]
FromOpt = Annotated[str | None, typer.Option("--from", help=T("o_from"))]
UntilOpt = Annotated[str | None, typer.Option("--until", help=T("o_until"))]
PriorityOpt = Annotated[str | None, typer.Option("--priority", "-p", help=T("o_priority"))]
AiringsOpt = Annotated[int | None, typer.Option("--airings", help=T("o_airings"))]
ChannelOpt = Annotated[list[str] | None, typer.Option("--channel", "-c", help=T("o_channel"))]
RadioOpt = Annotated[str | None, typer.Option("--radio-script", help=T("o_radio"))]
PostOpt = Annotated[str | None, typer.Option("--post-text", help=T("o_post"))]
ImageOpt = Annotated[str | None, typer.Option("--image", help=T("o_image"))]
LinkOpt = Annotated[str | None, typer.Option("--link", help=T("o_link"))]
JsonOpt = Annotated[bool, typer.Option("--json", help=T("o_json"))]
AudioOpt = Annotated[Path | None, typer.Option("--audio", help=T("o_audio"))]


def _raw(**values: Any) -> dict[str, Any]:
    """Only the options the user gave, under their field names."""
    return {k: v for k, v in values.items() if v is not None and v != []}


def _day(text: str | None, station: Station) -> Any:
    """A --from/--until value: a relative word ("hôm nay", "mai") as the date it names today;
    anything else as given, for the message fields to parse and refuse with the field name."""
    from loa.core.dates import relative_day

    if text is None:
        return None
    return relative_day(text, today=station.now().date()) or text


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else "…"


def _prompt_fields(station: Station) -> dict[str, Any]:
    from loa.app.messages import taxonomy

    known = taxonomy(station)
    topics = ", ".join(t.code for t in known.topics)
    auds = ", ".join(a.code for a in known.audiences)
    return {
        "title": typer.prompt(T("p_title")),
        "body": typer.prompt(T("p_body")),
        "topic": typer.prompt(T("p_topic", choices=topics)),
        "audiences": typer.prompt(T("p_aud", choices=auds), default="residents"),
        "source_document": typer.prompt(T("p_source"), default="", show_default=False) or None,
        "priority": typer.prompt(T("p_priority"), default="thông thường"),
        "airings_per_week": typer.prompt(T("p_airings"), default="2"),
        "channels": typer.prompt(T("p_channels"), default="radio, facebook, website"),
    }


@msg_app.command("add", help=T("add"))
def add(
    title: TitleOpt = None,
    body: BodyOpt = None,
    topic: TopicOpt = None,
    audience: AudOpt = None,
    source: SourceOpt = None,
    valid_from: FromOpt = None,
    valid_until: UntilOpt = None,
    priority: PriorityOpt = None,
    airings: AiringsOpt = None,
    channel: ChannelOpt = None,
    radio_script: RadioOpt = None,
    post_text: PostOpt = None,
    image: ImageOpt = None,
    link: LinkOpt = None,
    audio: AudioOpt = None,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help=T("o_interactive"))
    ] = False,
) -> None:
    from loa.app.messages import add_message
    from loa.app.recordings import keeping
    from loa.core.errors import UserError

    station = get_station()
    with keeping(station) as keeper:
        if title is None or interactive:
            if not (interactive or sys.stdin.isatty()):
                raise UserError(T("need_title"))
            raw = _prompt_fields(station)
        else:
            raw = _raw(
                title=title,
                body=body,
                topic=topic,
                audiences=audience,
                source_document=source,
                valid_from=_day(valid_from, station),
                valid_until=_day(valid_until, station),
                priority=priority,
                airings_per_week=airings,
                channels=channel,
                radio_script=radio_script,
                post_text=post_text,
                image=_photo(image, station),
                link=link,
            )
        if audio is not None:
            raw["audio"] = _recording(keeper, audio)
        message = add_message(station, raw, now=station.now())
    console().print(T("created", id=message.id, title=message.title), highlight=False)


@msg_app.command("import", help=T("import"))
def import_(
    files: Annotated[list[Path], typer.Argument(help=T("o_files"))],
    topic: Annotated[str | None, typer.Option("--topic", help=T("o_default_topic"))] = None,
    approve_as: Annotated[str | None, typer.Option("--approve-as", help=T("o_approve_as"))] = None,
    allow_duplicates: Annotated[bool, typer.Option("--allow-duplicates", help=T("o_dups"))] = False,
) -> None:
    from rich.table import Table

    from loa.app.messages import import_messages
    from loa.app.recordings import keeping

    station = get_station()
    out = console()
    for path in files:
        with keeping(station) as keeper:
            report = import_messages(
                station,
                path,
                default_topic=topic,
                approve_as=approve_as,
                now=station.now(),
                allow_duplicates=allow_duplicates,
                photo=lambda image, folder: _photo(image, station, cwd=folder) or image,
                audio=keeper.attach,
            )
        rows = report.created
        if report.encoding != "unicode":
            out.print(T("encoding", enc=report.encoding.upper()), highlight=False)
        table = Table(title=T("imported", n=len(rows), path=path.name))
        for col in ("c_id", "c_title", "c_topic", "c_status"):
            table.add_column(T(col))
        for row in rows:
            table.add_row(*(str(c) for c in row))
        out.print(table)
        for title, existing_id in report.duplicates:
            out.print(T("duplicate", title=title, id=existing_id), highlight=False)
        for title, label in report.guessed:
            out.print(T("guessed", title=title, topic=label), highlight=False)


@msg_app.command("list", help=T("list"))
def list_(
    status: Annotated[str | None, typer.Option("--status", help=T("o_status"))] = None,
    topic: TopicOpt = None,
    audience: Annotated[str | None, typer.Option("--audience", "-a", help=T("o_audience"))] = None,
    channel: Annotated[str | None, typer.Option("--channel", "-c", help=T("o_channel"))] = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help=T("o_search"))] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help=T("o_limit"))] = None,
    as_json: JsonOpt = False,
) -> None:
    from rich.table import Table

    from loa.app.messages import find_views

    station = get_station()
    messages = find_views(
        station, status=status, topic=topic, audience=audience, channel=channel, text=search
    )
    if as_json:
        print_json([m.data for m in messages])
        return
    # On a narrow terminal topic and audience give their room to the title (msg show has them).
    wide = console().width >= 110
    table = Table(title=T("queue_title", station=station.name, n=len(messages)), expand=True)
    table.add_column(T("c_id"), justify="right", no_wrap=True)
    table.add_column(T("c_title"), ratio=3, overflow="fold")
    if wide:
        table.add_column(T("c_topic"), ratio=2, overflow="fold")
        table.add_column(T("c_aud"), ratio=2, overflow="fold")
    table.add_column(T("c_priority"))
    table.add_column(T("c_airings"), justify="right", no_wrap=True)
    table.add_column(T("c_until"), no_wrap=True)
    table.add_column(T("c_status"))
    shown = messages[:limit] if limit else messages
    for m in shown:
        table.add_row(
            str(m.id),
            m.title,
            *((m.topic_label, ", ".join(m.audience_labels)) if wide else ()),
            m.priority_label,
            str(m.airings_per_week),
            _date(m.valid_until),
            m.status_label,
        )
    out = console()
    if messages:
        out.print(table)
        if len(shown) < len(messages):
            out.print(T("more", n=len(messages) - len(shown)), highlight=False)
    else:
        out.print(T("none"))


@msg_app.command("show", help=T("show"))
def show(
    message_id: Annotated[int, typer.Argument(help=T("o_id"), parser=row_id)],
    as_json: JsonOpt = False,
) -> None:
    from rich.panel import Panel
    from rich.table import Table

    from loa.app.messages import message_view
    from loa.core.registry import channel_label

    m = message_view(get_station(), message_id)
    if as_json:
        print_json([m.data])
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    grid.add_row(T("c_topic"), m.topic_label)
    grid.add_row(T("c_aud"), ", ".join(m.audience_labels))
    grid.add_row(T("f_source"), m.source_document or "—")
    grid.add_row(T("c_valid"), f"{_date(m.valid_from)}–{_date(m.valid_until)}")
    grid.add_row(T("c_priority"), m.priority_label)
    grid.add_row(T("c_airings"), str(m.airings_per_week))
    grid.add_row(T("c_channels"), ", ".join(channel_label(c) for c in m.channels))
    grid.add_row(T("c_status"), m.status_label)
    if m.approved_by:
        grid.add_row(T("f_approved"), f"{m.approved_by} ({m.approved_at:%d/%m/%Y %H:%M})")
    grid.add_row(T("f_body"), m.body or "—")
    if m.radio_script:
        grid.add_row(T("f_radio"), m.radio_script)
    if m.post_text:
        grid.add_row(T("f_post"), m.post_text)
    if m.image:
        grid.add_row(T("f_image"), m.image)
    if m.link:
        grid.add_row(T("f_link"), m.link)
    if m.audio:
        seconds = round(m.audio_seconds or 0)
        grid.add_row(
            T("f_audio"), f"{m.audio_name or m.audio} ({seconds // 60}:{seconds % 60:02d})"
        )
    console().print(Panel(grid, title=f"#{m.id} {m.title}", title_align="left"))


@msg_app.command("edit", help=T("edit"))
def edit(
    message_id: Annotated[int, typer.Argument(help=T("o_id"), parser=row_id)],
    title: TitleOpt = None,
    body: BodyOpt = None,
    topic: TopicOpt = None,
    audience: AudOpt = None,
    source: SourceOpt = None,
    valid_from: FromOpt = None,
    valid_until: UntilOpt = None,
    priority: PriorityOpt = None,
    airings: AiringsOpt = None,
    channel: ChannelOpt = None,
    radio_script: RadioOpt = None,
    post_text: PostOpt = None,
    image: ImageOpt = None,
    link: LinkOpt = None,
    audio: AudioOpt = None,
    no_audio: Annotated[bool, typer.Option("--no-audio", help=T("o_no_audio"))] = False,
    keep_approval: Annotated[bool, typer.Option("--keep-approval", help=T("o_keep"))] = False,
) -> None:
    from loa.app.messages import edit_message
    from loa.app.recordings import keeping
    from loa.core.errors import UserError

    if audio is not None and no_audio:
        raise UserError(T("audio_both"))
    station = get_station()
    raw = _raw(
        title=title,
        body=body,
        topic=topic,
        audiences=audience,
        source_document=source,
        valid_from=_day(valid_from, station),
        valid_until=_day(valid_until, station),
        priority=priority,
        airings_per_week=airings,
        channels=channel,
        radio_script=radio_script,
        post_text=post_text,
        image=_photo(image, station),
        link=link,
    )
    if no_audio:
        raw["audio"] = None
    stamp = station.now()
    with keeping(station) as keeper:
        if audio is not None:
            raw["audio"] = _recording(keeper, audio)
        done = edit_message(station, message_id, raw, now=stamp, keep_approval=keep_approval)
    out = console()
    if not done.changed:
        out.print(T("unchanged", id=done.id), highlight=False)
        return
    out.print(T("edited", id=done.id), highlight=False)
    if done.reopened:
        out.print(T("reopened", id=done.id), highlight=False)


def _photo(image: str | None, station: Station, *, cwd: Path | None = None) -> str | None:
    """A photo file named on the command line (from `cwd`, default the current folder) or in
    an import file (from its folder), checked and stored so the daemon finds it."""
    from loa.app.messages import photo_reference

    return photo_reference(station, image, cwd=cwd or Path.cwd())


def _recording(keeper: Any, path: Path) -> dict[str, Any]:
    """Check and keep a recording named on the command line, with a spinner while it is
    mastered (a long recording takes a while)."""
    with err_console().status(T("mastering", name=path.name)):
        return dict(keeper.attach(str(path), Path.cwd()))


def _default_approver() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "cán bộ văn hóa"


@msg_app.command("approve", help=T("approve"))
def approve(
    ids: Annotated[list[int] | None, typer.Argument(help=T("o_ids"), parser=row_id)] = None,
    by: Annotated[str | None, typer.Option("--by", help=T("o_by"))] = None,
    all_drafts: Annotated[bool, typer.Option("--all-drafts", help=T("o_all_drafts"))] = False,
) -> None:
    from loa.app.messages import approve_messages, find_views
    from loa.core.errors import UserError

    station = get_station()
    chosen = list(ids or [])
    if all_drafts:
        chosen += [m.id for m in find_views(station, status="draft")]
    if not chosen:
        raise UserError(T("nothing"))
    now = station.now()
    approved = approve_messages(station, chosen, by=by or _default_approver(), now=now)
    done = [(m.id, m.title) for m in approved]
    expired: list[tuple[int, date]] = [
        (m.id, m.valid_until)
        for m in approved
        if m.valid_until is not None and m.valid_until < now.date()
    ]
    for message_id, title in done:
        console().print(T("approved", id=message_id, title=title), highlight=False)
    for message_id, until in expired:
        warn(T("expired_approved", id=message_id, until=until.strftime("%d/%m/%Y")))
    from loa.app.approval import send_urgent

    sent = send_urgent(
        station, [i for i, _ in done], by=by or _default_approver(), now=station.now()
    )
    for message_id, result in sent.items():
        if result.on_air:
            console().print(T("urgent_sent", id=message_id, how=result.aired), highlight=False)
        elif result.problem:
            err_console().print(result.problem, highlight=False, markup=False)


@msg_app.command("archive", help=T("archive"))
def archive(ids: Annotated[list[int], typer.Argument(help=T("o_ids"), parser=row_id)]) -> None:
    from loa.app.messages import archive_messages

    station = get_station()
    for m in archive_messages(station, list(ids), now=station.now()):
        console().print(T("archived", id=m.id, title=m.title), highlight=False)


@msg_app.command("export", help=T("export"))
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help=T("o_format"))] = "yaml",
    out: Annotated[Path | None, typer.Option("--output", "-o", help=T("o_out"))] = None,
    status: Annotated[str | None, typer.Option("--status", help=T("o_status"))] = None,
    topic: TopicOpt = None,
) -> None:
    from loa.app.messages import export_messages
    from loa.core.errors import UserError
    from loa.core.fileio import atomic_write_text

    if fmt.lower() not in ("csv", "yaml", "yml"):
        raise UserError(T("bad_format", fmt=fmt))
    text, n = export_messages(get_station(), fmt.lower(), status=status, topic=topic)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
        console().print(T("exported", n=n, path=out), highlight=False)


def _taxonomy_command(kind: str) -> Any:
    def command(
        add_code: Annotated[str | None, typer.Option("--add", help=T("o_add_code"))] = None,
        name: Annotated[str | None, typer.Option("--name", help=T("o_name"))] = None,
        remove: Annotated[str | None, typer.Option("--remove", help=T("o_remove"))] = None,
    ) -> None:
        from rich.table import Table

        from loa.app.messages import edit_terms

        terms = edit_terms(get_station(), kind, add=add_code, name=name, remove=remove)
        table = Table(title=T(kind))
        table.add_column(T("c_code"))
        table.add_column(T("c_name"))
        for entry in terms:
            table.add_row(entry.code, entry.label)
        console().print(table)

    return command


msg_app.command("topics", help=T("topics"))(_taxonomy_command("topics"))
msg_app.command("audiences", help=T("audiences"))(_taxonomy_command("audiences"))


def _voice_command() -> None:
    from loa.cli.msg_voice import VOICE_TEXT, voice

    msg_app.command("voice", help=VOICE_TEXT("voice"))(voice)


_voice_command()


def register(app: typer.Typer) -> None:
    app.add_typer(msg_app, name="msg")
