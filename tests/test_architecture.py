"""The layers of docs/architecture.md hold: the import contracts pass, no import hides inside a
function without a comment saying why, and the two signals that invert a dependency are connected."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing.models import Payment
from billing.services import record_payment
from billing.signals import order_paid_in_full
from eservices.models import EService
from orders.models import Service
from orders.signals import order_renumbered
from tests.factories import EServiceFactory, InvoiceFactory, OrderFactory, OrderPartFactory

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "manskonts",
    "outbox",
    "notifications",
    "accounts",
    "billing",
    "orders",
    "eservices",
    "documents",
    "requisitions",
    "portal",
    "demo",
    "signatures",
)


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _function_imports_without_reason():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = path.read_text().splitlines()
            for node in ast.walk(ast.parse("\n".join(lines))):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        here = lines[inner.lineno - 1]
                        if "#" not in here and not _comment_above(lines, inner.lineno - 1):
                            yield f"{path.relative_to(ROOT)}:{inner.lineno}: {here.strip()}"


def _comment_above(lines: list[str], index: int) -> bool:
    """A comment in the lines just above (up to a blank line or the function's def)."""
    for line in reversed(lines[:index]):
        stripped = line.strip()
        if not stripped or stripped.startswith(("def ", "async def ")):
            return False
        if stripped.startswith("#"):
            return True
    return False


def test_imports_inside_functions_say_why():
    assert list(_function_imports_without_reason()) == []


@pytest.mark.django_db
def test_payment_in_full_reaches_orders_through_the_signal():
    """billing never imports orders: its signal makes orders plan the parts, in the payment's
    transaction."""
    order = OrderFactory()
    assert order_paid_in_full.has_listeners(type(order))
    part = OrderPartFactory(order=order, service=Service.objects.get(code="kadastra-info-ipasums"))
    invoice = InvoiceFactory(order=order)
    record_payment(
        invoice, invoice.total, source="treasury", external_id="t-1", paid_on=date(2026, 6, 19)
    )
    part.refresh_from_db()
    assert part.planned_completion_date == date(2026, 7, 8)


@pytest.mark.django_db
def test_a_failing_plan_undoes_the_payment(monkeypatch):
    """The receiver runs inside the transaction that records the money, as the direct call did:
    a failure there leaves no payment half-recorded."""
    monkeypatch.setattr("orders.receivers.schedule_parts", _fail)
    order = OrderFactory()
    OrderPartFactory(order=order, service=Service.objects.get(code="kadastra-info-ipasums"))
    invoice = InvoiceFactory(order=order)
    with pytest.raises(RuntimeError):
        record_payment(invoice, Decimal("13.45"), source="treasury", external_id="t-2")
    assert not Payment.objects.filter(invoice=invoice).exists()


def _fail(*args, **kwargs):
    raise RuntimeError("planning failed")


@pytest.mark.django_db
def test_renumbered_order_reaches_eservices_through_the_signal():
    """orders never imports eservices: its signal makes eservices refresh the order sort key."""
    order = OrderFactory(number="2026-0000005")
    eservice = EServiceFactory()
    eservice.orders.add(order)
    calls = []

    def heard(sender, order, **kwargs):
        calls.append(order.number)

    order_renumbered.connect(heard)
    try:
        order.number = "2026-0000004"
        order.save()
    finally:
        order_renumbered.disconnect(heard)
    assert calls == ["2026-0000004"]
    assert EService.objects.get(pk=eservice.pk).order_key == "2026-0000004"
