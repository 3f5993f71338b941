"""What happens to requests (the one place that changes them): raise, the client's draft and
answer, accept, ask again, extend, expire, terminate, withdraw. Each runs in one transaction with
the request row locked (and the part's, through orders' own status change), records a
RequestEvent and tells the client's people.

A request on an order part may suspend it (Izpildē → Apturēts) and settling it resumes it
(Apturēts → Izpildē), both through orders.services.change_order_part_status, which moves the
planned completion date on by the working days the part was suspended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Document
from documents.services import submit_documents
from documents.signing import require_signatures
from eservices.models import CLOSED_STATUSES, EService, EServiceStatus
from eservices.services import change_eservice_status
from manskonts.validation import CheckedUpload
from manskonts.workflow import check_transition
from orders.models import OrderPart
from orders.planning import on_or_after_working_day
from orders.services import change_order_part_status
from orders.workflow import FINAL_STATUSES, OrderStatus
from requisitions import notices
from requisitions.models import (
    Answer,
    AnswerItem,
    Request,
    RequestEvent,
    RequestItem,
    RequestTemplate,
)
from requisitions.workflow import ACTIVE_STATES, AWAITING_CLIENT, FINAL_STATES, LABELS, TRANSITIONS
from requisitions.workflow import RequestState as S

Action = RequestEvent.Action


@dataclass(frozen=True)
class ItemSpec:
    """One checklist point of a request being raised."""

    name: str
    kind: str = RequestItem.Kind.FILE
    signed_required: bool = False


def default_deadline(service, today: date | None = None) -> date:
    """The service's reply period in calendar days from today, on a working day."""
    today = today or timezone.localdate()
    return deadline_rule(today + timedelta(days=service.request_reply_days))


def deadline_rule(day: date) -> date:
    """A deadline on a weekend or holiday moves to the next working day (a working Saturday
    stays)."""
    return on_or_after_working_day(day)


# Reminders before a deadline, in calendar days left: a week before, and the day before (or on the
# last day, if the beat missed the day before).
WEEK_REMINDER_DAYS = 7
DAY_REMINDER_DAYS = 1


def _skip_reminders_told(request: Request, today: date) -> list[str]:
    """A deadline set (raised, extended, asked again) this close needs no reminder the notice of
    setting it already gave: mark the reminders whose window it is already in as sent. Returns
    the fields changed."""
    left = (request.deadline - today).days
    fields = []
    if left <= WEEK_REMINDER_DAYS:
        request.reminded_week_for = request.deadline
        fields.append("reminded_week_for")
    if left <= DAY_REMINDER_DAYS:
        request.reminded_day_for = request.deadline
        fields.append("reminded_day_for")
    return fields


def _move(request: Request, new_state: str, action: str, *, by, note: str = "", deadline=None):
    """Check and record one transition of a locked request."""
    check_transition(TRANSITIONS, LABELS, request.state, new_state)
    now = timezone.now()
    RequestEvent.objects.create(
        request=request,
        action=action,
        from_state=request.state,
        to_state=new_state,
        at=now,
        by=by,
        note=note,
        deadline=deadline,
    )
    request.state = new_state
    request.state_changed_at = now
    fields = ["state", "state_changed_at"]
    if deadline is not None:
        request.deadline = deadline
        fields.append("deadline")
        fields += _skip_reminders_told(request, timezone.localdate())
    request.save(update_fields=fields)


def keep_awaiting_flag(request: Request) -> None:
    """The request's part or e-service says whether any of its requests awaits the client's
    answer (`awaiting_reply`, the lists' tag and filter "Gaida manu atbildi"); a closed one awaits
    nobody. Run as the last thing in the transaction of every step, with the part's or
    e-service's row locked, so that two requests of one part changing at once cannot leave it
    wrong; last, so that the part's lock is taken after the request rows a step locks (another
    step of the part waiting for those while holding the part would deadlock)."""
    if request.order_part_id:
        part = (
            OrderPart.objects.select_for_update()
            .only("status", "awaiting_reply")
            .get(pk=request.order_part_id)
        )
        waiting = (
            part.status not in FINAL_STATUSES
            and Request.objects.filter(order_part_id=part.pk, state__in=AWAITING_CLIENT).exists()
        )
        if part.awaiting_reply != waiting:
            OrderPart.objects.filter(pk=part.pk).update(awaiting_reply=waiting)
        return
    eservice = (
        EService.objects.select_for_update()
        .only("status", "awaiting_reply")
        .get(pk=request.eservice_id)
    )
    waiting = (
        eservice.status not in CLOSED_STATUSES
        and Request.objects.filter(eservice_id=eservice.pk, state__in=AWAITING_CLIENT).exists()
    )
    if eservice.awaiting_reply != waiting:
        EService.objects.filter(pk=eservice.pk).update(awaiting_reply=waiting)


