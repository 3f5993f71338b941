from itertools import product

import pytest

from eservices.models import ESERVICE_TRANSITIONS, EServiceStatus, EServiceStatusChange
from eservices.services import change_eservice_status
from manskonts.workflow import StatusChangeError
from tests.factories import EServiceFactory

LEGAL = [(a, b) for a, nexts in ESERVICE_TRANSITIONS.items() for b in nexts]
ILLEGAL = [
    (a, b) for a, b in product(EServiceStatus.values, repeat=2) if b not in ESERVICE_TRANSITIONS[a]
]


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), LEGAL)
def test_legal_eservice_transition_is_recorded(old, new, clerk):
    eservice = EServiceFactory(status=old)

    change_eservice_status(eservice, new, by=clerk)

    eservice.refresh_from_db()
    assert eservice.status == new
    assert (
        EServiceStatusChange.objects.filter(
            eservice=eservice, from_status=old, to_status=new, changed_by=clerk
        ).count()
        == 1
    )
    assert (eservice.received_at is not None) == (new == EServiceStatus.COMPLETED)


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_illegal_eservice_transition_is_refused(old, new, clerk):
    eservice = EServiceFactory(status=old)

    with pytest.raises(StatusChangeError):
        change_eservice_status(eservice, new, by=clerk)

    eservice.refresh_from_db()
    assert eservice.status == old
    assert not EServiceStatusChange.objects.filter(eservice=eservice).exists()
