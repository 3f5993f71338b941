"""Staff export the admin list they work from to Excel: the rows the list shows (its filters,
search and sort; every page), the columns it declares in `excel_columns`.

Text goes through manskonts.excel.text_cell, so a value starting with "=" (a debtor's name, a
remittance text from a bank statement) is written as text, never as a formula. Needs the model's
`export_<model>` permission (accounts/roles.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from manskonts.excel import DATE_FORMAT, text_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000  # more than a clerk reads; larger reports are the background export's job


class ExcelExportMixin:
    """For a ModelAdmin: `excel_columns = (("order__number", _("Pasūtījums")), ...)`."""

    excel_columns: tuple[tuple[str, str], ...] = ()

    def has_export_permission(self, request) -> bool:
        opts = self.opts
        return self.has_view_permission(request) and request.user.has_perm(
            f"{opts.app_label}.export_{opts.model_name}"
        )

    def _excel_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_excel"

    def get_urls(self):
        return [
            path(
                "excel/",
                self.admin_site.admin_view(self.excel_view),
                name=self._excel_url_name(),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = dict(extra_context or {})
        if self.has_export_permission(request):
            url = reverse(f"{self.admin_site.name}:{self._excel_url_name()}")
            query = request.GET.urlencode()
            context["excel_url"] = f"{url}?{query}" if query else url
        return super().changelist_view(request, context)

    def excel_view(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        list_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
        )
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(list_url)
        rows = changelist.get_queryset(request)
        count = rows.count()
        if count > MAX_ROWS:
            self.message_user(
                request,
                _(
                    "Sarakstā ir %(count)s rindu; Excel datnē var būt ne vairāk kā %(max)s. Atlasiet "
                    "mazāk."
                )
                % {"count": count, "max": MAX_ROWS},
                messages.ERROR,
            )
            query = request.GET.urlencode()
            return HttpResponseRedirect(f"{list_url}?{query}" if query else list_url)
        response = HttpResponse(self.excel_bytes(rows), content_type=XLSX)
        name = f"{self.opts.model_name}-{timezone.localdate():%Y-%m-%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response

    def excel_bytes(self, rows) -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(self.opts.verbose_name_plural)[:31])
        paths = [field_path for field_path, _header in self.excel_columns]
        choices = {}
        for index, field_path in enumerate(paths):
            field = get_fields_from_path(self.model, field_path)[-1]
            if getattr(field, "choices", None):
                choices[index] = {value: str(label) for value, label in field.flatchoices}
        bold = Font(bold=True)
        header = []
        for _path, title in self.excel_columns:
            cell = WriteOnlyCell(sheet, value=str(title))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        sheet.freeze_panes = "A2"
        for values in rows.values_list(*paths).iterator(chunk_size=2000):
            sheet.append(
                [
                    self._excel_cell(sheet, index, value, choices)
                    for index, value in enumerate(values)
                ]
            )
        out = BytesIO()
        workbook.save(out)
        return out.getvalue()

    @staticmethod
    def _excel_cell(sheet, index, value, choices):
        if index in choices:
            value = choices[index].get(value, value)
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
            cell.number_format = "DD.MM.YYYY HH:MM"
            return cell
        if isinstance(value, datetime.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return value
        return text_cell(WriteOnlyCell(sheet), str(value))