def _locked(request: Request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("order_part__order", "eservice")
        .get(pk=request.pk)
    )


def _refresh(request: Request, locked: Request) -> Request:
    request.state, request.state_changed_at = locked.state, locked.state_changed_at
    request.deadline, request.suspended_part = locked.deadline, locked.suspended_part
    request.assignee_id = locked.assignee_id
    request.reminded_week_for = locked.reminded_week_for
    request.reminded_day_for = locked.reminded_day_for
    return request


def closed_target_message(target: OrderPart | EService) -> str | None:
    """Why no answer can be given on this part or e-service any more, or None."""
    if isinstance(target, OrderPart):
        if target.status == OrderStatus.CANCELLED:
            return _(
                "Pasūtījuma daļas izpilde ir pārtraukta, tāpēc atbildi uz pieprasījumu vairs "
                "nevar iesniegt."
            )
        if target.status in FINAL_STATUSES:
            return _(
                "Pasūtījuma daļa ir pabeigta, tāpēc atbildi uz pieprasījumu vairs nevar iesniegt."
            )
        return None
    if target.status in CLOSED_STATUSES:
        return _(
            "E-pakalpojums ir „%(status)s”, tāpēc atbildi uz pieprasījumu vairs nevar iesniegt."
        ) % {"status": target.get_status_display()}
    return None


def _target_closed_message(request: Request) -> str | None:
    """Why nothing more can happen on the request's part or e-service (as stored now), or None."""
    if request.order_part_id:
        return closed_target_message(OrderPart.objects.get(pk=request.order_part_id))
    return closed_target_message(EService.objects.get(pk=request.eservice_id))


def answer_refusal(request: Request) -> str | None:
    """Why the client cannot answer this request now (a sentence the page shows), or None when
    they can. Reads the request's part or e-service as loaded with it; submit_answer and
    save_draft check again under the lock."""
    if request.state == S.TERMINATED:
        return _("Atbilde termiņā netika saņemta, un VZD pārtrauca izpildi.")
    if request.state == S.WITHDRAWN:
        return _("VZD atsauca pieprasījumu; atbilde vairs nav vajadzīga.")
    if request.state == S.ACCEPTED:
        return _("VZD pieņēma Jūsu atbildi; pieprasījums ir izpildīts.")
    closed = closed_target_message(request.target)
    if closed:
        return closed
    if request.state in AWAITING_CLIENT:
        return None
    if request.state == S.ANSWERED:
        return _(
            "Atbilde ir iesniegta; VZD to izskata. Ja VZD vajadzēs vēl ko, Jūs to redzēsiet šeit."
        )
    if request.state == S.EXPIRED:
        return _(
            "Atbildes termiņš beidzās %(deadline)s, tāpēc atbildi vairs nevar iesniegt. VZD var "
            "pagarināt termiņu vai pārtraukt izpildi."
        ) % {"deadline": request.deadline.strftime("%d.%m.%Y")}
    return _("Pieprasījums ir „%(state)s”: uz to vairs nevar atbildēt.") % {
        "state": request.get_state_display()
    }


# --- Raising --------------------------------------------------------------------------------------


def check_can_raise(target: OrderPart | EService, deadline: date | None) -> date:
    """The deadline a request on `target` gets (the given one on a working day, or the service's
    default), or ValidationError when no request may be raised on it (also the admin form's
    check)."""
    if isinstance(target, OrderPart):
        if target.status in FINAL_STATUSES:
            raise ValidationError(
                _("Pasūtījuma daļa ir „%(status)s”: pieprasījumu tai vairs nevar izveidot.")
                % {"status": target.get_status_display()},
                code="closed",
            )
    elif target.status in CLOSED_STATUSES:
        raise ValidationError(
            _("E-pakalpojums ir „%(status)s”: pieprasījumu tam vairs nevar izveidot.")
            % {"status": target.get_status_display()},
            code="closed",
        )
    today = timezone.localdate()
    deadline = (
        default_deadline(target.service, today) if deadline is None else deadline_rule(deadline)
    )
    if deadline <= today:
        raise ValidationError(_("Atbildes termiņam jābūt nākotnē."), code="deadline")
    return deadline


