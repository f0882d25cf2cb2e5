"""`loa province tag`, `loa province msg ...`: the province as its communes' source system."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

from loa.cli.common import sub_app
from loa.cli.province import JsonOpt, ProvinceOpt, _find
from loa.core.i18n import Catalog

T = Catalog(
    {
        "msg": (
            "Tin của tỉnh gửi xuống các xã: add (viết và gửi), list (đã phát/đăng ở đâu), show, "
            "deliver (gửi tiếp tới xã chưa nhận).",
            "The province's messages to its communes: add (write and send), list (aired and "
            "posted where), show, deliver (to the communes that have not received it).",
        ),
        "tag": (
            "Gắn nhãn cho xã (ven-bien, mien-nui, bien-gioi, ...) để gửi tin đúng xã; --remove "
            "để bỏ nhãn. Xã được gắn nhãn mới nhận các tin còn hạn gửi tới nhãn đó.",
            "Tag a commune (coastal, mountain, border, ...) so messages reach the right ones; "
            "--remove takes tags away. A commune given a tag receives the valid messages sent "
            "to it.",
        ),
        "add": (
            "Viết một tin của tỉnh một lần và gửi vào hàng đợi của các xã (--to all, nhãn hoặc "
            "mã xã), đã duyệt; khẩn cấp: phát ngay ở mọi xã nhận.",
            "Write a province message once and deliver it, approved, into the target "
            "communes' queues (--to all, tags or commune ids); urgent: aired at once in each.",
        ),
        "list": (
            "Các tin của tỉnh và việc nhận: bao nhiêu xã nhận, đã phát, đã đăng.",
            "The province's messages and their delivery: communes reached, aired, posted.",
        ),
        "show": (
            "Một tin của tỉnh, từng xã: nhận lúc nào, phát lúc nào ở khu vực nào, đăng ở đâu.",
            "One province message, commune by commune: delivered, aired when and where, posted "
            "where.",
        ),
        "deliver": (
            "Gửi tiếp một tin của tỉnh tới các xã chưa nhận (sau một lần gửi bị ngắt, hoặc xã "
            "mới được gắn nhãn); không xã nào nhận hai lần.",
            "Deliver a province message to the communes that have not received it yet (after a "
            "send that was cut off, or a commune tagged since); no commune gets it twice.",
        ),
        "delivered_rest": (
            "Tin số {id}: gửi thêm tới {n} xã ({idents}); {total} xã đã nhận.",
            "Message {id}: delivered to {n} more commune(s) ({idents}); {total} have it.",
        ),
        "delivered_all": (
            "Tin số {id} đã tới mọi xã nhận ({total} xã): không còn gì để gửi.",
            "Message {id} has reached every target commune ({total}): nothing left to deliver.",
        ),
        "o_ident": ("Mã xã, ví dụ xa_cam_nhuong.", "The commune id, e.g. xa_cam_nhuong."),
        "o_tags": ("Các nhãn, ví dụ ven-bien mien-nui.", "Tags, e.g. coastal mountain."),
        "o_remove": ("Bỏ các nhãn này.", "Take these tags away."),
        "o_title": ("Tiêu đề tin.", "The message's title."),
        "o_body": ("Nội dung tin (đọc trên loa và đăng).", "The message's text (read and posted)."),
        "o_to": (
            "Gửi tới: all (mọi xã), nhãn hoặc mã xã; nhắc lại hoặc cách nhau bằng dấu phẩy.",
            "Send to: all (every commune), tags or commune ids; repeat or separate with commas.",
        ),
        "o_class": (
            "Mức độ (Thông tư 39): thuong (thông thường), uu-tien (ưu tiên), khan-cap (khẩn cấp).",
            "Class (Circular 39): thuong (normal), uu-tien (priority), khan-cap (urgent).",
        ),
        "o_from": ("Có hiệu lực từ ngày, ví dụ 01/12/2026.", "Valid from, e.g. 01/12/2026."),
        "o_until": (
            "Hết hạn sau ngày, ví dụ 31/12/2026 (tin khẩn cấp: mặc định hôm nay).",
            "Valid until, e.g. 31/12/2026 (urgent: today by default).",
        ),
        "o_channels": (
            "Kênh, ví dụ radio,facebook (mặc định radio, facebook, website).",
            "Channels, e.g. radio,facebook (default radio, facebook, website).",
        ),
        "o_topic": ("Chủ đề CCHC (mã), mặc định communication.", "CCHC topic code."),
        "o_by": ("Người gửi (ghi vào nhật ký).", "Who sends it (for the record)."),
        "o_id": ("Số tin của tỉnh (loa province msg list).", "The province message id."),
        "tags_now": ("Xã {ident}: nhãn {tags}.", "Commune {ident}: tags {tags}."),
        "no_tags": ("không có", "none"),
        "caught_up": (
            "Xã {ident} nhận thêm {n} tin còn hạn của tỉnh: {ids}.",
            "Commune {ident} received {n} more valid province messages: {ids}.",
        ),
        "sent": (
            'Đã gửi tin số {id} ("{cls}") vào hàng đợi của {n} xã: {idents}.',
            'Sent message {id} ("{cls}") into the queues of {n} communes: {idents}.',
        ),
        "sent_urgent": (
            "Đã đưa {n} việc phát khẩn cấp vào hàng đợi (một việc mỗi xã); loa worker phát "
            "ngay. Xem kết quả: loa province msg show {id}",
            "Queued {n} urgent airings (one per commune); loa worker airs them at once. See "
            "what happened: loa province msg show {id}",
        ),
        "sent_high": (
            "Các xã lập lại lịch ngay để tin ưu tiên lên đầu bản tin tới ({n} việc).",
            "The communes re-plan now so the priority message leads their next bulletins ({n} "
            "jobs).",
        ),
        "sent_normal": (
            "Các xã xếp lịch tin này như tin của mình (lần lập lịch hằng ngày tới).",
            "The communes plan it like their own (at their next daily planning).",
        ),
        "none": ("Tỉnh chưa gửi tin nào.", "The province has sent no messages yet."),
        "h_id": ("Số", "Id"),
        "h_class": ("Mức độ", "Class"),
        "h_title": ("Tiêu đề", "Title"),
        "h_to": ("Gửi tới", "To"),
        "h_communes": ("Xã nhận", "Communes"),
        "h_aired": ("Đã phát", "Aired"),
        "h_posted": ("Đã đăng", "Posted"),
        "h_when": ("Lúc gửi", "Sent"),
        "h_ident": ("Xã", "Commune"),
        "h_delivered": ("Nhận lúc", "Delivered"),
        "h_aired_at": ("Phát lúc", "Aired at"),
        "h_zones": ("Khu vực", "Zones"),
        "h_posts": ("Đăng", "Posts"),
        "not_yet": ("chưa", "not yet"),
        "fig_title": ("Tin của tỉnh gửi xuống", "Messages the province sent down"),
        "fig_sent": ("Tin đã gửi", "Messages sent"),
        "fig_deliveries": ("Lượt xã nhận", "Commune deliveries"),
        "fig_targeted": ("Số xã nhận", "Communes targeted"),
        "fig_aired": ("Số xã đã phát", "Communes that aired them"),
        "fig_posted": ("Số xã đã đăng", "Communes that posted them"),
        "fig_zones": ("Khu vực loa đã phát", "Loudspeaker zones reached"),
        "fig_airings": ("Lượt phát", "Airings"),
        "fig_airtime": ("Phút phát", "Minutes aired"),
        "fig_posts": ("Bài đăng", "Posts"),
    }
)

msg_app = sub_app(T("msg"))


def _class_label(priority: str) -> str:
    from loa.app.labels import priority_label

    return priority_label(priority)


def _split(values: list[str]) -> list[str]:
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def tag_cmd(
    ident: Annotated[str, typer.Argument(help=T("o_ident"))],
    tags: Annotated[list[str] | None, typer.Argument(help=T("o_tags"))] = None,
    remove: Annotated[bool, typer.Option("--remove", help=T("o_remove"))] = False,
    province: ProvinceOpt = None,
) -> None:
    from loa.cli.common import console
    from loa.province.messages import tag_station

    done = tag_station(_find(province), ident, _split(tags or []), remove=remove)
    out = console()
    out.print(
        T("tags_now", ident=done.ident, tags=", ".join(done.tags) or T("no_tags")),
        highlight=False,
    )
    if done.delivered:
        out.print(
            T(
                "caught_up",
                ident=done.ident,
                n=len(done.delivered),
                ids=", ".join(str(i) for i in done.delivered),
            ),
            highlight=False,
        )


@msg_app.command("add", help=T("add"))
def add_cmd(
    title: Annotated[str, typer.Option("--title", help=T("o_title"))],
    body: Annotated[str, typer.Option("--body", help=T("o_body"))],
    to: Annotated[list[str], typer.Option("--to", help=T("o_to"))],
    klass: Annotated[str, typer.Option("--class", help=T("o_class"))] = "thuong",
    valid_from: Annotated[str | None, typer.Option("--valid-from", help=T("o_from"))] = None,
    valid_until: Annotated[str | None, typer.Option("--valid-until", help=T("o_until"))] = None,
    channels: Annotated[str | None, typer.Option("--channels", help=T("o_channels"))] = None,
    topic: Annotated[str, typer.Option("--topic", help=T("o_topic"))] = "communication",
    by: Annotated[str | None, typer.Option("--by", help=T("o_by"))] = None,
    province: ProvinceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from loa.cli.common import console, print_json
    from loa.core.dates import parse_date
    from loa.province.messages import parse_class, send

    opened = _find(province)
    today = opened.now().date()
    priority = parse_class(klass)
    sent = send(
        opened,
        title=title,
        body=body,
        priority=priority,
        targets=_split(to),
        by=by or _user(),
        channels=_split([channels]) if channels else None,
        topic=topic,
        valid_from=parse_date(valid_from, today=today) if valid_from else None,
        valid_until=parse_date(valid_until, today=today) if valid_until else None,
    )
    if as_json:
        print_json(
            {
                "id": sent.message_id,
                "class": sent.priority,
                "delivered": sent.delivered,
                "jobs": sent.jobs,
            }
        )
        return
    out = console()
    out.print(
        T(
            "sent",
            id=sent.message_id,
            cls=_class_label(sent.priority),
            n=len(sent.delivered),
            idents=", ".join(sent.delivered),
        ),
        highlight=False,
    )
    if "urgent" in sent.jobs:
        out.print(T("sent_urgent", n=sent.jobs["urgent"], id=sent.message_id), highlight=False)
    elif "refresh" in sent.jobs:
        out.print(T("sent_high", n=sent.jobs["refresh"]), highlight=False)
    else:
        out.print(T("sent_normal"), highlight=False)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "cán bộ tỉnh"


@msg_app.command("list", help=T("list"))
def list_cmd(province: ProvinceOpt = None, as_json: JsonOpt = False) -> None:
    from loa.cli.common import console, print_json, shorten
    from loa.core.dates import format_date
    from loa.province.deliveries import list_messages

    messages = list_messages(_find(province))
    if as_json:
        print_json([m.to_dict() for m in messages])
        return
    if not messages:
        console().print(T("none"))
        return
    from rich.table import Table

    table = Table(
        T("h_id"),
        T("h_class"),
        T("h_title"),
        T("h_to"),
        T("h_when"),
        T("h_communes"),
        T("h_aired"),
        T("h_posted"),
    )
    for m in messages:
        table.add_row(
            str(m.id),
            _class_label(m.priority),
            shorten(m.title, 40),
            ", ".join(m.targets),
            f"{format_date(m.created_at.date())} {m.created_at:%H:%M}",
            str(len(m.deliveries)),
            f"{m.aired_in}/{len(m.deliveries)}",
            f"{m.posted_in}/{len(m.deliveries)}",
            style="bold red" if m.priority == "urgent" else None,
        )
    console().print(table)


@msg_app.command("show", help=T("show"))
def show_cmd(
    message_id: Annotated[int, typer.Argument(help=T("o_id"))],
    province: ProvinceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from loa.cli.common import console, print_json
    from loa.province.deliveries import list_messages

    (message,) = list_messages(_find(province), message_id=message_id)
    if as_json:
        print_json(message.to_dict())
        return
    from rich.table import Table

    out = console()
    out.print(f"#{message.id} [{_class_label(message.priority)}] {message.title}", highlight=False)
    table = Table(T("h_ident"), T("h_delivered"), T("h_aired_at"), T("h_zones"), T("h_posts"))
    for d in message.deliveries:
        table.add_row(
            d.ident,
            f"{d.delivered_at:%d/%m %H:%M:%S}",
            ", ".join(f"{a:%d/%m %H:%M:%S}" for a in d.aired) or T("not_yet"),
            ", ".join(d.zones),
            ", ".join(f"{ch} {at:%d/%m %H:%M}" for ch, at in d.posted.items()) or "—",
            style="yellow" if d.problem else None,
        )
    out.print(table)


@msg_app.command("deliver", help=T("deliver"))
def deliver_cmd(
    message_id: Annotated[int, typer.Argument(help=T("o_id"))],
    province: ProvinceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from loa.cli.common import console, print_json
    from loa.province.messages import deliver_rest

    done = deliver_rest(_find(province), message_id)  # UserError when there is no such message
    total = len(done.delivered)
    if as_json:
        print_json({"id": message_id, "delivered": done.fresh, "jobs": done.jobs, "total": total})
        return
    if done.fresh:
        text = T(
            "delivered_rest",
            id=message_id,
            n=len(done.fresh),
            idents=", ".join(done.fresh),
            total=total,
        )
    else:
        text = T("delivered_all", id=message_id, total=total)
    console().print(text, highlight=False)


def print_figures(figures: Any) -> None:
    """The province's own figures as a small table, after the communes' report."""
    from rich.table import Table

    from loa.cli.common import console

    table = Table(T("fig_title"), "", show_header=True)
    sent = ", ".join(f"{_class_label(k)} {v}" for k, v in figures.sent.items())
    rows = [
        ("fig_sent", f"{sum(figures.sent.values())} ({sent})"),
        ("fig_deliveries", str(figures.deliveries)),
        ("fig_targeted", str(figures.communes_targeted)),
        ("fig_aired", str(figures.communes_aired)),
        ("fig_posted", str(figures.communes_posted)),
        ("fig_zones", str(figures.zones_aired)),
        ("fig_airings", str(figures.airings)),
        ("fig_airtime", f"{figures.airtime_min:g}"),
        ("fig_posts", str(figures.posts)),
    ]
    for key, value in rows:
        table.add_row(T(key), value)
    console().print(table)


def attach(province_app: typer.Typer) -> None:
    """Add `tag` and `msg` to `loa province`."""
    province_app.command("tag", help=T("tag"))(tag_cmd)
    province_app.add_typer(msg_app, name="msg")
