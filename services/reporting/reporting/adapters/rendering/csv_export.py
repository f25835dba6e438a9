"""A report table as CSV (RFC 4180): UTF-8 without BOM, CRLF, one header row of column labels.

Money is a plain decimal string (`1234.50`: no currency sign, no thousands separator), so a
spreadsheet or a script reads the exact amount. Only the rows are written: the totals row and the
notes belong to the PDF, since a totals row inside the data would be counted twice by anyone
who sums or filters the column. A text cell that a spreadsheet would take for a formula
(starting with `= + - @`, tab or CR) is prefixed with `'` (OWASP's CSV-injection advice).
"""

from __future__ import annotations

import csv
import io

from .cells import plain
from .table import ReportTable

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def table_to_csv(table: ReportTable) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_safe_text(c.label) for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                _safe_text(plain(c, row.get(c.key)))
                if c.kind == "text"
                else plain(c, row.get(c.key))
                for c in table.columns
            ]
        )
    return out.getvalue().encode("utf-8")
