from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from eservices.models import (
    ESERVICE_TRANSITIONS,
    EService,
    EServiceStatus,
    EServiceStatusChange,
    ExportJob,
)
from eservices.services import change_eservice_status
from manskonts import desk
from manskonts.admin_filters import DateRange
from manskonts.admin_status import (
    StatusFormMixin,
    digits_if_identifier,
    make_status_action,
    object_grouped,
)
from manskonts.admin_titles import LatvianTitlesMixin


class EServiceStatusChangeInline(admin.TabularInline):
    model = EServiceStatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_status", "to_status", "changed_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _is_clients_person(client, person) -> bool:
    """The natural person the client is, or a user of the legal person."""
    if not client.is_legal:
        return client.person_id == person.pk
    return client.memberships.filter(user=person).exists()


class EServiceForm(StatusFormMixin):
    transitions = ESERVICE_TRANSITIONS
    labels = dict(EServiceStatus.choices)

    class Meta:
        model = EService
        fields = ("client", "requested_by", "service", "object_code", "orders", "received_at")

    def clean(self):
        cleaned = super().clean()
        # On a change form the client is read-only (not a field): the e-service's own.
        client = cleaned.get("client") if "client" in self.fields else self.instance.client
        orders = cleaned.get("orders")
        person = cleaned.get("requested_by")
        if client is not None and person is not None and not _is_clients_person(client, person):
            # The client's history shows who asked: a stranger's name there is another's data.
            self.add_error("requested_by", _("Šī persona nav klienta lietotājs."))
        if client is not None and orders is not None:
            foreign = [order.number for order in orders if order.client_id != client.pk]
            if foreign:
                # A link across clients would show each of them the other's order or e-service.
                self.add_error(
                    "orders",
                    _("Saistīt var tikai šī paša klienta pasūtījumus; cita klienta: %(numbers)s.")
                    % {"numbers": ", ".join(foreign)},
                )
        return cleaned


@admin.register(EService)
class EServiceAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "e-pakalpojumu")
    form = EServiceForm
    list_display = (
        "pk",
        "client",
        "service",
        object_grouped,
        "status",
        "status_changed_at",
        "created_at",
        "received_at",
    )
    list_filter = ("status", ("created_at", DateRange), "service__group")
    list_select_related = ("client", "service")
    search_fields = (
        "=id",
        "object_code",
        "label",
        "client__name",
        "client__registration_number",
        "client__person__personal_code",
        "orders__number",
    )
    autocomplete_fields = ("client", "requested_by", "orders")
    readonly_fields = ("status", "status_changed_at", "label", "created_at", "external_id")
    date_hierarchy = "created_at"
    inlines = [EServiceStatusChangeInline]  # documents/admin.py adds its two
    actions = [make_status_action(EServiceStatus.choices, change_eservice_status, with_note=False)]

    def get_readonly_fields(self, request, obj=None):
        # An e-service never changes client (its files, conversation and requests are that
        # client's): set when it is added, read-only afterwards, as an order's (EService.save
        # refuses it too).
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "client")

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, digits_if_identifier(search_term))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        new_status = form.cleaned_data.get("new_status")
        if new_status:
            try:
                change_eservice_status(obj, new_status, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)


@admin.register(ExportJob)
class ExportJobAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    """Clients' Excel reports, read-only: staff see which failed and why (the desk counts them)."""

    accusative = pgettext_lazy("akuzatīvs", "Excel atskaiti")
    list_display = ("created_at", "client", "state", "total", "done", "attempts", "message")
    list_filter = ("state", "created_at")
    list_select_related = ("client",)
    search_fields = ("client__name", "client__registration_number")
    exclude = ("claim",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ExportJob._meta.fields if f.name != "claim"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


desk.register(
    desk.DeskItem(
        key="failed_exports",
        label=gettext_lazy("Neizdevušās Excel atskaites"),
        model="eservices.ExportJob",
        rows=lambda jobs: jobs.filter(state=ExportJob.State.FAILED),
        query={"state__exact": ExportJob.State.FAILED},
        order=70,
    )
)