def raise_request(
    target: OrderPart | EService,
    items: Iterable[ItemSpec],
    text: str,
    *,
    by,
    deadline: date | None = None,
    suspend: bool = True,
    template: RequestTemplate | None = None,
) -> Request:
    """A clerk asks the client of an order part or e-service for what `items` name, by `deadline`
    (default: the service's reply period; a non-working day moves to the next working day).

    With `suspend`, a part in Izpildē (or Reģistrēts) becomes Apturēts in the same transaction;
    a part already Apturēts stays so and this request does not own the suspension. `template`:
    the one the clerk started from (kept on the record; `from_template` gives its text and items).
    Raise ValidationError (nothing is saved) when refused.
    """
    items = [item for item in items if item.name.strip()]
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Aprakstiet, kas klientam jāiesniedz."), code="text")
    if not items:
        raise ValidationError(_("Norādiet vismaz vienu pieprasījuma punktu."), code="items")
    deadline = check_can_raise(target, deadline)
    with transaction.atomic():
        if isinstance(target, OrderPart):
            part = OrderPart.objects.select_for_update().get(pk=target.pk)
            check_can_raise(part, deadline)  # again, under the lock
            owns_suspension = suspend and part.status != OrderStatus.SUSPENDED
            request = Request(order_part=part, client_id=part.client_id)
        else:
            eservice = EService.objects.select_for_update().get(pk=target.pk)
            check_can_raise(eservice, deadline)
            owns_suspension = False  # e-services have no suspended status
            request = Request(eservice=eservice, client_id=eservice.client_id)
        now = timezone.now()
        request.text = text
        request.deadline = deadline
        request.raised_by = by
        request.raised_at = request.state_changed_at = now
        request.suspended_part = owns_suspension
        request.template = template
        _skip_reminders_told(request, timezone.localdate())
        request.save()
        RequestItem.objects.bulk_create(
            RequestItem(
                request=request,
                position=i,
                name=item.name.strip()[:255],
                kind=item.kind,
                signed_required=item.signed_required,
            )
            for i, item in enumerate(items, start=1)
        )
        RequestEvent.objects.create(
            request=request,
            action=Action.RAISED,
            to_state=S.OPEN,
            at=now,
            by=by,
            deadline=deadline,
            note=text,
        )
        keep_awaiting_flag(request)
        if owns_suspension:
            change_order_part_status(
                part,
                OrderStatus.SUSPENDED,
                by=by,
                note=_("Pieprasījums Nr. %(id)s") % {"id": request.pk},
            )
        notices.notify_raised(request)
    return request


def from_template(template: RequestTemplate) -> tuple[str, list[ItemSpec]]:
    """The text and checklist a request started from `template` gets (the clerk may edit both)."""
    return template.text, [
        ItemSpec(name=item.name, kind=item.kind, signed_required=item.signed_required)
        for item in template.items.all()
    ]


def templates_for(target: OrderPart | EService | None):
    """The templates a clerk may start a request from: the target's service's, or all."""
    templates = RequestTemplate.objects.filter(active=True).select_related("service")
    if target is not None:
        templates = templates.filter(service_id=target.service_id)
    return templates


# --- The client's answer --------------------------------------------------------------------------


def draft_answer(request: Request, *, by) -> Answer:
    """The client's draft answer to a request awaiting them (created on first use)."""
    if request.state not in AWAITING_CLIENT:
        raise ValidationError(
            _("Pieprasījums ir „%(state)s”: uz to vairs nevar atbildēt.")
            % {"state": request.get_state_display()},
            code="not_awaiting",
        )
    refused = _target_closed_message(request)
    if refused:
        raise ValidationError(refused, code="closed")
    answer, _created = Answer.objects.get_or_create(
        request=request, submitted_at=None, defaults={"created_by": by}
    )
    return answer


