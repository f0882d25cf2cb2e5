"""HTML templates shipped inside loa's packages, rendered with Jinja2.

Each package that writes HTML keeps its templates in its own `templates/` folder (for example
`loa/channels/templates/page.html.j2`) and renders them with `render("loa.channels", name, ...)`.
Every environment escapes what it inserts (autoescape on), so a title such as
`<script>` or `Tom & Jerry "A"` is shown as text, and a variable a template names but the caller
did not pass is an error (StrictUndefined) rather than an empty string. Text is escaped the way
`html.escape` does it (`"` as `&quot;`, `'` as `&#x27;`), as loa's pages always were. Jinja2 is
imported on first use, so importing this module costs nothing.
"""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup


@cache
def environment(package: str) -> jinja2.Environment:
    """The one Jinja2 environment of `package`, loading from its `templates/` folder."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_escape,
    )


def _escape(value: object) -> Markup:
    """`value` as HTML text: markup passes through, anything else is escaped like html.escape."""
    from markupsafe import Markup

    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html.escape(str(value)))


def render(package: str, name: str, /, **context: Any) -> str:
    """The template `name` of `package` rendered with `context` (every value escaped)."""
    return environment(package).get_template(name).render(**context)


def static(package: str, name: str) -> str:
    """A file of `package`'s `templates/` folder as it is (a stylesheet), not rendered."""
    return files(package).joinpath("templates", name).read_text(encoding="utf-8")
