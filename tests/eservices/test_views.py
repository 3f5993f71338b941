"""E-pakalpojumu vēsture: scoping, filters, sorts, keyset pages, bad input, detail and own label."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eservices.models import EService, EServiceStatus
from eservices.services import change_eservice_status
from orders.models import Service
from tests.factories import EServiceFactory, OrderFactory, UserFactory

LIST = "/mans-konts/e-pakalpojumi/"


def ids(response) -> list[int]:
    return [e.pk for e in response.context["page"].rows]


def next_link(response) -> str:
    match = re.search(r'href="(\?[^"]*cursor=[^"]*)" rel="next"', response.content.decode())
    return unescape(match.group(1)) if match else ""


@pytest.fixture
def owner_http(owner, owner_client, signed_in):
    return signed_in(owner)


# --- scoping --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_list_shows_only_the_active_clients_rows(owner, owner_client, owner_http):
    mine = EServiceFactory(client=owner_client)
    EServiceFactory()  # someone else's

    response = owner_http.get(LIST)

    assert response.status_code == 200
    assert ids(response) == [mine.pk]


@pytest.mark.django_db
def test_legal_persons_rows_do_not_leak_to_a_user_acting_as_themselves(legal, colleague, signed_in):
    from accounts.models import Client

    legal_row = EServiceFactory(client=legal, requested_by=colleague)
    own_row = EServiceFactory(client=Client.objects.get_or_create_for_person(colleague))

    as_self = signed_in(colleague).get(LIST)
    as_legal = signed_in(colleague, acting_for=legal).get(LIST)

    assert ids(as_self) == [own_row.pk]
    assert ids(as_legal) == [legal_row.pk]


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in():
    response = HttpClient().get(LIST)

    assert response.status_code == 302
    assert "/pieslegties/" in response["Location"] or "login" in response["Location"]


# --- filters --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_filter_by_request_date_range(owner_client, owner_http):
    now = timezone.now()
    old = EServiceFactory(client=owner_client, created_at=now - timedelta(days=40))
    EServiceFactory(client=owner_client, created_at=now)
    day = timezone.localdate(old.created_at)

    response = owner_http.get(LIST, {"created_from": day.isoformat(), "created_to": day})

    assert ids(response) == [old.pk]


@pytest.mark.django_db
def test_filter_by_receipt_period_accepts_latvian_dates(owner_client, owner_http):
    now = timezone.now()
    got = EServiceFactory(client=owner_client, received_at=now - timedelta(days=2))
    EServiceFactory(client=owner_client, received_at=now - timedelta(days=50))
    EServiceFactory(client=owner_client)
    start = timezone.localdate(now - timedelta(days=3)).strftime("%d.%m.%Y")

    response = owner_http.get(LIST, {"received_from": start})

    assert ids(response) == [got.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("preset", "days_in", "days_out"),
    [("this_month", 0, 400), ("last_3_months", 0, 120), ("this_year", 0, 400)],
)
def test_period_presets(owner_client, owner_http, preset, days_in, days_out):
    now = timezone.now()
    inside = EServiceFactory(client=owner_client, created_at=now - timedelta(days=days_in))
    EServiceFactory(client=owner_client, created_at=now - timedelta(days=days_out))

    response = owner_http.get(LIST, {"period": preset})

    assert ids(response) == [inside.pk]


@pytest.mark.django_db
def test_filter_by_id_label_prefix_order_and_group(owner_client, owner_http):
    order = OrderFactory(client=owner_client, number="2026-0000777")
    survey = Service.objects.get(code="buves-uzmerisana")
    a = EServiceFactory(client=owner_client, label="Māja Jūrmalā")
    b = EServiceFactory(client=owner_client, label="Birojs", service=survey)
    b.orders.add(order)

    assert ids(owner_http.get(LIST, {"id": a.pk})) == [a.pk]
    assert ids(owner_http.get(LIST, {"label": "maja"})) == [a.pk]
    assert ids(owner_http.get(LIST, {"order": " 2026-0000777 "})) == [b.pk]
    assert ids(owner_http.get(LIST, {"group": survey.group_id})) == [b.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("ranked", [True, False])
def test_group_filter_selects_the_groups_services_ranked_or_not(owner_client, owner_http, ranked):
    survey = Service.objects.get(code="buves-uzmerisana")
    other = Service.objects.exclude(group=survey.group).first()
    if not ranked:  # services added without re-ranking share place 0
        Service.objects.update(name_rank=0)
    in_group = [
        EServiceFactory(client=owner_client, service=s) for s in survey.group.services.all()
    ]
    EServiceFactory(client=owner_client, service=other)

    response = owner_http.get(LIST, {"group": survey.group_id, "sort": "service"})

    assert sorted(ids(response)) == sorted(e.pk for e in in_group)


@pytest.mark.django_db
def test_user_filter_is_offered_only_for_a_legal_person_with_its_own_users(
    legal, legal_admin, colleague, owner, owner_http, signed_in
):
    mine = EServiceFactory(client=legal, requested_by=colleague)
    EServiceFactory(client=legal, requested_by=legal_admin)
    http = signed_in(legal_admin, acting_for=legal)

    response = http.get(LIST, {"user": colleague.pk})
    foreign = http.get(LIST, {"user": owner.pk})

    assert ids(response) == [mine.pk]
    offered = dict(response.context["filterset"].form.fields["user"].choices)
    assert set(offered) == {"", str(legal_admin.pk), str(colleague.pk)}
    assert offered[str(colleague.pk)] == colleague.get_full_name()
    assert foreign.context["list"].errors is True
    assert "user" not in owner_http.get(LIST).context["filterset"].form.fields


@pytest.mark.django_db
def test_user_choices_are_each_legal_persons_own_page_after_page(legal, legal_admin, signed_in):
    from accounts.models import Membership
    from tests.factories import LegalClientFactory

    other = LegalClientFactory(registration_number="40103987655", name="AS „Būvprojekts”")
    stranger = UserFactory(first_name="Svešais", last_name="Lietotājs")
    Membership.objects.create(client=other, user=stranger, role=Membership.Role.ADMIN)

    first = signed_in(legal_admin, acting_for=legal).get(LIST).content.decode()
    second = signed_in(stranger, acting_for=other).get(LIST).content.decode()

    assert legal_admin.get_full_name() in first
    assert "Svešais Lietotājs" not in first
    assert legal_admin.get_full_name() not in second
    assert "Svešais Lietotājs" in second


@pytest.mark.django_db
def test_active_filters_are_written_out_with_a_link_that_clears_each(owner_client, owner_http):
    EServiceFactory(client=owner_client, label="Ēka")

    response = owner_http.get(LIST, {"label": "Ēka", "period": "this_year", "sort": "label"})

    filters = {f["name"]: f for f in response.context["list"].filters}
    assert filters["period"]["value"] == "Šis gads"
    assert filters["label"]["clear_url"] == "?period=this_year&sort=label"


# --- sorting --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_service_name_sorts_in_latvian_alphabetical_order(owner_client, owner_http):
    for service in Service.objects.all():
        EServiceFactory(client=owner_client, service=service)
    expected = sorted(Service.objects.all(), key=lambda s: s.name_rank)

    up = owner_http.get(LIST, {"sort": "service"})
    down = owner_http.get(LIST, {"sort": "-service"})

    assert [e.service.name for e in up.context["page"].rows] == [s.name for s in expected]
    assert [e.service.name for e in down.context["page"].rows] == [
        s.name for s in reversed(expected)
    ]


@pytest.mark.django_db
def test_label_sorts_latvian_with_unlabelled_last(owner_client, owner_http):
    for label in ["Šķūnis", "Ceļš", "Āra", "Ara", "Čiekurs", "Sēta", None, "Ābele", "Zeme"]:
        EServiceFactory(client=owner_client, label=label)

    response = owner_http.get(LIST, {"sort": "label"})

    assert [e.label for e in response.context["page"].rows] == [
        "Ābele",
        "Ara",
        "Āra",
        "Ceļš",
        "Čiekurs",
        "Sēta",
        "Šķūnis",
        "Zeme",
        None,
    ]


@pytest.mark.django_db
def test_status_and_change_date_and_order_sorts_have_a_stable_tie_break(owner_client, owner_http):
    rows = [EServiceFactory(client=owner_client) for _ in range(3)]
    change_eservice_status(rows[1], EServiceStatus.PROCESSING)
    order = OrderFactory(client=owner_client, number="2026-0000001")
    rows[2].orders.add(order)

    by_status = ids(owner_http.get(LIST, {"sort": "status"}))
    by_status_desc = ids(owner_http.get(LIST, {"sort": "-status"}))
    by_order = ids(owner_http.get(LIST, {"sort": "order"}))
    by_changed = ids(owner_http.get(LIST, {"sort": "-changed"}))

    assert by_status == [rows[0].pk, rows[2].pk, rows[1].pk]
    assert by_status_desc == [rows[1].pk, rows[2].pk, rows[0].pk]
    assert by_order == [rows[2].pk, rows[0].pk, rows[1].pk]
    assert by_changed[0] == rows[1].pk


@pytest.mark.django_db
def test_sort_links_keep_the_filters_and_drop_the_page(owner_client, owner_http):
    EServiceFactory(client=owner_client)

    page = owner_http.get(LIST, {"period": "this_year", "sort": "id"}).content.decode()

    assert 'href="?period=this_year&amp;sort=-id"' in page


# --- pages ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_keyset_pages_round_trip_through_the_url(owner_client, owner_http):
    created = [EServiceFactory(client=owner_client) for _ in range(45)]
    expected = [e.pk for e in sorted(created, key=lambda e: e.pk)]

    seen, url = [], f"{LIST}?sort=id"
    for _ in range(3):
        response = owner_http.get(url)
        seen += ids(response)
        url = LIST + next_link(response)
    back = owner_http.get(
        LIST
        + unescape(re.search(r'href="(\?[^"]*)" rel="prev"', response.content.decode()).group(1))
    )

    assert seen == expected
    assert ids(back) == expected[20:40]
    assert response.context["page"].count == 45


@pytest.mark.django_db
def test_label_prefix_pages_find_their_ids_first_with_the_same_rows_in_every_sort(
    owner_client, owner_http
):
    from eservices.tables import SORTS
    from manskonts.collation import latvian_sort_string
    from manskonts.listing import ids_first, keyset_page

    services = list(Service.objects.order_by("pk")[:3])
    statuses = [EServiceStatus.SUBMITTED, EServiceStatus.PROCESSING, EServiceStatus.COMPLETED]
    day = timezone.now() - timedelta(days=3)
    for i in range(14):
        e = EServiceFactory(
            client=owner_client,
            label=f"Māja {i}" if i % 4 else f"Ēka {i}",
            service=services[i % 3],
            status=statuses[i % 2 + i % 3 // 2],
            created_at=day + timedelta(hours=i % 3),  # ties, broken by id
        )
        if i % 5 == 0:
            EService.objects.filter(pk=e.pk).update(order_key=f"2026-{9 - i:07d}")
    plain = EService.objects.filter(
        client=owner_client, label_key__startswith=latvian_sort_string("maja", primary_only=True)
    )

    for key in SORTS.options:
        for param in (key, f"-{key}"):
            sort = SORTS.parse(param)[0]
            expected = list(plain.order_by(*sort.ordering).values_list("pk", flat=True))
            pages, cursor = [], None
            while cursor != "":
                page = keyset_page(ids_first(plain), sort, cursor, page_size=4)
                pages.append([e.pk for e in page.rows])
                cursor = page.next_cursor
            back = keyset_page(ids_first(plain), sort, page.previous_cursor, page_size=4)

            assert [pk for rows in pages for pk in rows] == expected, param
            assert [e.pk for e in back.rows] == pages[-2], param
            assert page.count == len(expected) == 10
    with CaptureQueriesContext(connection) as queries:
        response = owner_http.get(LIST, {"label": "maja", "sort": "-id"})
    assert ids(response) == list(plain.order_by("-id").values_list("pk", flat=True))
    rows_query = next(q["sql"] for q in queries if "bounded_count" in q["sql"])
    assert '"eservices_eservice"."id" IN (SELECT' in rows_query


@pytest.mark.django_db
def test_count_is_bounded(owner_client, owner_http, monkeypatch):
    import manskonts.listing

    monkeypatch.setattr(manskonts.listing, "COUNT_LIMIT", 5)
    for _ in range(7):
        EServiceFactory(client=owner_client)

    page = owner_http.get(LIST).content.decode()

    assert "Atrasti vairāk nekā 5 ieraksti." in page


# --- bad input ------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"created_from": "vakar"},
        {"received_to": "31.02.2026"},
        {"id": "abc"},
        {"id": "9" * 40},
        {"sort": "client__name"},
        {"sort": "x" * 10_000},
        {"page": "99999"},
        {"cursor": "nav-derigs"},
        {"cursor": "x" * 10_000},
        {"label": "x" * 10_000},
        {"order": "'; DROP TABLE eservices_eservice; --"},
        {"label": "<script>alert(1)</script>"},
        {"group": "999999"},
        {"user": "1 OR 1=1"},
        {"period": "forever"},
    ],
)
def test_bad_input_gives_a_page_never_a_500(owner_client, owner_http, params):
    EServiceFactory(client=owner_client)

    response = owner_http.get(LIST, params)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.django_db
def test_unknown_sort_and_stale_page_say_so(owner_client, owner_http):
    EServiceFactory(client=owner_client)

    response = owner_http.get(LIST, {"sort": "zzz", "page": "99999"})

    assert response.context["list"].notices == [
        "Šādas kārtošanas nav; saraksts sakārtots pēc noklusējuma.",
        "Lapa nav atrasta; parādīta pirmā lapa.",
    ]
    assert len(ids(response)) == 1


@pytest.mark.django_db
def test_text_in_a_date_shows_the_error_summary_and_no_rows(owner_client, owner_http):
    EServiceFactory(client=owner_client)

    response = owner_http.get(LIST, {"created_from": "vakar"})

    assert ids(response) == []
    assert "Ievadiet datumu formātā dd.mm.gggg, piemēram, 31.01.2026." in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()


@pytest.mark.django_db
def test_filter_errors_name_each_field_and_link_to_its_input(owner_client, owner_http):
    page = owner_http.get(LIST, {"id": "abc", "created_from": "31.02.2026"}).content.decode()

    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert '<h2 class="govuk-error-summary__title">Filtros ir kļūdas</h2>' in page
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary) == [
        (
            "id_created_from",
            "Pieprasīts no — Šāda datuma kalendārā nav. Pārbaudiet dienu un mēnesi.",
        ),
        ("id_id", "E-pakalpojuma ID — E-pakalpojuma ID ir skaitlis."),
    ]
    assert 'aria-describedby="id_created_from-hint id_created_from-error"' in page
    assert 'aria-describedby="id_id-error"' in page


# --- query count ----------------------------------------------------------------------------------
def count_queries(http, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(legal, legal_admin, colleague, signed_in):
    http = signed_in(legal_admin, acting_for=legal)
    first = EServiceFactory(client=legal, requested_by=colleague)
    first.orders.add(OrderFactory(client=legal))
    http.get(LIST)  # the service groups, reference data, are read once and then cached
    one = count_queries(http, LIST)
    for i in range(30):
        e = EServiceFactory(client=legal, requested_by=colleague if i % 2 else legal_admin)
        e.orders.add(OrderFactory(client=legal), OrderFactory(client=legal))
    many = count_queries(http, LIST)
    many_sorted = count_queries(http, f"{LIST}?sort=-service")
    page_two = count_queries(http, LIST + next_link(http.get(LIST)))

    assert one == many == many_sorted == page_two


# --- detail and own label -------------------------------------------------------------------------
@pytest.mark.django_db
def test_detail_access_matrix(legal, legal_admin, colleague, outsider, signed_in):
    eservice = EServiceFactory(client=legal)
    url = reverse("eservices:detail", args=[eservice.pk])

    assert signed_in(legal_admin, acting_for=legal).get(url).status_code == 200
    assert signed_in(colleague, acting_for=legal).get(url).status_code == 200
    assert signed_in(colleague).get(url).status_code == 404  # acting as themselves
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(outsider).post(url).status_code in (404, 405)
    assert HttpClient().get(url).status_code == 302


@pytest.mark.django_db
def test_detail_shows_fields_timeline_orders_and_files(owner_client, owner_http):
    from tests.factories import DocumentFactory

    eservice = EServiceFactory(client=owner_client, label="Dārza gabals")
    eservice.orders.add(OrderFactory(client=owner_client, number="2026-0000042"))
    change_eservice_status(eservice, EServiceStatus.PROCESSING)
    DocumentFactory(eservice=eservice, original_name="izdruka.pdf")

    page = owner_http.get(reverse("eservices:detail", args=[eservice.pk])).content.decode()

    assert "Dārza gabals" in page
    assert "1300 026 3302" in page
    assert "2026-0000042" in page
    assert "Apstrādē" in page
    assert "izdruka.pdf" in page


@pytest.mark.django_db
def test_label_is_saved_unique_case_insensitive_and_clearable(owner_client, owner_http):
    taken = EServiceFactory(client=owner_client, label="Māja")
    eservice = EServiceFactory(client=owner_client)
    url = reverse("eservices:label", args=[eservice.pk])

    duplicate = owner_http.post(url, {"label": "MĀJA"})
    saved = owner_http.post(url, {"label": "  Šķūnis  "})
    eservice.refresh_from_db()
    label_after_save = eservice.label
    cleared = owner_http.post(url, {"label": ""})
    eservice.refresh_from_db()

    assert duplicate.status_code == 400
    assert f"Identifikators „MĀJA” jau piešķirts e-pakalpojumam {taken.pk}." in (
        duplicate.content.decode()
    )
    assert saved.status_code == 302
    assert label_after_save == "Šķūnis"
    assert cleared.status_code == 302
    assert eservice.label is None
    assert eservice.label_key == "~"


@pytest.mark.django_db
def test_same_label_is_allowed_for_another_client(owner_client, owner_http):
    EServiceFactory(label="Māja")  # another client's
    eservice = EServiceFactory(client=owner_client)

    response = owner_http.post(reverse("eservices:label", args=[eservice.pk]), {"label": "Māja"})

    assert response.status_code == 302


@pytest.mark.django_db
def test_label_url_is_post_only_scoped_and_csrf_protected(owner_client, owner, outsider, signed_in):
    eservice = EServiceFactory(client=owner_client)
    url = reverse("eservices:label", args=[eservice.pk])
    csrf_http = HttpClient(enforce_csrf_checks=True)
    csrf_http.force_login(owner)

    assert signed_in(owner).get(url).status_code == 405
    assert signed_in(outsider).post(url, {"label": "x"}).status_code == 404
    assert csrf_http.post(url, {"label": "x"}).status_code == 403
    assert HttpClient().post(url, {"label": "x"}).status_code == 302
    eservice.refresh_from_db()
    assert eservice.label is None


@pytest.mark.django_db
def test_label_too_long_is_refused_with_a_message(owner_client, owner_http):
    eservice = EServiceFactory(client=owner_client)

    response = owner_http.post(
        reverse("eservices:label", args=[eservice.pk]), {"label": "x" * 10_000}
    )

    assert response.status_code == 400
    assert "ne garāks par 100 zīmēm" in response.content.decode()


@pytest.mark.django_db
def test_someone_elses_user_sees_nothing(owner_client):
    EServiceFactory(client=owner_client)
    http = HttpClient()
    http.force_login(UserFactory())

    assert ids(http.get(LIST)) == []
    assert EService.objects.count() == 1


@pytest.mark.django_db
def test_a_backwards_date_range_is_named_in_the_summary_not_an_empty_list(owner_client, owner_http):
    EServiceFactory(client=owner_client)

    page = owner_http.get(LIST, {"created_from": "10.03.2026", "created_to": "01.03.2026"})

    summary = page.content.decode().split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary) == [
        (
            "id_created_to",
            "Pieprasīts līdz — Šis datums nevar būt agrāks par datumu „Pieprasīts no”.",
        )
    ]


@pytest.mark.django_db
def test_detail_orders_and_files_tables_come_from_their_declarations(owner_client, owner_http):
    from documents.tables import TABLE as DOCUMENTS
    from eservices.tables import ORDERS
    from tests.factories import DocumentFactory, OrderPartFactory
    from tests.tables import headers, rows

    eservice = EServiceFactory(client=owner_client)
    order = OrderFactory(client=owner_client, number="2026-0000043")
    OrderPartFactory(order=order, client=owner_client, part_number=1)
    eservice.orders.add(order)
    DocumentFactory(eservice=eservice, original_name="izdruka.pdf")

    page = owner_http.get(reverse("eservices:detail", args=[eservice.pk])).content.decode()

    assert headers(page, "eservice-orders") == [str(c.label) for c in ORDERS.columns]
    [row] = rows(page, "eservice-orders")
    assert 'href="/mans-konts/pasutijumi/2026-0000043/">2026-0000043</a>' in row["Pasūtījuma Nr."]
    assert row["Pasūtījuma daļas"].startswith("1. ")
    assert "govuk-tag" in row["Pasūtījuma daļas"]
    assert headers(page, "documents") == [str(c.label) for c in DOCUMENTS.columns]
    [document] = rows(page, "documents")
    assert "izdruka.pdf" in document["Datne"]
    assert document["Veids"] == "Rezultāts"
