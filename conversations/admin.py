"""The clerk's side of conversations: the list of threads (unanswered first, oldest first),
filterable by service group, status and assignee, with 'Piešķirt man'; a thread's page shows the
conversation and takes a reply with attachments; a new conversation is started from the add page.
Opening a thread marks the client's messages read by VZD. Every message goes through
conversations.services.post_message, as the client's do."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from conversations import services
from conversations.forms import MultipleFileField, MultipleFileInput, check_attachments
from conversations.models import Attachment, Thread
from manskonts import desk
from manskonts.admin_titles import LatvianTitlesMixin
from manskonts.storage import content_disposition, open_stored
from manskonts.templatetags.manskonts import file_size, lv
from manskonts.validation import ACCEPT_ATTRIBUTE
from orders.models import Order, ServiceGroup


class ServiceGroupFilter(admin.SimpleListFilter):
    title = _("pakalpojumu grupa")
    parameter_name = "grupa"

    def lookups(self, request, model_admin):
        return [(str(g.pk), lv(g.name)) for g in ServiceGroup.objects.order_by("name", "pk")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        return queryset.filter(
            Q(eservice__service__group_id=value) | Q(order__parts__service__group_id=value)
        ).distinct()


class ThreadForm(forms.ModelForm):
    reply_text = forms.CharField(
        label=_("Atbilde klientam"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        required=False,
        help_text=_("Klients redz Jūsu vārdu: „VZD — %(name)s”."),
    )
    reply_files = MultipleFileField(
        label=_("Pielikumi"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("Nav obligāti; līdz %(count)s datnēm. Pielikumus glabājam 90 dienas.")
        % {"count": services.MAX_ATTACHMENTS},
    )

    class Meta:
        model = Thread
        fields = ("assignee",)

    def __init__(self, *args, clerk=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clerk is not None:
            name = services.author_name(clerk, from_staff=True)
            self.fields["reply_text"].help_text = _(
                "Klients redz Jūsu vārdu: „VZD — %(name)s”."
            ) % {"name": name or "—"}

    def clean_reply_text(self) -> str:
        text = self.cleaned_data.get("reply_text", "")
        return services.check_text(text) if text.strip() else ""

    def clean_reply_files(self):
        return check_attachments(self.cleaned_data.get("reply_files") or [])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reply_files") and not cleaned.get("reply_text"):
            self.add_error("reply_text", _("Uzrakstiet ziņu, kurai pievienot pielikumus."))
        return cleaned


class ThreadAddForm(ThreadForm):
    # By its number, as clerks name orders (and a role that reads only order parts can type it).
    order = forms.ModelChoiceField(
        queryset=Order.objects.all(),
        to_field_name="number",
        required=False,
        label=_("Pasūtījuma Nr."),
        widget=forms.TextInput(attrs={"size": 14}),
        error_messages={"invalid_choice": _("Pasūtījums ar šādu numuru nav atrasts.")},
    )

    class Meta:
        model = Thread
        fields = ("order", "eservice", "assignee")

    def clean_reply_text(self) -> str:
        return services.check_text(self.cleaned_data.get("reply_text", ""))

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("order")) == bool(cleaned.get("eservice")):
            raise ValidationError(
                _("Izvēlieties vai nu pasūtījumu, vai e-pakalpojumu (tieši vienu).")
            )
        return cleaned

    def validate_unique(self):
        """A thread that exists already gets the message (post_message finds it)."""


@admin.register(Thread)
class ThreadAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "sarunu")
    form = ThreadForm
    list_display = (
        "__str__",
        "client",
        "status",
        "waiting_since",
        "unread",
        "last_message_at",
        "assignee",
    )
    list_filter = (
        ServiceGroupFilter,
        "status",
        ("assignee", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("client", "assignee", "order", "eservice")
    search_fields = ("order__number", "client__name", "messages__text")
    raw_id_fields = ("eservice",)
    # Unanswered first, the oldest of them first; then the most recent conversations.
    ordering = (F("waiting_since").asc(nulls_last=True), "-last_message_at", "-id")
    actions = ["assign_to_me"]
    change_readonly = ("target_link", "client", "status", "waiting_since", "conversation")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                unread_count=Count(
                    "messages",
                    filter=Q(messages__from_staff=False, messages__read_at__isnull=True),
                    distinct=True,
                )
            )
        )

    @admin.display(description=_("nelasītas"), ordering="unread_count")
    def unread(self, thread):
        return thread.unread_count

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ThreadForm if obj is not None else ThreadAddForm
        base = super().get_form(request, obj, change=change, **kwargs)

        class WithClerk(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, clerk=request.user, **kw)

        WithClerk.__name__ = base.__name__
        return WithClerk

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("order", "eservice", "assignee", "reply_text", "reply_files")
        if self.has_change_permission(request, obj):
            return (*self.change_readonly, "assignee", "reply_text", "reply_files")
        return (*self.change_readonly, "assignee")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return self.change_readonly

    @admin.display(description=_("par ko"))
    def target_link(self, thread):
        if thread.order_id:
            # the order's parts: what both roles working with clients may open
            url = reverse("admin:orders_orderpart_changelist") + f"?q={thread.order.number}"
        else:
            url = reverse("admin:eservices_eservice_change", args=[thread.eservice_id])
        return format_html('<a href="{}">{}</a>', url, thread.target)

    @admin.display(description=_("saruna"))
    def conversation(self, thread):
        shown = services.thread_messages(thread)
        if not shown:
            return "—"
        return format_html_join(
            "",
            '<article class="mk-admin-message"><h3>{} <small><time datetime="{}">{}</time>'
            " — {}</small></h3><p>{}</p>{}</article>",  # the text escaped, its lines kept
            (
                (
                    message.shown_author,
                    message.created_at.isoformat(),
                    _when(message.created_at),
                    _read_state(message),
                    linebreaksbr(message.text, autoescape=True),
                    self._files(thread, message),
                )
                for message in shown
            ),
        )

    def _files(self, thread, message):
        files = list(message.attachments.all())
        if not files:
            return ""
        items = format_html_join(
            "",
            "<li>{}</li>",
            (
                (
                    format_html("{} ({})", f.original_name, gettext("dzēsta pēc 90 dienām"))
                    if f.is_deleted
                    else format_html(
                        '<a href="{}">{}</a> ({})',
                        reverse("admin:conversations_thread_attachment", args=[thread.pk, f.pk]),
                        f.original_name,
                        file_size(f.size),
                    ),
                )
                for f in files
            ),
        )
        return format_html("<ul>{}</ul>", items)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and object_id and object_id.isdigit():
            thread = Thread.objects.filter(pk=object_id).first()
            if thread is not None and self.has_view_permission(request, thread):
                services.mark_read_by_staff(thread)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "assignee" in form.changed_data:
                super().save_model(request, obj, form, change)
            if data.get("reply_text"):
                services.post_message(
                    obj.target,
                    by=request.user,
                    text=data["reply_text"],
                    files=data.get("reply_files") or [],
                    from_staff=True,
                )
            return
        message = services.post_message(
            data["order"] or data["eservice"],
            by=request.user,
            text=data["reply_text"],
            files=data.get("reply_files") or [],
            from_staff=True,
        )
        thread = message.thread
        if data.get("assignee") and thread.assignee_id != data["assignee"].pk:
            services.assign([thread], data["assignee"])
        obj.pk, obj.client_id = thread.pk, thread.client_id
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # a conversation is on the record

    @admin.action(description=_("Piešķirt man"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/conversations/assign_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Piešķirt man"),
                    "objects": queryset.select_related("client", "assignee", "order"),
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        changed = services.assign(queryset.order_by("pk"), request.user)
        self.message_user(
            request,
            ngettext("Jums piešķirta %(n)d saruna.", "Jums piešķirtas %(n)d sarunas.", changed)
            % {"n": changed},
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/pielikums/<int:attachment_pk>/",
                self.admin_site.admin_view(self.attachment_view),
                name="conversations_thread_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, pk, attachment_pk):
        """A staff member who may see the thread downloads its attachment."""
        thread = get_object_or_404(Thread, pk=pk)
        if not self.has_view_permission(request, thread):
            raise PermissionDenied
        item = get_object_or_404(Attachment, pk=attachment_pk, message__thread=thread)
        source = open_stored(item.file.name, item.file.storage) if item.file else None
        if source is None:
            raise Http404
        response = FileResponse(source, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition(item.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _read_state(message) -> str:
    if message.read_at is None:
        return gettext("nav izlasīta")
    return gettext("izlasīta %(at)s") % {"at": _when(message.read_at)}


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def unanswered(threads):
    return threads.filter(status=Thread.Status.WAITING)


desk.register(
    desk.DeskItem(
        key="messages_unanswered",
        label=_("Neatbildētas klientu ziņas"),
        model="conversations.Thread",
        rows=unanswered,
        query={"status__exact": Thread.Status.WAITING},
        order=17,
    )
)
