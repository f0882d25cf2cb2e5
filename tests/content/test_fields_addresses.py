"""Links and photo addresses are http(s) or refused: a "javascript:" link would otherwise be
rendered on the commune's website and dashboard."""

from __future__ import annotations

import pytest

from loa.content.fields import check_address
from loa.core.errors import UserError


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ftp://xa.gov.vn/tin",
        "dichvucong.gov.vn",
        "https://",
        "vbscript:msgbox(1)",
    ],
)
def test_a_link_that_is_not_an_http_address_is_refused(value: str) -> None:
    with pytest.raises(UserError, match="không phải địa chỉ http"):
        check_address("link", value, "tin.csv:3")


@pytest.mark.parametrize("value", ["https://dichvucong.gov.vn", "http://xa.gov.vn/tin?id=3"])
def test_http_links_pass(value: str) -> None:
    check_address("link", value)
    check_address("image", value)


@pytest.mark.parametrize("value", ["anh/hop-dan.jpg", "/srv/anh/a.png", "C:\\anh\\a.jpg"])
def test_a_photo_may_be_a_file(value: str) -> None:
    check_address("image", value)


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:image/png;base64,AAAA"])
def test_a_photo_address_must_be_http(value: str) -> None:
    with pytest.raises(UserError, match="ảnh"):
        check_address("image", value)