def save_draft(
    request: Request,
    *,
    by,
    message: str | None = None,
    texts: dict[int, str] | None = None,
    files: dict[int, list[CheckedUpload]] | None = None,
) -> Answer:
    """Keep what the client wrote or uploaded so far: the message, each item's text (by item id)
    and checked files (stored as documents submitted to the part or e-service). Files for an item
    with `signed_required` must be validly signed (documents.signing.require_signatures): else a
    ValidationError naming each refused file, and nothing is kept."""
    with transaction.atomic():
        locked = _locked(request)
        items = {item.pk: item for item in locked.items.all()}
        answer = draft_answer(locked, by=by)
        files = dict(files or {})
        # Every signature is checked before any file is stored: a refusal leaves nothing behind.
        for item_id, checked in files.items():
            if checked and item_id in items and items[item_id].signed_required:
                files[item_id] = require_signatures(checked)
        if message is not None:
            answer.message = message.strip()
            answer.save(update_fields=["message"])
        for item_id in {*(texts or {}), *(files or {})}:
            if item_id not in items:
                raise ValidationError(_("Šāda pieprasījuma punkta nav."), code="item")
            answer_item, _created = AnswerItem.objects.get_or_create(
                answer=answer, item=items[item_id]
            )
            if texts and item_id in texts:
                answer_item.text = texts[item_id].strip()
                answer_item.save(update_fields=["text"])
            if files and files.get(item_id):
                stored = submit_documents(
                    files[item_id],
                    by=by,
                    order_part=locked.order_part,
                    eservice=locked.eservice,
                )
                answer_item.documents.add(*stored)
    return answer


def _missing_items(answer: Answer, items: list[RequestItem]) -> list[RequestItem]:
    given = {a.item_id: a for a in answer.items.prefetch_related("documents")}
    missing = []
    for item in items:
        entry = given.get(item.pk)
        has_file = entry is not None and any(
            d.direction == Document.Direction.SUBMITTED and d.deleted_at is None
            for d in entry.documents.all()
        )
        has_text = entry is not None and bool(entry.text)
        # A file point needs a file; an information point text or a file.
        answered = has_file if item.kind == RequestItem.Kind.FILE else has_text or has_file
        if not answered:
            missing.append(item)
    return missing


def submit_answer(request: Request, *, by) -> Answer:
    """The client submits the draft: every point answered (a file for a file, text or a file for
    information). Refused, in words, on a terminated part or a request no longer awaiting them."""
    with transaction.atomic():
        locked = _locked(request)
        refused = _target_closed_message(locked)
        if refused:
            raise ValidationError(refused, code="closed")
        if locked.state not in AWAITING_CLIENT:
            raise ValidationError(
                _("Pieprasījums ir „%(state)s”: uz to vairs nevar atbildēt.")
                % {"state": locked.get_state_display()},
                code="not_awaiting",
            )
        answer = (
            Answer.objects.select_for_update().filter(request=locked, submitted_at=None).first()
        )
        if answer is None:
            raise ValidationError(_("Atbildē vēl nekas nav ierakstīts."), code="empty")
        missing = _missing_items(answer, list(locked.items.all()))
        if missing:
            error = ValidationError(
                _("Atbildiet uz visiem pieprasījuma punktiem; trūkst: %(items)s.")
                % {"items": ", ".join(item.name for item in missing)},
                code="missing",
            )
            error.missing_items = missing  # the answer page marks each at its field
            raise error
        _move(locked, S.ANSWERED, Action.ANSWERED, by=by, note=answer.message)
        answer.submitted_at = timezone.now()
        answer.submitted_by = by
        answer.save(update_fields=["submitted_at", "submitted_by"])
        notices.notify_answered(locked, answer)
        keep_awaiting_flag(locked)
    _refresh(request, locked)
    return answer


# --- The clerk settles it -------------------------------------------------------------------------


