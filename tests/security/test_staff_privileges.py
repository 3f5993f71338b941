"""Attack: a staff member grants herself (or a colleague) rights through the admin.

Reproduced on the old code: a staff user whose only group was "Kontu pieteikumu izskatīšana"
could change users; she opened her own user, ticked "superuser" and saved. The rule now: no staff
role can grant rights. Only superusers change `is_staff`, `is_superuser`, groups and individual
permissions, and nobody changes their own — superusers included. Enforced in the admin on the
server: the fields are read-only (left out of the form) for whoever may not change them, so a POST
of them is ignored, and a non-superuser may not change a staff member's user at all (password
included). docs/security-tests.md, Staff (ASVS 5.0 8.2.1, 8.3.1). The full matrix: tests/accounts/test_roles.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client as HttpClient

from accounts.models import User
from accounts.roles import ACCOUNT_REVIEWER, ACCOUNTANT, CLERK, ROLES
from tests.factories import StaffFactory, UserFactory

FORBIDDEN = ("is_superuser", "is_staff", "groups", "user_permissions")


def signed_in_staff(*, role: str | None = None, superuser: bool = False, **extra) -> HttpClient:
    user = StaffFactory(is_superuser=superuser, **extra)
    if role is not None:
        user.groups.set([Group.objects.get(name=role)])
    http = HttpClient()
    http.force_login(user)
    http.user = user
    return http


def rights(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.is_superuser,
        user.is_staff,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


def user_form(user: User, **changes) -> dict:
    """The user's change form as a browser would submit it, with the attacker's changes."""
    data = {
        "username": user.username,
        "personal_code": user.personal_code or "",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "_save": "Saglabāt",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    data["groups"] = [str(pk) for pk in user.groups.values_list("pk", flat=True)]
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def all_rights() -> dict:
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [str(pk) for pk in Group.objects.values_list("pk", flat=True)],
        "user_permissions": [str(pk) for pk in Permission.objects.values_list("pk", flat=True)],
    }


@pytest.mark.django_db
def test_account_reviewer_cannot_make_herself_superuser():
    http = signed_in_staff(role=ACCOUNT_REVIEWER)
    reviewer = http.user
    page = f"/admin/accounts/user/{reviewer.pk}/change/"

    http.get(page)
    response = http.post(page, user_form(reviewer, is_superuser="on"))

    assert response.status_code == 403
    assert rights(reviewer) == (False, True, [ACCOUNT_REVIEWER], [])


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("target", ["self", "colleague", "person"])
@pytest.mark.parametrize("field", [*FORBIDDEN, "all"])
def test_no_role_can_post_rights_to_a_user(role, target, field):
    http = signed_in_staff(role=role)
    victim = {
        "self": http.user,
        "colleague": (colleague := StaffFactory()),
        "person": UserFactory(),
    }[target]
    if target == "colleague":
        colleague.groups.set([Group.objects.get(name=CLERK)])
    before = rights(victim)
    granted = all_rights()
    changes = granted if field == "all" else {field: granted[field]}

    response = http.post(f"/admin/accounts/user/{victim.pk}/change/", user_form(victim, **changes))

    assert response.status_code == 403
    assert rights(victim) == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_role_can_add_a_staff_user_or_superuser(role):
    http = signed_in_staff(role=role)
    count = User.objects.count()

    response = http.post(
        "/admin/accounts/user/add/",
        {
            "username": "jauns-darbinieks",
            "email": "jauns@vzd.example.lv",
            "password1": "ļoti-slepena-parole-2026",
            "password2": "ļoti-slepena-parole-2026",
            **all_rights(),
        },
    )

    assert response.status_code == 403
    assert User.objects.count() == count


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("target", ["self", "colleague", "superuser"])
def test_no_role_can_set_a_staff_members_password(role, target):
    http = signed_in_staff(role=role)
    victim = {
        "self": http.user,
        "colleague": StaffFactory(),
        "superuser": StaffFactory(is_superuser=True),
    }[target]
    old_hash = victim.password

    response = http.post(
        f"/admin/accounts/user/{victim.pk}/password/",
        {"password1": "uzbrucēja-parole-2026", "password2": "uzbrucēja-parole-2026"},
    )

    victim.refresh_from_db()
    assert response.status_code == 403
    assert victim.password == old_hash


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_role_can_give_its_group_more_permissions(role):
    http = signed_in_staff(role=role)
    group = Group.objects.get(name=role)
    before = set(group.permissions.values_list("pk", flat=True))
    every = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]

    change = http.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": every}
    )
    add = http.post("/admin/auth/group/add/", {"name": "Visas tiesības", "permissions": every})

    assert (change.status_code, add.status_code) == (403, 403)
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert not Group.objects.filter(name="Visas tiesības").exists()


# --- A role that may change persons' users (none does today) still grants nothing -----------------


@pytest.fixture
def person_editor():
    """A staff member allowed to view and change users, as a future role might be."""
    http = signed_in_staff()
    http.user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    return http


@pytest.mark.django_db
def test_user_editor_changes_a_persons_name_but_posted_rights_are_ignored(person_editor):
    person = UserFactory(first_name="Ilze")
    page = f"/admin/accounts/user/{person.pk}/change/"

    form = person_editor.get(page).content.decode()
    response = person_editor.post(page, user_form(person, first_name="Ilze Anna", **all_rights()))

    person.refresh_from_db()
    assert response.status_code == 302
    assert person.first_name == "Ilze Anna"
    assert rights(person) == (False, False, [], [])
    for field in FORBIDDEN:
        assert f'name="{field}"' not in form


@pytest.mark.django_db
def test_user_editor_cannot_change_herself_or_a_staff_colleague(person_editor):
    colleague = StaffFactory()
    for victim in (person_editor.user, colleague):
        before = rights(victim)

        response = person_editor.post(
            f"/admin/accounts/user/{victim.pk}/change/",
            user_form(victim, first_name="Cits", **all_rights()),
        )

        victim.refresh_from_db()
        assert response.status_code == 403
        assert (victim.first_name, rights(victim)) == ("Dace", before)


# --- Superusers grant rights to others, never to or from themselves ------------------------------


@pytest.mark.django_db
def test_superuser_cannot_change_her_own_rights():
    http = signed_in_staff(superuser=True)
    me = http.user
    page = f"/admin/accounts/user/{me.pk}/change/"

    form = http.get(page).content.decode()
    response = http.post(
        page,
        user_form(
            me,
            first_name="Dace Anna",
            is_superuser=None,
            is_staff=None,
            groups=[str(Group.objects.get(name=CLERK).pk)],
            user_permissions=[str(Permission.objects.get(codename="view_user").pk)],
        ),
    )

    me.refresh_from_db()
    assert response.status_code == 302
    assert me.first_name == "Dace Anna"
    assert rights(me) == (True, True, [], [])
    for field in FORBIDDEN:
        assert f'name="{field}"' not in form


@pytest.mark.django_db
def test_superuser_grants_and_removes_a_colleagues_rights():
    http = signed_in_staff(superuser=True)
    colleague = StaffFactory()
    page = f"/admin/accounts/user/{colleague.pk}/change/"
    assert 'name="is_superuser"' in http.get(page).content.decode()

    granted = http.post(
        page, user_form(colleague, groups=[str(Group.objects.get(name=ACCOUNTANT).pk)])
    )
    assert granted.status_code == 302
    assert rights(colleague) == (False, True, [ACCOUNTANT], [])

    removed = http.post(page, user_form(colleague, is_staff=None, groups=[]))
    assert removed.status_code == 302
    assert rights(colleague) == (False, False, [], [])
