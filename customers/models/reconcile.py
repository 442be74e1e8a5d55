"""Discrepancies between the closed-deal archives and the OMD invoices, found by the nightly reconciliation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models.omd import OmdInvoice
from customers.models.records import SalesArchive, VisibleToRolesQuerySet
from dealership_cs.models import Staff


class Discrepancy(models.Model):
    """One mismatch between an archive and OMD, kept across nightly runs with the staff's work on it."""

    class Type(models.TextChoices):
        MISSING_IN_OMD = "missing_in_omd", _("Missing in OMD")
        LATE_INVOICE = "late_invoice", _("Late invoice")
        NAME_MISMATCH = "name_mismatch", _("Name mismatch")
        AMOUNT_MISMATCH = "amount_mismatch", _("Amount mismatch")
        INVOICE_NUMBER_MISMATCH = "invoice_number_mismatch", _("Invoice number mismatch")
        ARCHIVE_MISSING = "archive_missing", _("Archive missing")
        VOIDED_INVOICE = "voided_invoice", _("Voided invoice")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        # Closed by the reconciliation itself: the data no longer disagrees.
        CLOSED = "closed", _("Closed")

    # "<type>:<archive id or 0>:<invoice id or 0>": one row per finding, so a re-run updates it.
    # Unique through Meta.constraints: the same index without the varchar_pattern_ops copy that
    # unique=True adds on PostgreSQL (keys are only looked up whole).
    key = models.CharField(max_length=60, editable=False)
    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    # The nightly run writes hundreds of thousands of rows at once, all pointing at rows it has
    # just read in the same transaction; the database's own foreign-key checks (one per row and
    # key, at commit) doubled its time. Django still cascades and nulls on delete.
    archive = models.ForeignKey(
        SalesArchive,
        verbose_name=_("archive"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="discrepancies",
        db_constraint=False,
    )
    invoice = models.ForeignKey(
        OmdInvoice,
        verbose_name=_("OMD invoice"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="discrepancies",
        db_constraint=False,
    )
    # The archive's delivery month, or the invoice's month for an invoice without archive.
    month = models.DateField(_("month"))
    # Indexed by discrepancy_consultant_idx (consultant, month).
    consultant = models.ForeignKey(
        Staff,
        verbose_name=_("sales consultant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    archive_value = models.CharField(_("archive's value"), max_length=200, blank=True)
    omd_value = models.CharField(_("OMD's value"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # Set on the few rows staff work on: indexed there only (Meta.indexes). No database constraint
    # on these two either: PostgreSQL would queue a check for every row the nightly run inserts
    # (run at commit even though the value is empty); Django nulls them on delete.
    assignee = models.ForeignKey(
        Staff,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first found"))
    last_seen_at = models.DateTimeField(_("last found"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = VisibleToRolesQuerySet.as_manager()

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["-month", "type", "id"]
        indexes = [
            models.Index(fields=["month", "status"], name="discrepancy_month_idx"),
            models.Index(fields=["consultant", "month"], name="discrepancy_consultant_idx"),
            models.Index(fields=["status", "type"], name="discrepancy_status_idx"),
            models.Index(fields=["assignee"], condition=Q(assignee__isnull=False), name="discrepancy_assignee_idx"),
            models.Index(
                fields=["resolved_by"], condition=Q(resolved_by__isnull=False), name="discrepancy_resolved_by_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="discrepancy_key_unique"),
            models.CheckConstraint(
                condition=Q(archive__isnull=False) | Q(invoice__isnull=False), name="discrepancy_points_to_a_record"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="discrepancy_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("customers:discrepancy_detail", args=[self.pk])
