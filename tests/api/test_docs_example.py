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
from documents.models import Document
from documents.services import attach_result
from manskonts.validation import validate_upload
from orders.models import Order, OrderPart, Service
from orders.services import change_order_part_status, upsert_order
from orders.workflow import OrderStatus
from tests.conftest import sign_in
from tests.documents import samples
from tests.documents.test_s3 import keys, s3, s3_server  # noqa: F401 — moto's S3, as production keeps files

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


def scripts(world, tmp_path: Path) -> dict[str, Path]:
    """The doc's script once for the paid order and once for the unpaid one, each in a folder of
    its own (where it saves the results)."""
    out = {}
    for key in ("paid", "unpaid"):
        script = tmp_path / key / "example.py"
        script.parent.mkdir()
        values = {"BASE": world["base"], "TOKEN": world["token"], "ORDER": world[key].order.number}
        script.write_text(script_with_values(example()[1], values), encoding="utf-8")
        out[key] = script
    return out


def shell_lines(world) -> list[str]:
    paid = world["paid"]
    values = {"BASE": world["base"], "TOKEN": world["token"], "ORDER": paid.order.number}
    return with_values(example()[0], {**values, "DOCUMENT": str(paid.documents.get().pk)})


def test_the_docs_example_lists_the_orders_saves_the_paid_result_and_names_the_unpaid_invoice(
    world, tmp_path
):
    paid = world["paid"]
    script = scripts(world, tmp_path)

    listed, order, download = curl_lines(shell_lines(world), tmp_path)
    ran = {key: run([sys.executable, str(path)], path.parent) for key, path in script.items()}

    rows = json.loads(listed)["items"]
    assert [(r["order_number"], r["status"]) for r in rows] == [
        ("2026-0004202", "issuing"),
        ("2026-0004201", "issuing"),
    ]
    detail = json.loads(order)
    assert detail["number"] == "2026-0004201"
    assert detail["payment"]["paid_in_full"] is True
    assert [d["download_url"] for d in detail["parts"][0]["documents"]] == [
        f"/api/v1/documents/{paid.documents.get().pk}/content"
    ]
    assert download == b"200\n"
    assert (tmp_path / "result.pdf").read_bytes() == RESULT
    # The script: every row of the list, then the paid order's result saved under its name.
    assert ran["paid"].returncode == 0, ran["paid"].stderr.decode()
    planned = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert ran["paid"].stdout.decode().splitlines() == [
        f"2026-0004202 1 issuing {planned}",
        f"2026-0004201 1 issuing {planned}",
        "saved izziņa.pdf",
    ]
    assert (script["paid"].parent / "izziņa.pdf").read_bytes() == RESULT
    # For the unpaid order it prints the problem's code, the invoice to pay and the sentence.
    assert ran["unpaid"].returncode == 0, ran["unpaid"].stderr.decode()
    invoice = world["unpaid_invoice"].number
    assert ran["unpaid"].stdout.decode().splitlines()[-1] == (
        f"unpaid_invoice ['{invoice}'] Rezultātu varēs lejupielādēt, kad pasūtījums būs "
        f"apmaksāts pilnā apmērā. Apmaksājiet rēķinu {invoice}."
    )
    assert sorted(p.name for p in script["unpaid"].parent.iterdir()) == ["example.py"]


def test_the_docs_example_follows_the_redirect_to_object_storage(s3, world, tmp_path):  # noqa: F811
    """With the files in S3 the download is a 302 to a pre-signed address on another host: curl's
    -L and requests follow it, and the bytes come from the bucket."""
    script = scripts(world, tmp_path)["paid"]

    *_lists, download = curl_lines(shell_lines(world), tmp_path)
    ran = run([sys.executable, str(script)], script.parent)

    assert keys(s3) == sorted(d.file.name for d in Document.objects.all())
    assert download == b"200\n"
    assert (tmp_path / "result.pdf").read_bytes() == RESULT
    assert ran.returncode == 0, ran.stderr.decode()
    assert (script.parent / "izziņa.pdf").read_bytes() == RESULT
