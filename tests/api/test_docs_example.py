"""docs/api.md's "Example: list orders and download a result", run as it stands: the token made on
the API piekļuve page, then the doc's curl lines with the real curl and its Python script with this
venv's python, over HTTP against pytest-django's live server.

Only the values of the example's variables are replaced (`BASE=…`, `TOKEN=…`, `ORDER=…`,
`DOCUMENT=…` in the shell lines; `BASE = "…"`, `TOKEN = "…"`, `ORDER = "…"` in the script); a line
the doc changes in any other way is run as the doc now says.
"""

from __future__ import annotations

import html
import json
import re
import shlex
import shutil
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from billing.models import Invoice
from billing.services import issue_invoice, record_payment
from documents.services import attach_result
from manskonts.validation import validate_upload
from orders.models import Order, OrderPart, Service
from orders.services import change_order_part_status, upsert_order
from orders.workflow import OrderStatus
from tests.conftest import sign_in
from tests.documents import samples

pytestmark = pytest.mark.usefixtures("reference_data")

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = "## Example: list orders and download a result"
TIMEOUT = 30  # seconds for one curl or the script: generous for a loaded 2-core machine
RESULT = samples.PDF


def example() -> tuple[list[str], str]:
    """The section's shell lines (its indented block, continuations joined) and its Python script
    (its ```python block)."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    fence = re.compile(r"^```python\n(.*?)^```$", flags=re.MULTILINE | re.DOTALL)
    [python] = fence.findall(section)
    indented = [line[4:] for line in fence.sub("", section).splitlines() if line.startswith("    ")]
    shell = re.sub(r"\\\n\s*", "", "\n".join(indented)).splitlines()
    return [line.strip() for line in shell if line.strip()], python


def with_values(lines: list[str], values: dict[str, str]) -> list[str]:
    """The doc's shell lines with each `NAME=placeholder  # comment` given its real value."""
    out, seen = [], set()
    for line in lines:
        assignment = re.fullmatch(r"([A-Z]+)=\S+(\s+#.*)?", line)
        assert assignment or line.startswith("curl "), f"the test cannot run this line: {line}"
        if assignment:
            name = assignment.group(1)
            assert name in values, f"docs/api.md sets {name}, which the test cannot fill in"
            seen.add(name)
            line = f"{name}={shlex.quote(values[name])}"
        out.append(line)
    assert seen == set(values), f"docs/api.md no longer sets {set(values) - seen}"
    return out


def script_with_values(python: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        python, count = re.subn(
            rf'^{name} = "[^"\n]*"(  #.*)?$', f"{name} = {value!r}", python, flags=re.MULTILINE
        )
        assert count == 1, f'docs/api.md\'s script sets {name} = "…" {count} times, not once'
    return python


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, timeout=TIMEOUT, check=False)


def curl_lines(lines: list[str], cwd: Path) -> list[bytes]:
    """Run each curl line in bash (as a reader pasting them would), after the assignments before
    it; the standard output of each."""
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.fail("The docs example needs curl and bash on PATH (apt-get install curl).")
    outputs, assignments = [], []
    for line in lines:
        if not line.startswith("curl "):
            assignments.append(line)
            continue
        done = run(["bash", "-c", "\n".join(["set -eu", *assignments, line])], cwd)
        assert done.returncode == 0, (line, done.stderr.decode())
        outputs.append(done.stdout)
    return outputs


def token_from_the_page(person) -> str:
    """Made on API piekļuve by a signed-in person; read from the page that shows it once."""
    http = sign_in(HttpClient(), person)
    page = http.post(
        "/mans-konts/api-piekluve/", {"name": "Docs example", "scopes": ["read"], "lifetime": "30"}
    )
    assert page.status_code == 201
    [token] = re.findall(r'id="new-token"[^>]*\bvalue="([^"]+)"', page.content.decode())
    return html.unescape(token)


