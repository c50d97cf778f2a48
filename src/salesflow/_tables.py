"""Tables for display (private): the plain-text tables of ``format()`` and the HTML of
``_repr_html_`` that Jupyter shows, built in one place without any dependency.

The HTML is small (long tables show their first and last rows), deterministic
and escaped: every text passes through :func:`html.escape`, and a shaded cell's
background is inline CSS computed from its share (no script).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Final, NamedTuple, TypeVar

#: Body rows a table shows in full; a longer one shows its first and last halves of this.
MAX_ROWS: Final = 40

# One short rule for every salesflow table, rather than a style on each cell.
_STYLE: Final = (
    "<style>table.salesflow{border-collapse:collapse;font-variant-numeric:tabular-nums}"
    "table.salesflow th,table.salesflow td{padding:1px 8px;text-align:right}"
    "table.salesflow caption,table.salesflow tr>th:first-child,"
    "table.salesflow tfoot td{text-align:left}</style>"
)
_SHADE: Final = "background:rgba(31,119,180,{alpha})"

T = TypeVar("T")


class Shaded(NamedTuple):
    """A cell's text and the share (0 to 1; None: not shaded) its background shows."""

    text: str
    share: Fraction | None


Cell = str | Shaded


def escaped(text: object) -> str:
    """``str(text)`` safe inside HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def shading(share: Fraction | None) -> str:
    """Inline CSS for a share: a blue background as strong as the share, white text when dark."""
    if share is None:
        return ""
    level = round(min(max(share, Fraction(0)), Fraction(1)) * 100)
    style = _SHADE.format(alpha=f"{level // 100}.{level % 100:02d}")
    return style + (";color:#fff" if level > 55 else "")


def text_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Lines of a plain-text table: the first column left-aligned, the others right-aligned."""
    columns = max((len(row) for row in rows), default=0)
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(columns)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] if row else []
        cells += [text.rjust(widths[i + 1]) for i, text in enumerate(row[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines


def _row(cells: Sequence[Cell], tag: str) -> str:
    parts = []
    for column, cell in enumerate(cells):
        text, share = (cell.text, cell.share) if isinstance(cell, Shaded) else (cell, None)
        name = "th" if column == 0 or tag == "th" else "td"
        style = f' style="{shading(share)}"' if share is not None else ""
        parts.append(f"<{name}{style}>{escaped(text)}</{name}>")
    return "<tr>" + "".join(parts) + "</tr>"


def ends(items: Sequence[T]) -> Sequence[T]:
    """``items``, or only the first and last ``MAX_ROWS // 2`` of a longer sequence."""
    half = MAX_ROWS // 2
    return items if len(items) <= MAX_ROWS else [*items[:half], *items[-half:]]


def html_table(
    *,
    kind: str,
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    notes: Sequence[str] = (),
    total: int | None = None,
) -> str:
    """An HTML table: ``caption`` above, one ``<tr>`` per row in ``<tbody>``, ``notes`` below.

    A table of more than :data:`MAX_ROWS` rows shows only its :func:`ends`,
    with a ``…`` row between them and a note of how many rows it has;
    ``total`` is that number when ``rows`` already are the ends of a longer table.
    """
    total = len(rows) if total is None else total
    shown = list(ends(rows))
    if total > len(shown):
        gap = ["…", *("" for _ in header[1:])]
        shown.insert(MAX_ROWS // 2, gap)
        notes = [f"showing {MAX_ROWS:,} of {total:,} rows", *notes]
    parts = [
        f'{_STYLE}<table class="salesflow {escaped(kind)}">',
        f"<caption>{escaped(caption)}</caption>",
        f"<thead>{_row(header, 'th')}</thead><tbody>",
        *(_row(row, "td") for row in shown),
        "</tbody>",
    ]
    if notes:
        foot = "<br>".join(escaped(note) for note in notes)
        parts.append(f'<tfoot><tr><td colspan="{len(header)}">{foot}</td></tr></tfoot>')
    return "".join(parts) + "</table>"


def html_record(record: Any) -> str:
    """A row record (anything with ``to_dict()``) as a two-column table of its plain values."""
    name = type(record).__name__
    rows = [(key, "-" if value is None else str(value)) for key, value in record.to_dict().items()]
    return html_table(kind=name.lower(), caption=name, header=("field", "value"), rows=rows)


def html_tables(kind: str, tables: Sequence[str]) -> str:
    """Several tables of one result, one under the other."""
    return f'<div class="salesflow {escaped(kind)}">' + "".join(tables) + "</div>"


def html_result(*, kind: str, shown: str, detail: str) -> str:
    """A single result: its value in bold, then its repr's words (``<Ratio ...>`` unwrapped)."""
    words = detail.removeprefix("<").removesuffix(">")
    return (
        f'<div class="salesflow {escaped(kind)}"><b>{escaped(shown)}</b> '
        f'<span style="color:#555">{escaped(words)}</span></div>'
    )
