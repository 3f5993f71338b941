"""Reading a list table back from a page by column, not by position: each row as a dict of its
cells' inner HTML by the cell's data-label (the column's header, as a phone's card shows it)."""

from __future__ import annotations

import re
from html import unescape

ROW = re.compile(r"<tr [^>]*>(.*?)</tr>", re.S)
CELL = re.compile(r'<td [^>]*?data-label="([^"]*)"[^>]*>(.*?)</td>', re.S)
HEADER = re.compile(r"<th [^>]*>(.*?)</th>", re.S)
TAGS = re.compile(r"<[^>]+>")


def _part(html: str, start: str, end: str, testid: str | None) -> str:
    if testid is not None:
        html = html.split(f'data-testid="{testid}"', 1)[1]
    return html.split(start, 1)[1].split(end, 1)[0]


def rows(html: str, testid: str | None = None) -> list[dict[str, str]]:
    """The body rows of the (first, or `testid`) table: {column header: cell inner HTML}."""
    body = _part(html, '<tbody class="govuk-table__body">', "</tbody>", testid)
    result = []
    for row in ROW.findall(body):
        cells = CELL.findall(row)
        row = {unescape(label): inner for label, inner in cells}
        assert len(row) == len(cells), f"two cells with one label: {[c[0] for c in cells]}"
        result.append(row)
    return result


def headers(html: str, testid: str | None = None) -> list[str]:
    """The header texts of the table, in order (without the sort links' hidden hints)."""
    head = _part(html, '<thead class="govuk-table__head">', "</thead>", testid)
    texts = []
    for inner in HEADER.findall(head):
        inner = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", inner, flags=re.S)
        inner = re.sub(r'<span aria-hidden="true">.*?</span>', "", inner, flags=re.S)
        texts.append(unescape(TAGS.sub("", inner)).strip())
    return texts


def colspan(html: str, testid: str | None = None) -> int:
    """The colspan of the table's empty row."""
    body = _part(html, '<tbody class="govuk-table__body">', "</tbody>", testid)
    return int(re.search(r'colspan="(\d+)"', body).group(1))
