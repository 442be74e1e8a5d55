"""Shared organisation models: the dealership's people, job locks, the record of exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from dealership_cs.permissions import Role, has_any_role, has_role


class StaffQuerySet(models.QuerySet):
    def visible_to(self, user) -> StaffQuerySet:
        # The staff directory is shared reference data: every role reads it.
        return self if has_any_role(user) else self.none()

    def active(self) -> StaffQuerySet:
        return self.filter(active=True)

    def choosable(self, *, keep: int | None = None, **conditions) -> StaffQuerySet:
        """Whom a choice list offers: the active people meeting ``conditions``, plus ``keep``.

        A deactivated person leaves every choice list, but a record being edited keeps showing
        (and may keep) the person it already names: ``keep`` is that person's id.
        """
        offered = Q(active=True, **conditions)
        if keep is not None:
            offered |= Q(pk=keep)
        return self.filter(offered)

    def sales_consultants(self) -> StaffQuerySet:
        return self.filter(position=Staff.Position.SALES_CONSULTANT)

    def service_advisors(self) -> StaffQuerySet:
        return self.filter(position=Staff.Position.SERVICE_ADVISOR)


class Staff(models.Model):
    """A person of the dealership whom records point to (consultant, advisor, agent, manager)."""

    class Department(models.TextChoices):
        SALES = "sales", pgettext_lazy("department", "Sales")
        SERVICE = "service", pgettext_lazy("department", "After-sales service")
        CUSTOMER_SERVICE = "customer_service", pgettext_lazy("department", "Customer service")
        PARTS = "parts", _("Spare parts")
        MANAGEMENT = "management", _("Management")
        OTHER = "other", _("Other")

    class Position(models.TextChoices):
        SALES_CONSULTANT = "sales_consultant", _("Sales consultant")
        SERVICE_ADVISOR = "service_advisor", _("Service advisor")
        CALLBACK_AGENT = "callback_agent", _("Callback agent")
        CUSTOMER_SERVICE = "customer_service", _("Customer-service specialist")
        MANAGER = "manager", _("Manager")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=50)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices, default=Position.OTHER)
    employee_number = models.CharField(_("employee number"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["department", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"],
                condition=~Q(employee_number=""),
                name="staff_employee_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["name"], name="staff_name_idx")]

    def __str__(self) -> str:
        return self.name


class JobLock(models.Model):
    """A named lock that keeps two runs of the same job from overlapping (used where advisory locks are missing)."""

    name = models.CharField(max_length=100, unique=True)
    holder = models.CharField(max_length=200)
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self) -> str:
        return self.name


class ExportRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExportRecordQuerySet:
        # Who took which customers out of the system is an audit trail: administrators read it.
        return self if has_role(user, Role.ADMIN) else self.none()


class ExportRecord(models.Model):
    """One list exported to a file: who, when, which list with which filter and search, how many rows.

    Any export records itself with `export_record_create`; `kind` names the list (add a choice
    for a new one), `query_string` keeps the filter exactly as the page's address had it.
    """

    class Kind(models.TextChoices):
        CUSTOMER_LIST = "customer_list", _("Customer list")

    kind = models.CharField(_("export"), max_length=40, choices=Kind.choices)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    exported_at = models.DateTimeField(_("exported at"), default=timezone.now)
    query_string = models.TextField(_("filter (query string)"), blank=True)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    file_name = models.CharField(_("file name"), max_length=255)

    objects = ExportRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-exported_at", "-id"]
        # The admin's list: the latest exports first, optionally of one kind.
        indexes = [models.Index(fields=["kind", "-exported_at"], name="exportrecord_kind_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"