def _release_part(locked: Request, *, by, note: str) -> bool:
    """Resume the part this request suspended, unless another unsettled request on it still
    waits for the client (then that one holds the suspension). Returns whether it resumed."""
    if not locked.suspended_part:
        return False
    locked.suspended_part = False
    locked.save(update_fields=["suspended_part"])
    # The part's other requests are locked before the part itself, as every other step locks
    # its request first and the part after it.
    other = (
        Request.objects.select_for_update()
        .filter(order_part_id=locked.order_part_id, state__in=ACTIVE_STATES)
        .exclude(pk=locked.pk)
        .order_by("raised_at", "pk")
        .first()
    )
    part = OrderPart.objects.select_for_update().get(pk=locked.order_part_id)
    if part.status != OrderStatus.SUSPENDED:
        return False
    if other is not None:
        other.suspended_part = True
        other.save(update_fields=["suspended_part"])
        return False
    change_order_part_status(part, OrderStatus.IN_PROGRESS, by=by, note=note)
    return True


def accept(request: Request, *, by) -> Request:
    """The clerk accepts the answer; a part this request suspended resumes (Izpildē) and its
    planned date moves on by the working days it was suspended."""
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, S.ACCEPTED, Action.ACCEPTED, by=by)
        resumed = _release_part(
            locked, by=by, note=_("Pieprasījums Nr. %(id)s pieņemts") % {"id": locked.pk}
        )
        notices.notify_accepted(locked, resumed=resumed)
        keep_awaiting_flag(locked)
    return _refresh(request, locked)


def ask_again(request: Request, text: str, *, by, deadline: date | None = None) -> Request:
    """The answer is not enough: the clerk says what is still needed; the client answers again
    (by the same deadline, or a new one)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Uzrakstiet, kas vēl nepieciešams."), code="text")
    if deadline is not None:
        deadline = deadline_rule(deadline)
        if deadline <= timezone.localdate():
            raise ValidationError(_("Atbildes termiņam jābūt nākotnē."), code="deadline")
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, S.ASKED_AGAIN, Action.ASKED_AGAIN, by=by, note=text, deadline=deadline)
        notices.notify_asked_again(locked, text)
        keep_awaiting_flag(locked)
    return _refresh(request, locked)


def extend(request: Request, new_deadline: date, *, by) -> Request:
    """A request past its deadline opens again with a new one (a non-working day moves on)."""
    new_deadline = deadline_rule(new_deadline)
    if new_deadline <= timezone.localdate():
        raise ValidationError(_("Jaunajam termiņam jābūt nākotnē."), code="deadline")
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, S.OPEN, Action.EXTENDED, by=by, deadline=new_deadline)
        notices.notify_extended(locked)
        keep_awaiting_flag(locked)
    return _refresh(request, locked)


def expire_due(today: date | None = None) -> int:
    """Requests awaiting the client whose deadline has passed become 'termiņš beidzies' (for the
    beat); rows another transaction holds are left for the next run. Returns how many."""
    today = today or timezone.localdate()
    count = 0
    with transaction.atomic():
        due = (
            Request.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("order_part__order", "eservice")
            .filter(state__in=AWAITING_CLIENT, deadline__lt=today)
            .order_by("deadline", "pk")
        )
        for request in due:
            _move(request, S.EXPIRED, Action.EXPIRED, by=None)
            notices.notify_expired(request)
            keep_awaiting_flag(request)
            count += 1
    return count


def terminate(request: Request, reason: str, *, by) -> Request:
    """The deadline passed with no answer: the part becomes Pārtraukts (the e-service Atcelts)
    with the reason the client sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Norādiet pārtraukšanas iemeslu."), code="reason")
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, S.TERMINATED, Action.TERMINATED, by=by, note=reason)
        if locked.order_part_id:
            part = locked.order_part
            if part.status not in FINAL_STATUSES:
                change_order_part_status(part, OrderStatus.CANCELLED, by=by, note=reason[:255])
        elif locked.eservice.status not in CLOSED_STATUSES:
            change_eservice_status(locked.eservice, EServiceStatus.CANCELLED, by=by)
        if locked.suspended_part:
            locked.suspended_part = False
            locked.save(update_fields=["suspended_part"])
        notices.notify_terminated(locked, reason)
        keep_awaiting_flag(locked)
    return _refresh(request, locked)


