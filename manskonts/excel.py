"""An Excel report written from a table's declaration (manskonts.columns): openpyxl makes the
workbook, its styles and the sheet around the rows; the rows' XML is written here.

Why the rows are not openpyxl's: in write-only mode openpyxl still builds a cell object per value,
checks and binds it, then writes it through lxml's incremental writer, about 10 µs a cell; a
100,000-row report of 11 columns spent three quarters of its time there. Here the declaration is
compiled once per report into one Python function that writes a whole chunk of rows as text
(`ExcelSheet.source` is its code), about a microsecond a cell. What openpyxl keeps doing: the
workbook, the styles (the header's bold font and the date format are openpyxl styles, registered in
the workbook, and the cells carry their ids), the column widths, the frozen header row, the
header's filter buttons, the content types and the ZIP. `save()` lets openpyxl write the workbook
with an empty sheet and puts the rows into that sheet's <sheetData>.

Every text is an inline string (`t="inlineStr"`), never a formula or an error value, so a client's
label "=HYPERLINK(…)" or "#N/A" shows exactly as typed and is never evaluated
(tests/security/test_excel_formulas.py). Characters XML cannot hold (control characters other than
tab, line feed and carriage return) are left out; openpyxl refuses the whole report for them.

Rows go to a temporary file as they are written and into the ZIP at the end, chunk by chunk, so
memory stays flat however many rows there are, up to Excel's limit (MAX_ROWS; more is refused
with TooManyRows, in Latvian).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from datetime import date
from io import BytesIO
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from manskonts.columns import DATE, NUMBER, TEXT, Column

DATE_FORMAT = "DD.MM.YYYY"
# Excel's sheet has 1,048,576 rows; the first is the header.
MAX_ROWS = 1_048_576 - 1
# A date's serial number is its days since 30.12.1899 (Excel's 1900 system, from 1.03.1900 on).
SERIAL_OFFSET = date(1899, 12, 30).toordinal()
FIRST_PLAIN_DAY = date(1900, 3, 1)

# What a text needs done before it goes into XML: &, <, > escaped; CR as a character reference
# (an XML reader turns a literal one into a line feed); what XML 1.0 cannot hold left out.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
_ESCAPES.update(dict.fromkeys((*range(0, 9), 11, 12, *range(14, 32), 65534, 65535)))
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")


# Stored untranslated on a failed export job, translated where it is shown.
TOO_MANY_ROWS = gettext_noop(
    "Atskaitē ir vairāk rindu, nekā ietilpst Excel lapā (1 048 575). Sašauriniet filtru (piemēram,"
    " periodu) un lejupielādējiet atskaiti pa daļām."
)


class TooManyRows(ValueError):
    """The report has more rows than an Excel sheet holds."""

    def __init__(self):
        super().__init__(_(TOO_MANY_ROWS))


def text_cell(cell: WriteOnlyCell, value: str | None) -> WriteOnlyCell | str | None:
    """For a report written by openpyxl itself (manskonts/admin_export.py): `value` to append as a
    string cell, never a formula; None for an empty cell.

    openpyxl turns a string that starts with "=" into a formula (and "#N/A" and the like into an
    error value); such a value goes into `cell` with its type set back to string afterwards, which
    writes an inline string that Excel and LibreOffice show exactly as typed and never evaluate.
    Any other string openpyxl already writes as an inline string, so it is passed as it is.
    """
    if not value:
        return None
    if value[0] != "=" and value not in ERROR_CODES:
        return value
    cell.value = value  # openpyxl's check: no control characters Excel cannot hold
    cell.data_type = "s"
    return cell


def inline_string(value) -> str:
    """A cell's inline string element of `value` (any value, written as its text)."""
    if value.__class__ is not str:
        value = str(value)
    if not value:
        return "<is><t></t></is>"
    if _NEEDS_ESCAPE.search(value):
        value = value.translate(_ESCAPES)
    if value[0].isspace() or value[-1].isspace():
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


def date_serial(value) -> int | float:
    """A date as Excel's serial number (a datetime with its time as the fraction)."""
    if value.__class__ is date and value >= FIRST_PLAIN_DAY:
        return value.toordinal() - SERIAL_OFFSET
    return to_excel(value)


def style_id(sheet, **style) -> int:
    """The workbook's id of a cell style (openpyxl registers it, and writes it in styles.xml)."""
    cell = WriteOnlyCell(sheet)
    for name, value in style.items():
        setattr(cell, name, value)
    return cell.style_id


