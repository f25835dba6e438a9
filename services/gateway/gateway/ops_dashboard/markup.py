"""HTML by string templates: every value is escaped unless it is already `Safe` markup.

No template engine is a dependency of the project, and the pages are few and small: a template
is a `str.format` string whose fields are filled through `html`, which escapes text (quotes
included, so a value is safe inside an attribute too) and passes `Safe` fragments as they are.
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable
from typing import Any


class Safe(str):
    """Markup built by this module: inserted into a template without escaping again."""

    __slots__ = ()


def escape(value: Any) -> Safe:
    """`value` as HTML text: `Safe` passes, None is empty, anything else is str() and escaped."""
    if isinstance(value, Safe):
        return value
    if value is None:
        return Safe("")
    return Safe(_html.escape(str(value), quote=True))


def html(template: str, /, **values: Any) -> Safe:
    """`template` (trusted, from this code) with each `{name}` replaced by `escape(value)`."""
    return Safe(template.format(**{name: escape(value) for name, value in values.items()}))


def join(parts: Iterable[Safe]) -> Safe:
    return Safe("".join(escape(part) for part in parts))
