"""factory_boy factories for the domain. Personal codes and numbers are valid-format inventions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Client, Membership, User
from billing.models import Invoice, Payment
from documents.models import Document
from eservices.models import EService
from orders.models import Order, OrderPart, Service


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("personal_code",)

    # New-form codes (32…) need no check digit, so a sequence makes valid ones.
    personal_code = factory.Sequence(lambda n: f"32{n:09d}")
    username = factory.LazyAttribute(lambda u: f"PK:{u.personal_code}")
    first_name = factory.Sequence(lambda n: f"Vārds{n}")
    last_name = factory.Sequence(lambda n: f"Uzvārds{n}")
    email = factory.LazyAttribute(lambda u: f"{u.personal_code}@example.lv")
    password = factory.django.Password(None)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"clerk{n}")
    personal_code = None
    first_name = "Dace"
    last_name = "Darbiniece"
    email = factory.Sequence(lambda n: f"clerk{n}@vzd.example.lv")
    is_staff = True
    password = factory.django.Password("clerk-password-123")


def own_client(user: User) -> Client:
    return Client.objects.get_or_create_for_person(user)


# Registration numbers with a valid check digit (python-stdnum accepts them).
VALID_REGISTRATION_NUMBERS = (
    "40003517893",
    "40103987655",
    "50003123455",
    "90000123450",
    "40003000002",
    "40003000017",
)


class LegalClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ("registration_number",)

    kind = Client.Kind.LEGAL
    registration_number = factory.Iterator(VALID_REGISTRATION_NUMBERS)
    name = factory.Sequence(lambda n: f"SIA „Uzņēmums {n}”")
    legal_address = "Brīvības iela 1, Rīga"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    client = factory.SubFactory(LegalClientFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.USER


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"2026-{n:07d}")
    client = factory.LazyFunction(lambda: own_client(UserFactory()))


class OrderPartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderPart

    order = factory.SubFactory(OrderFactory)
    part_number = factory.Sequence(lambda n: n + 1)
    service = factory.LazyFunction(lambda: Service.objects.get(code="kadastra-info-ipasums"))
    object_code = "13000263302"


class EServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EService

    client = factory.LazyFunction(lambda: own_client(UserFactory()))
    service = factory.LazyFunction(lambda: Service.objects.get(code="kadastra-info-ipasums"))
    object_code = "13000263302"


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    number = factory.Sequence(lambda n: f"R2026-{n:06d}")
    order = factory.SubFactory(OrderFactory)
    amount_net = Decimal("11.12")
    vat_amount = Decimal("2.33")
    total = Decimal("13.45")
    issued_on = factory.LazyFunction(timezone.localdate)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    amount = factory.LazyAttribute(lambda p: p.invoice.total)
    source = Payment.Source.PORTAL
    external_id = factory.Sequence(lambda n: f"test-event-{n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    original_name = "izdruka.pdf"
    size = 100
    content_type = "application/pdf"
    direction = Document.Direction.RESULT
    file = factory.django.FileField(filename="izdruka.pdf", data=b"%PDF-1.4\n%%EOF\n")
