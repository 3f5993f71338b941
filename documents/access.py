"""Who may download what. One place decides; views, the ZIP and S3 redirects all ask it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from billing.services import OrderPaymentState, order_payment_state
from documents.models import Document
from orders.models import OrderPart


@dataclass(frozen=True)
class DownloadDecision:
    allowed: bool
    reason: str = ""
    # Why not, for machines (the API's problem `code`): delivery_method, unpaid_invoice,
    # invoice_not_issued, file_deleted; and the unpaid invoices' numbers.
    code: str = ""
    invoices: tuple[str, ...] = ()


def result_download_decision(
    part: OrderPart, payment: OrderPaymentState | None = None
) -> DownloadDecision:
    """Results of an order part: only delivered "VZD kontā" and only when the order is paid in full.

    `payment` is the order's billing.services.order_payment_state, when the caller has it (a page
    or a ZIP of several parts asks it once); otherwise it is asked here.
    """
    if part.delivery_method != OrderPart.Delivery.VZD_ACCOUNT:
        return DownloadDecision(
            False,
            _(
                "Rezultātu nevar lejupielādēt, jo pakalpojumu saņemšanas veids ir „%(method)s”, "
                "nevis „VZD kontā”. Rezultātu saņemsiet norādītajā veidā."
            )
            % {"method": part.get_delivery_method_display()},
            code="delivery_method",
        )
    state = payment if payment is not None else order_payment_state(part.order)
    if not state.paid_in_full:
        if state.unpaid_invoices:
            # Each unpaid invoice is a link to its page, where it is paid (safe HTML).
            numbers = format_html_join(
                ", ",
                '<a class="govuk-link" href="{}">{}</a>',
                (
                    (reverse("billing:invoice_detail", args=[i.number]), i.number)
                    for i in state.unpaid_invoices
                ),
            )
            text = _(
                "Rezultātu varēs lejupielādēt, kad pasūtījums būs apmaksāts pilnā apmērā. "
                "Apmaksājiet rēķinu %(numbers)s."
            )
            return DownloadDecision(
                False,
                mark_safe(conditional_escape(text) % {"numbers": numbers}),  # noqa: S308
                code="unpaid_invoice",
                invoices=tuple(i.number for i in state.unpaid_invoices),
            )
        return DownloadDecision(
            False,
            _(
                "Rezultātu varēs lejupielādēt, kad pasūtījums būs apmaksāts. Rēķins vēl nav "
                "izrakstīts; to saņemsiet paziņojumā."
            ),
            code="invoice_not_issued",
        )
    return DownloadDecision(True)


def download_decision(document: Document) -> DownloadDecision:
    if document.is_deleted:
        return DownloadDecision(False, _("Datne dzēsta pēc 90 dienām."), code="file_deleted")
    if document.direction == Document.Direction.RESULT and document.order_part_id:
        return result_download_decision(document.order_part)
    return DownloadDecision(True)


def results_for_download(order) -> tuple[list[Document], list[str]]:
    """The order's results the client may download now, and why the others may not.

    One decision per part (the same `result_download_decision` a single download asks), so the ZIP
    never holds a file the single download would refuse.
    """
    allowed_parts: list[int] = []
    reasons: list[str] = []
    payment = order_payment_state(order)  # once for all the parts
    for part in order.parts.order_by("part_number"):
        decision = result_download_decision(part, payment)
        if decision.allowed:
            allowed_parts.append(part.pk)
        elif decision.reason not in reasons:
            reasons.append(decision.reason)
    documents = list(
        Document.objects.available()
        .filter(
            direction=Document.Direction.RESULT,
            order_part_id__in=allowed_parts,
            order_part__order=order,
        )
        .exclude(file="")
        .select_related("order_part")
        .order_by("order_part__part_number", "uploaded_at", "id")
    )
    return documents, reasons
