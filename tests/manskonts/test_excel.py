"""The Excel writer (manskonts/excel.py): rows compiled once from a declaration into the sheet's XML,
inside openpyxl's workbook and styles; what each kind of value becomes; Excel's row limit."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from io import BytesIO

import pytest
from lxml import etree
from openpyxl import load_workbook

from manskonts import excel
from manskonts.columns import DATE, NUMBER, Column, Excel
from manskonts.excel import ExcelSheet, TooManyRows

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
COLUMNS = (
    Column("id", "ID", excel=Excel(("id",), format=NUMBER, width=10)),
    Column("day", "Diena", excel=Excel(("day",), format=DATE)),
    Column("name", "Nosaukums", excel=Excel(("name",), width=30)),
    Column("state", "Stāvoklis", excel=Excel(("state",), labels={"a": "Aktīvs", "b": "Beigts"})),
    Column("both", "Abi", excel=Excel(("name", "id"), lambda name, pk: f"{pk}: {name}")),
)


def workbook(rows, columns=COLUMNS) -> bytes:
    sheet = ExcelSheet("Lapa", columns)
    sheet.header()
    sheet.append(rows)
    target = BytesIO()
    sheet.save(target)
    return target.getvalue()


def test_rows_read_back_with_their_types_styles_and_the_sheet_around_them():
    rows = [
        (1, date(2026, 1, 31), "Zeme & ēkas <1>", "a"),
        (2, None, "", "x"),
        (3, datetime(2026, 2, 1, 12, 0), "  atstarpes  ", "b"),
    ]

    book = load_workbook(BytesIO(workbook(rows)))

    sheet = book["Lapa"]
    values = list(sheet.iter_rows(values_only=True))
    assert values == [
        ("ID", "Diena", "Nosaukums", "Stāvoklis", "Abi"),
        (1, datetime(2026, 1, 31), "Zeme & ēkas <1>", "Aktīvs", "1: Zeme & ēkas <1>"),
        (2, None, None, "x", "2: "),
        (3, datetime(2026, 2, 1, 12, 0), "  atstarpes  ", "Beigts", "3:   atstarpes  "),
    ]
    assert [sheet.cell(1, c).font.b for c in range(1, 6)] == [True] * 5
    assert sheet["B2"].number_format == "DD.MM.YYYY"
    assert sheet["B4"].number_format == "DD.MM.YYYY"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    assert sheet.column_dimensions["A"].width == 10
    assert sheet.column_dimensions["C"].width == 30


def test_text_is_an_inline_string_never_a_formula_and_keeps_tabs_and_returns():
    texts = ["=1+2", "#N/A", "\t=A1", "\r=A1", "a\r\nb", "nul\x00 un \x1b beigas"]

    data = workbook([(i, None, text, "a") for i, text in enumerate(texts)])

    with zipfile.ZipFile(BytesIO(data)) as archive:
        xml = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    cells = [c for c in xml.iter(f"{NS}c") if c.get("r")[0] == "C" and c.get("r") != "C1"]
    assert {c.get("t") for c in cells} == {"inlineStr"}
    assert [c.find(f"{NS}f") for c in cells] == [None] * len(texts)
    shown = [load_workbook(BytesIO(data)).active[f"C{row}"].value for row in range(2, 8)]
    # XML 1.0 cannot hold NUL or ESC: they are left out, the rest shown as typed.
    assert shown == ["=1+2", "#N/A", "\t=A1", "\r=A1", "a\r\nb", "nul un  beigas"]


def test_the_row_function_is_compiled_once_from_the_declaration():
    sheet = ExcelSheet("Lapa", COLUMNS)

    assert sheet.fields == ("id", "day", "name", "state")
    assert sheet.source.startswith("def write(rows, r):")
    assert "labels_3.get(row[3], row[3])" in sheet.source
    assert "value_4(row[2], row[0])" in sheet.source


def test_date_serials_are_excels():
    assert excel.date_serial(date(2026, 1, 31)) == 46053
    assert excel.date_serial(date(1900, 3, 1)) == 61
    assert excel.date_serial(datetime(2026, 1, 31, 18, 0)) == 46053.75


def test_more_rows_than_a_sheet_holds_are_refused_in_latvian(monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    sheet = ExcelSheet("Lapa", COLUMNS)
    sheet.append([(1, None, "a", "a"), (2, None, "b", "a")])

    with pytest.raises(TooManyRows) as refused:
        sheet.append([(3, None, "c", "a")])

    assert str(refused.value) == (
        "Atskaitē ir vairāk rindu, nekā ietilpst Excel lapā (1 048 575). Sašauriniet filtru"
        " (piemēram, periodu) un lejupielādējiet atskaiti pa daļām."
    )
    assert sheet.count == 2


def test_the_limit_is_excels():
    assert excel.MAX_ROWS + 1 == 1_048_576
