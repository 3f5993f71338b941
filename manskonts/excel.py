"""An Excel sheet written from a table's declaration (manskonts.columns), in openpyxl's write-only
mode: the header row from the columns' Excel headers and widths, then rows of plain tuples read
from `values_list(*sheet.fields)`, so memory stays flat however many rows there are."""

from __future__ import annotations

from operator import itemgetter

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from manskonts.columns import DATE, TEXT, Column

DATE_FORMAT = "DD.MM.YYYY"


def text_cell(cell: WriteOnlyCell, value: str | None) -> WriteOnlyCell | str | None:
    """`value` to append as a string cell, never a formula; None for an empty cell.

    openpyxl turns a string that starts with "=" into a formula (and "#N/A" and the like into an
    error value); such a value goes into `cell` with its type set back to string afterwards, which
    writes an inline string (`t="inlineStr"`) that Excel and LibreOffice show exactly as typed and
    never evaluate, so the visible text needs no apostrophe. Any other string openpyxl already
    writes as an inline string, "+", "-", "@", tab and CR prefixes included
    (tests/security/test_excel_formulas.py reads the XML back), so it is passed as it is: a cell
    object per value would cost a caught exception in openpyxl's row writer, a third more time.
    """
    if not value:
        return None
    if value[0] != "=" and value not in ERROR_CODES:
        return value
    cell.value = value  # openpyxl's check: no control characters Excel cannot hold
    cell.data_type = "s"
    return cell


class ExcelSheet:
    """The columns of one report on one write-only sheet: `header()`, `append(chunk)`, `finish()`."""

    def __init__(self, sheet, columns: tuple[Column, ...]):
        self.sheet = sheet
        self.columns = columns
        fields: list[str] = []
        for column in columns:
            for name in column.excel.fields:
                if name not in fields:
                    fields.append(name)
        self.fields = tuple(fields)  # for values_list(*fields)
        self.count = 0
        self._writers = [self._writer(column) for column in columns]

    def index(self, name: str) -> int:
        """Where the field `name` is in each row tuple."""
        return self.fields.index(name)

    def _writer(self, column: Column):
        spec = column.excel
        get = itemgetter(*(self.fields.index(name) for name in spec.fields))
        several = len(spec.fields) > 1
        value = spec.value
        # One reusable cell per column (a write-only sheet serializes each row as it is appended,
        # so only the value changes from row to row): the date format set once, text as strings.
        cell = WriteOnlyCell(self.sheet)
        if spec.format == DATE:
            cell.number_format = DATE_FORMAT

        def write(row, context):
            raw = get(row)
            if value is None:
                result = raw
            elif spec.context:
                result = value(*raw, context) if several else value(raw, context)
            else:
                result = value(*raw) if several else value(raw)
            if spec.format == TEXT:
                return text_cell(cell, result)
            if spec.format == DATE:
                if result is None:
                    return None
                cell.value = result
                return cell
            return result

        return write

    def header(self) -> None:
        bold = Font(bold=True)
        cells = []
        for index, column in enumerate(self.columns, start=1):
            spec = column.excel
            self.sheet.column_dimensions[get_column_letter(index)].width = spec.width
            cell = WriteOnlyCell(self.sheet, value=str(spec.header or column.label))
            cell.font = bold
            cells.append(cell)
        self.sheet.freeze_panes = "A2"
        self.sheet.append(cells)

    def append(self, rows, context=None) -> None:
        writers = self._writers
        append = self.sheet.append
        for row in rows:
            append([write(row, context) for write in writers])
            self.count += 1

    def finish(self) -> None:
        """The header's filter buttons over every row written."""
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.count + 1}"