def order_with_a_result(
    client, number: str, invoice_number: str, *, paid: bool
) -> tuple[OrderPart, Invoice]:
    """An order at Izsniegšanā with a result attached and its invoice issued (paid or not), made
    through the service functions the admin and the back-office API call."""
    order, _created = upsert_order(
        number,
        client=client,
        channel=Order.Channel.PORTAL,
        parts=[
            {
                "part_number": 1,
                "service": Service.objects.get(code="kadastra-info-ipasums"),
                "object_code": "13000263302",
                "delivery_method": "vzd_account",
                "planned_completion_date": timezone.localdate() + timedelta(days=3),
            }
        ],
    )
    part = order.parts.get()
    for status in (OrderStatus.REGISTERED, OrderStatus.IN_PROGRESS, OrderStatus.ISSUING):
        change_order_part_status(part, status)
    attach_result(validate_upload(samples.upload("izziņa.pdf", RESULT)), by=None, order_part=part)
    invoice = issue_invoice(
        Invoice(
            number=invoice_number,
            order=order,
            client=client,
            kind=Invoice.Kind.PREPAYMENT,
            amount_net=Decimal("11.12"),
            vat_amount=Decimal("2.33"),
            total=Decimal("13.45"),
            issued_on=timezone.localdate(),
            due_on=timezone.localdate() + timedelta(days=10),
        ),
        by=None,
    )
    if paid:
        record_payment(invoice, invoice.total, source="portal", external_id=f"docs-{number}")
    return part, invoice


@pytest.fixture
def world(live_server, owner, owner_client):
    paid, _invoice = order_with_a_result(owner_client, "2026-0004201", "R2026-004201", paid=True)
    unpaid, unpaid_invoice = order_with_a_result(
        owner_client, "2026-0004202", "R2026-004202", paid=False
    )
    return {
        "base": live_server.url,
        "token": token_from_the_page(owner),
        "paid": paid,
        "unpaid": unpaid,
        "unpaid_invoice": unpaid_invoice,
    }


def test_the_docs_curl_lines_list_the_order_and_download_the_paid_result(world, tmp_path):
    paid = world["paid"]
    result = paid.documents.get()
    lines = with_values(
        example()[0],
        {
            "BASE": world["base"],
            "TOKEN": world["token"],
            "ORDER": paid.order.number,
            "DOCUMENT": str(result.pk),
        },
    )

    listed, order, download = curl_lines(lines, tmp_path)

    rows = json.loads(listed)["items"]
    assert [(r["order_number"], r["status"]) for r in rows] == [
        ("2026-0004202", "issuing"),
        ("2026-0004201", "issuing"),
    ]
    detail = json.loads(order)
    assert detail["number"] == "2026-0004201"
    assert detail["payment"]["paid_in_full"] is True
    assert [d["download_url"] for d in detail["parts"][0]["documents"]] == [
        f"/api/v1/documents/{result.pk}/content"
    ]
    assert download == b"200\n"
    assert (tmp_path / "result.pdf").read_bytes() == RESULT


def test_the_docs_script_saves_a_paid_result_and_names_the_unpaid_invoice(world, tmp_path):
    values = {"BASE": world["base"], "TOKEN": world["token"]}
    paid_script = tmp_path / "paid" / "example.py"
    unpaid_script = tmp_path / "unpaid" / "example.py"
    for script, part in ((paid_script, world["paid"]), (unpaid_script, world["unpaid"])):
        script.parent.mkdir()
        python = script_with_values(example()[1], {**values, "ORDER": part.order.number})
        script.write_text(python, encoding="utf-8")

    paid = run([sys.executable, str(paid_script)], paid_script.parent)
    unpaid = run([sys.executable, str(unpaid_script)], unpaid_script.parent)

    assert paid.returncode == 0, paid.stderr.decode()
    printed = paid.stdout.decode().splitlines()
    planned = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert printed == [
        f"2026-0004202 1 issuing {planned}",
        f"2026-0004201 1 issuing {planned}",
        "saved izziņa.pdf",
    ]
    assert (paid_script.parent / "izziņa.pdf").read_bytes() == RESULT
    assert unpaid.returncode == 0, unpaid.stderr.decode()
    invoice = world["unpaid_invoice"].number
    assert unpaid.stdout.decode().splitlines()[-1] == (
        f"unpaid_invoice ['{invoice}'] Rezultātu varēs lejupielādēt, kad pasūtījums būs "
        f"apmaksāts pilnā apmērā. Apmaksājiet rēķinu {invoice}."
    )
    assert sorted(p.name for p in unpaid_script.parent.iterdir()) == ["example.py"]
