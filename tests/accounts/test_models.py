import pytest
from django.db import IntegrityError, transaction

from accounts.models import Client, Membership, User
from eservices.models import EService
from tests.factories import (
    EServiceFactory,
    InvoiceFactory,
    LegalClientFactory,
    MembershipFactory,
    OrderPartFactory,
    PaymentFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_first_use_creates_one_own_client_per_person():
    person = UserFactory()

    first = Client.objects.get_or_create_for_person(person)
    second = Client.objects.get_or_create_for_person(person)

    assert first == second
    assert (first.kind, first.person) == (Client.Kind.NATURAL, person)


@pytest.mark.django_db
def test_get_or_create_person_does_not_duplicate():
    user, created = User.objects.get_or_create_person("32051741234", first_name="Līga")
    again, created_again = User.objects.get_or_create_person("32051741234")

    assert (created, created_again) == (True, False)
    assert user == again
    assert not user.has_usable_password()
    assert Client.objects.filter(person=user).count() == 1


@pytest.mark.django_db
def test_client_kind_must_match_its_identifier():
    person = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(kind=Client.Kind.LEGAL, name="Bez numura")
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(
            kind=Client.Kind.NATURAL,
            name="Jaukta",
            person=person,
            registration_number="40003517893",
        )


@pytest.mark.django_db
def test_registration_number_is_unique():
    LegalClientFactory(registration_number="40003517893")
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(
            kind=Client.Kind.LEGAL, name="Dublikāts", registration_number="40003517893"
        )


@pytest.mark.django_db
def test_a_person_is_a_user_of_a_legal_person_once():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(client=membership.client, user=membership.user)


@pytest.mark.django_db
def test_for_user_offers_self_and_own_legal_persons_only():
    person = UserFactory()
    mine = MembershipFactory(user=person).client
    LegalClientFactory(registration_number="40103987655")
    own = Client.objects.get_or_create_for_person(person)

    assert set(Client.objects.for_user(person)) == {own, mine}


@pytest.mark.django_db
def test_own_label_is_unique_per_client_ignoring_case():
    first = EServiceFactory(label="Māja Jūrmalā")
    EServiceFactory(label="Māja Jūrmalā")  # another client may use the same label
    with pytest.raises(IntegrityError), transaction.atomic():
        EServiceFactory(client=first.client, label="māja jūrmalā")
    assert EService.objects.filter(client=first.client).count() == 1


@pytest.mark.django_db
def test_order_part_and_invoice_carry_their_orders_client():
    part = OrderPartFactory()
    invoice = InvoiceFactory(order=part.order)

    assert part.client == part.order.client
    assert invoice.client == part.order.client
    assert invoice.payment_reference == invoice.number


@pytest.mark.django_db
def test_invoice_total_must_equal_net_plus_vat():
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceFactory(amount_net="10.00", vat_amount="2.10", total="13.00")


@pytest.mark.django_db
def test_one_payment_per_external_event():
    payment = PaymentFactory(external_id="bank-entry-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(invoice=payment.invoice, external_id="bank-entry-1")


@pytest.mark.django_db
def test_invalid_status_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderPartFactory(status="lost")


@pytest.mark.django_db
def test_accountants_may_import_statements_and_resolve_unmatched_entries():
    from django.contrib.auth.models import Group

    from accounts.roles import ACCOUNTANT

    codenames = set(
        Group.objects.get(name=ACCOUNTANT).permissions.values_list("codename", flat=True)
    )

    assert {
        "add_bankstatement",
        "view_bankstatement",
        "change_unmatchedbankentry",
        "view_paymentattempt",
        "view_callbackdelivery",
        "add_payment",
        "add_invoice",
    } <= codenames
    assert "delete_payment" not in codenames
