"""Fill the database with deterministic demo data: invented persons, real VZD services, e-services and
orders in every status, invoices paid, partly paid and unpaid, files about to expire and expired.

    manage.py seed_demo              # the demo set, once (re-running changes nothing)
    manage.py seed_demo --scale N    # plus N e-services and N orders for benchmarks, by bulk SQL
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal
from string import ascii_lowercase

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.demo import DEMO_LEGAL_PERSONS, DEMO_PERSONS
from accounts.models import Client, Membership, User
from billing.models import Invoice, Payment
from conversations.models import Attachment, Message, Thread
from documents.models import Document
from eservices.models import EService, EServiceStatus, EServiceStatusChange
from manskonts.collation import latvian_sort_string
from notifications.models import Notification
from orders.models import Order, OrderPart, OrderPartStatusChange, Service
from orders.planning import planned_completion_date, service_terms
from orders.workflow import OrderStatus
from requisitions import services as requisitions
from requisitions.models import RequestItem
from requisitions.services import ItemSpec

STAFF_USERNAME = "darbinieks"
STAFF_PASSWORD = "demo-darbinieks-2026"  # noqa: S105 — a documented local demo account
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "demo-admin-2026"  # noqa: S105 — a documented local demo account

# Jānis, Līga and Mārtiņš have no e-services or orders of their own: they work for SIA „Zemes Mērnieki”.
ACTS_FOR_LEGAL = ("03039214561", "32051741234", "35120278901")

# The path through the workflow that leads to each status (no illegal step is ever stored).
ORDER_PATHS = {
    OrderStatus.APPLIED: [],
    OrderStatus.REGISTERED: [OrderStatus.REGISTERED],
    OrderStatus.IN_PROGRESS: [OrderStatus.REGISTERED, OrderStatus.IN_PROGRESS],
    OrderStatus.SUSPENDED: [OrderStatus.REGISTERED, OrderStatus.IN_PROGRESS, OrderStatus.SUSPENDED],
    OrderStatus.ISSUING: [OrderStatus.REGISTERED, OrderStatus.IN_PROGRESS, OrderStatus.ISSUING],
    OrderStatus.COMPLETED: [
        OrderStatus.REGISTERED,
        OrderStatus.IN_PROGRESS,
        OrderStatus.ISSUING,
        OrderStatus.COMPLETED,
    ],
    OrderStatus.CANCELLED: [OrderStatus.REGISTERED, OrderStatus.CANCELLED],
}
ESERVICE_PATHS = {
    EServiceStatus.SUBMITTED: [],
    EServiceStatus.PROCESSING: [EServiceStatus.PROCESSING],
    EServiceStatus.COMPLETED: [EServiceStatus.PROCESSING, EServiceStatus.COMPLETED],
    EServiceStatus.REJECTED: [EServiceStatus.PROCESSING, EServiceStatus.REJECTED],
    EServiceStatus.CANCELLED: [EServiceStatus.CANCELLED],
}
TERRITORIES = ("0100", "0900", "1300", "1700", "2500", "2700", "4201", "5401", "6401", "8001")
LABELS = (
    "Māja Jūrmalā",
    "Dārza gabals",
    "Birojs Rīgā",
    "Ģimenes māja",
    "Šķūnis",
    "Zeme pie ezera",
    "Ceļš",
    "Angārs",
    "Noliktava Nr. 2",
    "Ēka Čiekurkalnā",
)

# A minimal valid PDF, so that demo downloads open in a viewer.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# The tables seed_scale fills in bulk.
BULK_TABLES = (
    "orders_order",
    "orders_orderpart",
    "eservices_eservice",
    "eservices_eservice_orders",
)


class Command(BaseCommand):
    help = "Fill the database with deterministic demo data (and optionally N bulk rows)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="also create this many e-services and orders by bulk SQL",
        )
        parser.add_argument(
            "--scale-clients",
            type=int,
            default=2000,
            help="how many natural persons share the bulk rows",
        )

    def handle(self, *args, scale: int, scale_clients: int, **options) -> None:
        self.rng = random.Random(2026)
        self.now = timezone.now()
        with transaction.atomic():
            created = self.seed_people()
            if Order.objects.filter(number__startswith="2026-9").exists():
                self.stdout.write("Demo data already loaded; nothing to add.")
            else:
                self.seed_activity(created)
                self.stdout.write(self.style.SUCCESS("Demo data loaded."))
            self.seed_conversations(created)
        if scale:
            self.seed_scale(scale, scale_clients)

    # --- people ---------------------------------------------------------------------------------
    def seed_people(self) -> dict[str, Client]:
        clients: dict[str, Client] = {}
        for person in DEMO_PERSONS:
            user, _ = User.objects.get_or_create_person(
                person.personal_code,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
            )
            clients[person.personal_code] = Client.objects.get_or_create_for_person(user)
        for reg, name, address, admin_code, user_codes in DEMO_LEGAL_PERSONS:
            legal, _ = Client.objects.get_or_create(
                registration_number=reg,
                defaults={
                    "kind": Client.Kind.LEGAL,
                    "name": name,
                    "legal_address": address,
                    "email": f"birojs@{reg}.example.lv",
                },
            )
            clients[reg] = legal
            for code, role in [(admin_code, Membership.Role.ADMIN)] + [
                (c, Membership.Role.USER) for c in user_codes
            ]:
                Membership.objects.get_or_create(
                    client=legal,
                    user=User.objects.get(personal_code=code),
                    defaults={"role": role},
                )
        # Those with nothing of their own start where their work is, as if they had acted for the
        # legal person last time (accounts.acting_for); a choice of their own is never overwritten.
        User.objects.filter(personal_code__in=ACTS_FOR_LEGAL, last_client__isnull=True).update(
            last_client=clients["40003517893"]
        )
        self.seed_staff()
        return clients

    def seed_staff(self) -> None:
        staff, created = User.objects.get_or_create(
            username=STAFF_USERNAME,
            defaults={
                "first_name": "Dace",
                "last_name": "Darbiniece",
                "is_staff": True,
                "email": "dace.darbiniece@vzd.example.lv",
            },
        )
        if created:
            staff.set_password(STAFF_PASSWORD)
            staff.save()
            staff.groups.set(Group.objects.all())
        if not User.objects.filter(username=ADMIN_USERNAME).exists():
            User.objects.create_superuser(ADMIN_USERNAME, "admin@vzd.example.lv", ADMIN_PASSWORD)

    # --- e-services, orders, invoices, files ----------------------------------------------------
    def seed_activity(self, clients: dict[str, Client]) -> None:
        services = list(Service.objects.order_by("code"))
        priced = [s for s in services if s.price]
        staff = User.objects.get(username=STAFF_USERNAME)
        plan = [
            (clients["12058512340"], 40, 12),  # Anna
            (clients["40003517893"], 60, 18),  # SIA „Zemes Mērnieki”
            (clients["27117817891"], 15, 6),  # Pēteris as himself
            (clients["40103987655"], 25, 8),  # AS „Būvprojekts”
        ]
        order_seq = 0
        invoice_seq = 0
        for client, eservice_count, order_count in plan:
            people = list(client.users()) if client.is_legal else [client.person]
            orders = []
            statuses = list(OrderStatus.values)
            for i in range(order_count):
                order_seq += 1
                created = self.now - timedelta(
                    days=self.rng.randint(3, 300), minutes=self.rng.randint(0, 600)
                )
                order = Order.objects.create(
                    number=f"2026-9{order_seq:06d}",
                    client=client,
                    created_at=created,
                    channel=self.rng.choice(list(Order.Channel.values)),
                )
                orders.append(order)
                for part_number in range(1, self.rng.choice((1, 1, 2, 3)) + 1):
                    status = statuses[(i + part_number) % len(statuses)]
                    service = self.rng.choice(services)
                    if status in (OrderStatus.ISSUING, OrderStatus.COMPLETED):
                        # a result is issued against a paid invoice: a service with a list price
                        service = self.rng.choice(priced)
                    part = OrderPart.objects.create(
                        order=order,
                        part_number=part_number,
                        service=service,
                        object_code=self.object_code(),
                        created_at=created,
                        delivery_method=(
                            OrderPart.Delivery.VZD_ACCOUNT
                            if (i + part_number) % 4
                            else OrderPart.Delivery.POST
                        ),
                        status=OrderStatus.APPLIED,
                        status_changed_at=created,
                    )
                    when = created
                    previous = OrderStatus.APPLIED
                    for step in ORDER_PATHS[status]:
                        when = min(when + timedelta(days=self.rng.randint(1, 9)), self.now)
                        OrderPartStatusChange.objects.create(
                            part=part,
                            from_status=previous,
                            to_status=step,
                            changed_at=when,
                            changed_by=staff,
                        )
                        previous = step
                    part.status, part.status_changed_at = status, when
                    if service.term_days and status not in (
                        OrderStatus.APPLIED,
                        OrderStatus.CANCELLED,
                    ):
                        # as if paid the day after the order was registered
                        part.planned_completion_date = planned_completion_date(
                            timezone.localdate(created) + timedelta(days=1),
                            service_terms([service]),
                        )
                    part.save()
                    if status in (OrderStatus.ISSUING, OrderStatus.COMPLETED):
                        self.attach(
                            part,
                            "result",
                            f"Rezultats_{order.number}_{part_number}.pdf",
                            when,
                            staff,
                        )
                    if part_number == 1 and i % 3 == 0:
                        self.attach(part, "submitted", "Pilnvara.pdf", created, people[0])
                invoice_seq = self.invoice(order, invoice_seq, i, staff)
            for i in range(eservice_count):
                self.eservice(client, people, services, orders, i, staff)
        self.seed_requests(clients["12058512340"], staff)

    def seed_requests(self, anna: Client, staff: User) -> None:
        """Anna's first order part in Izpildē gets an open request of VZD with two points (a
        signed file and a piece of information): the part becomes Apturēts, the overview shows
        "Jums jārīkojas", both lists tag it "Gaida jūsu atbildi"."""
        part = (
            OrderPart.objects.filter(client=anna, status=OrderStatus.IN_PROGRESS)
            .order_by("order_number", "part_number")
            .first()
        )
        if part is None:
            return
        requisitions.raise_request(
            part,
            [
                ItemSpec("Zemes robežu plāns", RequestItem.Kind.FILE, signed_required=True),
                ItemSpec("Kontakttālrunis saziņai ar mērnieku", RequestItem.Kind.INFORMATION),
            ],
            "Lai turpinātu kadastrālo uzmērīšanu, iesniedziet e-parakstītu zemes robežu plānu un "
            "norādiet tālruni, pa kuru mērnieks var ar Jums sazināties.",
            by=staff,
        )

    def seed_conversations(self, clients: dict[str, Client]) -> None:
        """Anna's first order: her question with a plan attached and VZD's answer, which she has
        not read yet (the header counts it); her second: a question VZD has not answered (the
        clerk's desk counts it). Added once, also to a database seeded before conversations."""
        anna = clients["12058512340"]
        orders = list(Order.objects.filter(client=anna).order_by("number")[:2])
        if len(orders) < 2 or Thread.objects.filter(order__in=orders).exists():
            return
        person = anna.person
        staff = User.objects.get(username=STAFF_USERNAME)
        answered, waiting = orders
        asked_at = self.now - timedelta(days=3, hours=2)
        answered_at = self.now - timedelta(days=2, hours=5)
        thread = Thread.objects.create(
            order=answered,
            client=anna,
            status=Thread.Status.ANSWERED,
            last_message_at=answered_at,
            created_at=asked_at,
        )
        question = Message.objects.create(
            thread=thread,
            client=anna,
            from_staff=False,
            author=person,
            author_name=person.get_full_name(),
            text=(
                "Labdien! Vai zemes robežu plāns, ko pievienoju, der šim pasūtījumam, vai "
                "vajadzīgs jaunāks?"
            ),
            created_at=asked_at,
            read_at=answered_at,
        )
        attachment = Attachment(
            message=question,
            client=anna,
            original_name="Zemes_robezu_plans.pdf",
            size=len(DEMO_PDF),
            content_type="application/pdf",
            uploaded_at=asked_at,
        )
        attachment.file.save(attachment.original_name, ContentFile(DEMO_PDF), save=False)
        attachment.save()
        reply = "Labdien! Plāns der, paldies. Ja mērniekam būs papildu jautājumi, rakstīsim šeit."
        Message.objects.create(
            thread=thread,
            client=anna,
            from_staff=True,
            author=staff,
            author_name=staff.first_name,
            text=reply,
            created_at=answered_at,
        )
        Notification.objects.create(
            client=anna,
            recipient=person,
            kind=Notification.Kind.MESSAGE,
            subject=f"Jauna VZD ziņa par pasūtījumu {answered.number}",
            body=f"VZD — {staff.first_name} raksta: {reply}",
            link=f"/mans-konts/pasutijumi/{answered.number}/",
            created_at=answered_at,
        )
        waiting_at = self.now - timedelta(hours=20)
        open_thread = Thread.objects.create(
            order=waiting,
            client=anna,
            status=Thread.Status.WAITING,
            waiting_since=waiting_at,
            last_message_at=waiting_at,
            created_at=waiting_at,
        )
        Message.objects.create(
            thread=open_thread,
            client=anna,
            from_staff=False,
            author=person,
            author_name=person.get_full_name(),
            text="Vai pasūtījumu var izpildīt ātrāk? Dokumenti vajadzīgi bankai līdz mēneša beigām.",
            created_at=waiting_at,
        )

    def object_code(self) -> str:
        code = (
            f"{self.rng.choice(TERRITORIES)}{self.rng.randint(1, 999):03d}"
            f"{self.rng.randint(1, 9999):04d}"
        )
        kind = self.rng.random()
        if kind > 0.8:
            code += f"{self.rng.randint(1, 20):03d}"
        if kind > 0.93:
            code += f"{self.rng.randint(1, 40):03d}"
        return code

    def invoice(self, order: Order, seq: int, i: int, staff: User) -> int:
        priced = [p for p in order.parts.select_related("service") if p.service.price]
        if not priced:
            return seq
        total = sum((p.service.price for p in priced), Decimal("0"))
        seq += 1
        net, vat = Invoice.split_vat(total)
        issued = timezone.localdate(order.created_at)
        invoice = Invoice.objects.create(
            number=f"R2026-{seq:06d}",
            order=order,
            kind=Invoice.Kind.PREPAYMENT,
            issued_on=issued,
            due_on=issued + timedelta(days=10),
            amount_net=net,
            vat_amount=vat,
            total=net + vat,
            issued_by=staff,
        )
        # 0 unpaid, 1 paid in the portal, 2 partly paid, 3 paid via the treasury. Work is done only
        # on a paid order: a part being issued or completed means paid in full; an order just
        # applied for or registered waits for its money, or for the rest of it.
        statuses = set(order.parts.values_list("status", flat=True))
        if statuses & {OrderStatus.ISSUING, OrderStatus.COMPLETED}:
            state = 1 if i % 2 else 3
        elif statuses <= {OrderStatus.APPLIED, OrderStatus.REGISTERED}:
            state = 2 if i % 2 else 0
        else:
            state = i % 4
        if state == 1:
            Payment.objects.create(
                invoice=invoice,
                amount=invoice.total,
                source="portal",
                paid_on=issued + timedelta(days=1),
                reference=f"DEMO-{invoice.number}",
                external_id=f"demo-portal-{invoice.number}",
            )
        elif state == 2:
            Payment.objects.create(
                invoice=invoice,
                amount=(invoice.total / 2).quantize(Decimal("0.01")),
                source="treasury",
                paid_on=issued + timedelta(days=2),
                reference=f"TR{seq:08d}",
                external_id=f"demo-treasury-{invoice.number}",
                recorded_by=staff,
            )
        elif state == 3:
            Payment.objects.create(
                invoice=invoice,
                amount=invoice.total,
                source="treasury",
                paid_on=issued + timedelta(days=3),
                reference=f"TR{seq:08d}",
                external_id=f"demo-treasury-{invoice.number}",
                recorded_by=staff,
            )
        return seq

    def eservice(self, client, people, services, orders, i: int, staff: User) -> None:
        statuses = list(EServiceStatus.values)
        status = statuses[i % len(statuses)]
        created = self.now - timedelta(
            days=self.rng.randint(0, 400), minutes=self.rng.randint(0, 900)
        )
        eservice = EService.objects.create(
            client=client,
            requested_by=people[i % len(people)],
            service=services[(i * 3) % len(services)],
            object_code=self.object_code(),
            created_at=created,
            status=EServiceStatus.SUBMITTED,
            status_changed_at=created,
            label=LABELS[i] if i < len(LABELS) else None,
        )
        when, previous = created, EServiceStatus.SUBMITTED
        for step in ESERVICE_PATHS[status]:
            when = min(when + timedelta(days=self.rng.randint(0, 5), hours=2), self.now)
            EServiceStatusChange.objects.create(
                eservice=eservice,
                from_status=previous,
                to_status=step,
                changed_at=when,
                changed_by=staff,
            )
            previous = step
        eservice.status, eservice.status_changed_at = status, when
        if status == EServiceStatus.COMPLETED:
            eservice.received_at = when
        eservice.save()
        if orders and i % 3 == 0:
            eservice.orders.add(orders[i % len(orders)])
        if status == EServiceStatus.COMPLETED:
            # Results of different ages: fresh, about to expire (85 days), and older than 90 days.
            age = (5, 30, 85, 88, 95, 120)[i % 6]
            uploaded = self.now - timedelta(days=age)
            document = self.attach(
                eservice, "result", f"Kadastra_izdruka_{eservice.pk}.pdf", uploaded, staff
            )
            if age >= 120:
                document.file.delete(save=False)
                document.deleted_at = uploaded + timedelta(days=settings.FILE_RETENTION_DAYS + 1)
                document.save(update_fields=["file", "deleted_at"])

    def attach(self, target, direction: str, name: str, when, by) -> Document:
        document = Document(
            original_name=name,
            size=len(DEMO_PDF),
            content_type="application/pdf",
            direction=direction,
            uploaded_by=by,
            uploaded_at=when,
        )
        if isinstance(target, EService):
            document.eservice = target
        else:
            document.order_part = target
        document.file.save(name, ContentFile(DEMO_PDF), save=False)
        document.save()
        return document

    # --- bulk rows for benchmarks ---------------------------------------------------------------
    def seed_scale(self, n: int, client_count: int) -> None:
        """N e-services and N orders (one part each): a fifth for SIA „Zemes Mērnieki”, the rest
        spread over `client_count` invented natural persons. Plain SQL, so a million rows take
        minutes, not hours."""
        self.scale_started = time.monotonic()
        big = Client.objects.get(registration_number="40003517893")
        big_users = list(big.users().values_list("pk", flat=True))
        bulk_clients = self.bulk_clients(client_count)
        service_ids = list(Service.objects.values_list("pk", flat=True))
        start = Order.objects.filter(number__startswith="B").count()
        statuses_e = list(EServiceStatus.values)
        statuses_o = list(OrderStatus.values)
        with transaction.atomic(), connection.cursor() as cursor:
            # Generated consistent (every key points at a row made here or before), so the
            # per-row foreign-key triggers are skipped, and the secondary indexes are built once at
            # the end rather than kept row by row: 10,000,000 rows in minutes, not hours.
            # Checks still deferred from earlier in the transaction run now (an index cannot be
            # built over a table with pending trigger events).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            indexes = self.drop_secondary_indexes(cursor, BULK_TABLES)
            cursor.execute("SELECT setseed(0.2026)")
            params = {
                "n": n,
                "start": start,
                "big": big.pk,
                "big_users": big_users,
                "clients": [c for c, _ in bulk_clients],
                "people": [u for _, u in bulk_clients],
                "services": service_ids,
                "es": statuses_e,
                "os": statuses_o,
                "now": self.now,
                # The orders made before this run have their parts (each run makes both).
                "after": "B" + str(start).rjust(9, "0"),
                "ascii": "abcdefghijklmnopqrstuvwxyz",
                "codes": "".join(
                    latvian_sort_string(c, primary_only=True) for c in ascii_lowercase
                ),
            }
            self.progress(f"Inserting {n} orders…")
            cursor.execute(
                """
                INSERT INTO orders_order (number, client_id, created_at, channel)
                SELECT 'B' || lpad((%(start)s + g)::text, 9, '0'),
                       CASE WHEN g %% 5 = 0 THEN %(big)s
                            ELSE (%(clients)s::bigint[])[1 + (g %% array_length(%(clients)s::bigint[], 1))] END,
                       %(now)s - (random() * interval '730 days'),
                       CASE WHEN g %% 3 = 0 THEN 'in_person' ELSE 'portal' END
                FROM generate_series(1, %(n)s) AS g
                """,
                params,
            )
            self.progress(f"Inserting {n} order parts…")
            cursor.execute(
                """
                INSERT INTO orders_orderpart (order_id, client_id, part_number, service_id,
                    object_code, delivery_method, status, status_changed_at,
                    planned_completion_date, created_at, order_number, status_rank)
                SELECT p.id, p.client_id, 1, p.service_id, p.object_code, p.delivery_method,
                       p.status, p.changed, p.planned, p.created_at, p.number,
                       array_position(%(os)s::text[], p.status)
                FROM (
                    SELECT o.id, o.client_id, o.created_at, o.number,
                        (%(services)s::bigint[])[1 + floor(random() * array_length(%(services)s::bigint[], 1))::int] AS service_id,
                        lpad((floor(random() * 10000))::text, 4, '0')
                          || lpad((floor(random() * 1000))::text, 3, '0')
                          || lpad((floor(random() * 10000))::text, 4, '0') AS object_code,
                        CASE WHEN random() < 0.8 THEN 'vzd_account' ELSE 'post' END AS delivery_method,
                        (%(os)s::text[])[1 + floor(random() * array_length(%(os)s::text[], 1))::int] AS status,
                        o.created_at + (random() * interval '30 days') AS changed,
                        (o.created_at + (random() * interval '60 days'))::date AS planned
                    FROM orders_order o
                    WHERE o.number LIKE 'B%%' AND o.number > %(after)s
                ) AS p
                """,
                params,
            )
            self.progress(f"Inserting {n} e-services…")
            cursor.execute(
                """
                INSERT INTO eservices_eservice (client_id, requested_by_id, service_id,
                    object_code, created_at, received_at, status, status_changed_at, label,
                    service_rank, status_rank, order_key, label_key)
                SELECT s.client_id, s.user_id, s.service_id, s.object_code, s.created_at,
                       CASE WHEN s.status = 'completed' THEN s.changed END,
                       s.status, s.changed,
                       CASE WHEN s.g %% 7 = 0 THEN 'Objekts ' || s.g END,
                       (SELECT name_rank FROM orders_service WHERE id = s.service_id),
                       array_position(%(es)s::text[], s.status), '~',
                       -- the Latvian sort string of an ASCII label (manskonts.listing)
                       CASE WHEN s.g %% 7 = 0 THEN translate('objekts ' || s.g, %(ascii)s, %(codes)s)
                            || chr(1) || repeat('0', length('Objekts ' || s.g)) ELSE '~' END
                FROM (
                    SELECT g,
                        CASE WHEN g %% 5 = 0 THEN %(big)s
                             ELSE (%(clients)s::bigint[])[1 + (g %% array_length(%(clients)s::bigint[], 1))] END AS client_id,
                        CASE WHEN g %% 5 = 0
                             THEN (%(big_users)s::bigint[])[1 + (g %% array_length(%(big_users)s::bigint[], 1))]
                             ELSE (%(people)s::bigint[])[1 + (g %% array_length(%(people)s::bigint[], 1))] END AS user_id,
                        (%(services)s::bigint[])[1 + floor(random() * array_length(%(services)s::bigint[], 1))::int] AS service_id,
                        lpad((floor(random() * 10000))::text, 4, '0')
                          || lpad((floor(random() * 1000))::text, 3, '0')
                          || lpad((floor(random() * 10000))::text, 4, '0') AS object_code,
                        %(now)s - (random() * interval '730 days') AS created_at,
                        (%(es)s::text[])[1 + floor(random() * array_length(%(es)s::text[], 1))::int] AS status,
                        %(now)s - (random() * interval '30 days') AS changed
                    FROM generate_series(%(start)s + 1, %(start)s + %(n)s) AS g
                ) AS s
                """,
                params,
            )
            # Fresh statistics first: without them the planner takes the million-row tables for
            # tiny ones and joins them in a nested loop that runs for hours.
            cursor.execute("ANALYZE orders_order, eservices_eservice")
            self.progress("Linking every third e-service to an order…")
            cursor.execute(
                """
                INSERT INTO eservices_eservice_orders (eservice_id, order_id)
                SELECT e.id, o.id
                FROM (SELECT id, client_id, row_number() OVER (PARTITION BY client_id ORDER BY id) AS r
                      FROM eservices_eservice WHERE id % 3 = 0) e
                JOIN (SELECT id, client_id, row_number() OVER (PARTITION BY client_id ORDER BY id) AS r
                      FROM orders_order WHERE number LIKE 'B%') o
                  ON o.client_id = e.client_id AND o.r = e.r
                ON CONFLICT DO NOTHING
                """
            )
            cursor.execute(
                """
                UPDATE eservices_eservice e SET order_key = f.number
                FROM (SELECT l.eservice_id, min(o.number COLLATE "C") AS number
                      FROM eservices_eservice_orders l JOIN orders_order o ON o.id = l.order_id
                      GROUP BY l.eservice_id) f
                WHERE f.eservice_id = e.id AND e.order_key <> f.number
                """,
                params,
            )
            self.progress(f"Building {len(indexes)} indexes…")
            for definition in indexes:
                cursor.execute(definition)
            cursor.execute("ANALYZE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.stdout.write(
            self.style.SUCCESS(f"Added {n} e-services and {n} orders ({self.elapsed()}).")
        )

    def progress(self, message: str) -> None:
        """A step of seed_scale, with the time since it started."""
        self.stdout.write(f"{message} ({self.elapsed()} so far)")

    def elapsed(self) -> str:
        return f"{time.monotonic() - self.scale_started:.0f} s"

    @staticmethod
    def drop_secondary_indexes(cursor, tables: tuple[str, ...]) -> list[str]:
        """Drop the indexes of `tables` that back no constraint; their CREATE statements."""
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [list(tables)],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in found]

    def bulk_clients(self, count: int) -> list[tuple[int, int]]:
        """(client id, user id) of `count` invented persons with new-form (32…) personal codes."""
        existing = list(
            Client.objects.filter(person__username__startswith="PK:39").values_list(
                "pk", "person_id"
            )[:count]
        )
        if len(existing) >= count:
            return existing
        users = User.objects.bulk_create(
            User(
                username=f"PK:39{i:09d}",
                personal_code=f"39{i:09d}",
                first_name="Testa",
                last_name=f"Persona {i}",
                password="!",  # noqa: S106 — Django's mark of an unusable password
            )
            for i in range(len(existing), count)
        )
        clients = Client.objects.bulk_create(
            Client(kind=Client.Kind.NATURAL, person=u, name=u.get_full_name()) for u in users
        )
        return existing + [(c.pk, c.person_id) for c in clients]