def compile_rows(columns: tuple[Column, ...], fields: tuple[str, ...], date_style: int):
    """One function `write(rows, last) -> (xml, last)` for the columns: each row's <row> with its
    cells, numbered on from `last`. Returns the function and its source (labels resolved in the
    current language)."""
    names: dict[str, object] = {
        "inline_string": inline_string,
        "date_serial": date_serial,
    }
    lines = [
        "def write(rows, r):",
        "    parts = []",
        "    add = parts.append",
        "    for row in rows:",
        "        r += 1",
        "        add(f'<row r=\"{r}\">')",
    ]
    for index, column in enumerate(columns):
        spec = column.excel
        letter = get_column_letter(index + 1)
        args = [f"row[{fields.index(name)}]" for name in spec.fields]
        if spec.labels is not None:
            names[f"labels_{index}"] = {key: str(label) for key, label in spec.labels.items()}
            expression = f"labels_{index}.get({args[0]}, {args[0]})"
        elif spec.value is None:
            expression = args[0]
        else:
            names[f"value_{index}"] = spec.value
            expression = f"value_{index}({', '.join(args)})"
        lines.append(f"        # {column.name}: {spec.format}")
        lines.append(f"        v = {expression}")
        if spec.format == TEXT:
            lines.append("        if v:")
            lines.append(
                f'            add(f\'<c r="{letter}{{r}}" t="inlineStr">{{inline_string(v)}}</c>\')'
            )
        elif spec.format == DATE:
            lines.append("        if v is not None:")
            lines.append(
                f'            add(f\'<c r="{letter}{{r}}" s="{date_style}"><v>{{date_serial(v)}}</v></c>\')'
            )
        elif spec.format == NUMBER:
            lines.append("        if v is not None:")
            lines.append(f"            add(f'<c r=\"{letter}{{r}}\"><v>{{v}}</v></c>')")
        else:
            raise ValueError(f"Column {column.name}: no Excel format {spec.format!r}")
        lines.append("")
    lines += ["        add('</row>')", "    return ''.join(parts), r", ""]
    source = "\n".join(lines)
    exec(compile(source, "<excel rows>", "exec"), names)  # noqa: S102 — our own declaration
    return names["write"], source


class ExcelSheet:
    """One report on one sheet: `header()`, `append(chunk, context)` per chunk, `save(target)`.

    `fields` are what each row tuple holds, in order (for `values_list(*fields)`)."""

    def __init__(self, title: str, columns: tuple[Column, ...]):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title)
        self.columns = columns
        fields: list[str] = []
        for column in columns:
            for name in column.excel.fields:
                if name not in fields:
                    fields.append(name)
        self.fields = tuple(fields)
        self.count = 0
        self._write, self.source = compile_rows(
            columns, self.fields, style_id(self.sheet, number_format=DATE_FORMAT)
        )
        self._rows = tempfile.TemporaryFile()  # noqa: SIM115 — closed by save()
        self._last = 0

    def index(self, name: str) -> int:
        """Where the field `name` is in each row tuple."""
        return self.fields.index(name)

    def header(self) -> None:
        bold = style_id(self.sheet, font=Font(bold=True))
        cells = []
        for index, column in enumerate(self.columns, start=1):
            spec = column.excel
            letter = get_column_letter(index)
            self.sheet.column_dimensions[letter].width = spec.width
            text = inline_string(str(spec.header or column.label))
            cells.append(f'<c r="{letter}1" s="{bold}" t="inlineStr">{text}</c>')
        self.sheet.freeze_panes = "A2"
        self._rows.write(f'<row r="1">{"".join(cells)}</row>'.encode())
        self._last = 1

    def append(self, rows) -> None:
        """Write a chunk of row tuples (a list); TooManyRows past Excel's limit."""
        if self.count + len(rows) > MAX_ROWS:
            raise TooManyRows
        xml, self._last = self._write(rows, self._last)
        self._rows.write(xml.encode())
        self.count += len(rows)

    def save(self, target: IO[bytes]) -> None:
        """The workbook into `target`: openpyxl's, with the rows in the sheet."""
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.count + 1}"
        empty = BytesIO()
        self.workbook.save(empty)  # with an empty <sheetData>, the sheet's name now known
        sheet_name = self.sheet.path.lstrip("/")
        rows = self._rows
        size = rows.tell()
        rows.seek(0)
        with (
            zipfile.ZipFile(empty) as source,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for info in source.infolist():
                if info.filename != sheet_name:
                    archive.writestr(info, source.read(info))
                    continue
                top, tail = _split_sheet(source.read(info))
                entry = zipfile.ZipInfo(sheet_name, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(entry, "w", force_zip64=size > 1 << 30) as out:
                    out.write(top)
                    shutil.copyfileobj(rows, out, 1 << 20)
                    out.write(tail)
        rows.close()


def _split_sheet(xml: bytes) -> tuple[bytes, bytes]:
    """The sheet's XML before and after its rows: `<sheetData>` and `</sheetData>` included."""
    match = re.search(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>", xml)
    if match is None:
        raise ValueError("openpyxl wrote no empty <sheetData> to fill")
    return xml[: match.start()] + b"<sheetData>", b"</sheetData>" + xml[match.end() :]