def withdraw(request: Request, *, by, note: str = "") -> Request:
    """The clerk withdraws an open request (raised by mistake, or no longer needed); a part it
    suspended resumes."""
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, S.WITHDRAWN, Action.WITHDRAWN, by=by, note=note.strip())
        resumed = _release_part(
            locked, by=by, note=_("Pieprasījums Nr. %(id)s atsaukts") % {"id": locked.pk}
        )
        notices.notify_withdrawn(locked, resumed=resumed)
        keep_awaiting_flag(locked)
    return _refresh(request, locked)


# --- The desk -------------------------------------------------------------------------------------


def assign(request: Request, *, to, by) -> Request:
    """Make `to` (a staff member) the one who settles the request ("Piešķirt man"), on the record."""
    if not to.is_staff:
        raise ValidationError(_("Pieprasījumu var piešķirt tikai VZD darbiniekam."), code="staff")
    with transaction.atomic():
        locked = _locked(request)
        if locked.state in FINAL_STATES:
            raise ValidationError(
                _("Pieprasījums ir „%(state)s”: tas vairs nav jāizskata.")
                % {"state": locked.get_state_display()},
                code="final",
            )
        if locked.assignee_id != to.pk:
            locked.assignee = to
            locked.save(update_fields=["assignee"])
            RequestEvent.objects.create(
                request=locked,
                action=Action.ASSIGNED,
                from_state=locked.state,
                to_state=locked.state,
                by=by,
                note=to.get_full_name() or to.get_username(),
            )
    return _refresh(request, locked)


# --- Deadlines (the beat: requisitions/tasks.py) --------------------------------------------------


def service_of(request: Request):
    target = request.order_part if request.order_part_id else request.eservice
    return target.service


def send_reminders(today: date | None = None) -> dict[str, int]:
    """Remind the client a week and a day before a request's deadline, once each per deadline
    (the deadline a reminder was sent for is kept, so a re-run sends nothing and an extended
    deadline gets its own reminders); not on a part or e-service closed meanwhile. Returns how
    many of each were sent."""
    today = today or timezone.localdate()
    sent = {"week": 0, "day": 0}
    with transaction.atomic():
        due = (
            Request.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("order_part__order", "eservice")
            .filter(
                state__in=AWAITING_CLIENT,
                deadline__gte=today,
                deadline__lte=today + timedelta(days=WEEK_REMINDER_DAYS),
            )
            # A part or e-service closed meanwhile takes no answer (_target_closed_message):
            # no reminder to send one.
            .exclude(order_part__status__in=FINAL_STATUSES)
            .exclude(eservice__status__in=CLOSED_STATUSES)
            .order_by("deadline", "pk")
        )
        for request in due:
            left = (request.deadline - today).days
            if left <= DAY_REMINDER_DAYS:
                if request.reminded_day_for == request.deadline:
                    continue
                # The last days: the day's reminder stands for the week's too.
                request.reminded_day_for = request.reminded_week_for = request.deadline
                kind = "day"
            elif request.reminded_week_for != request.deadline:
                request.reminded_week_for = request.deadline
                kind = "week"
            else:
                continue
            request.save(update_fields=["reminded_week_for", "reminded_day_for"])
            notices.notify_reminder(request, days_left=left)
            sent[kind] += 1
    return sent


def auto_terminate_reason(request: Request) -> str:
    return _(
        "Atbilde uz pieprasījumu netika saņemta līdz termiņam %(deadline)s, tāpēc izpilde "
        "pārtraukta automātiski."
    ) % {"deadline": request.deadline.strftime("%d.%m.%Y")}


def terminate_overdue(today: date | None = None) -> int:
    """Terminate requests past their deadline by more than their service's
    `request_auto_terminate_days` (a service without it leaves them to the clerk), through
    `terminate` with a reason the client sees. Returns how many."""
    today = today or timezone.localdate()
    candidates = (
        Request.objects.filter(state=S.EXPIRED)
        .filter(
            Q(order_part__service__request_auto_terminate_days__isnull=False)
            | Q(eservice__service__request_auto_terminate_days__isnull=False)
        )
        .select_related("order_part__service", "eservice__service")
        .order_by("deadline", "pk")
    )
    count = 0
    for request in candidates:
        days = service_of(request).request_auto_terminate_days
        if today <= request.deadline + timedelta(days=days):
            continue
        try:
            terminate(request, auto_terminate_reason(request), by=None)
        except ValidationError:
            continue  # settled meanwhile (extended, terminated by a clerk)
        count += 1
    return count
