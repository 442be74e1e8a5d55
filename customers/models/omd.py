"""The manufacturer system's (OMD) invoice records and the imports that bring them in."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models.records import VisibleToRolesQuerySet


class OmdImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Who may see the imports (their files and error reports) is the role table's to say
        # (dealership_cs.permissions.ROLE_PERMISSIONS: the administrators).
        return self if user.has_perm("customers.view_omdimport") else self.none()

    def claimable(self, running: str):
        """The imports a worker may claim to run the step done in `running` (a conditional UPDATE's WHERE)."""
        return self.filter(status=OmdImport.CLAIMED_FROM[running], attempts__lt=OmdImport.MAX_ATTEMPTS)

    def stale(self, now: datetime | None = None):
        """Running imports whose worker has not been heard of for longer than OMD_IMPORT_STALE_SECONDS."""
        return self.filter(status__in=OmdImport.RUNNING, heartbeat_at__lt=OmdImport.stale_before(now))

    def cancellable(self, now: datetime | None = None):
        """Imports an administrator may cancel: waiting ones, and running ones whose worker is gone."""
        return self.filter(
            Q(status__in=OmdImport.CANCELLABLE)
            | Q(status__in=OmdImport.RUNNING, heartbeat_at__lt=OmdImport.stale_before(now))
        )


class OmdImportStatus(models.TextChoices):
    """An import's states: one per state, so a status never needs another field to be read."""

    QUEUED = "queued", _("Queued")  # uploaded, waiting for a worker to check it
    VALIDATING = "validating", _("Validating")
    PREVIEWED = "previewed", _("Previewed")  # waiting for an administrator's confirmation
    CONFIRMED = "confirmed", _("Confirmed")  # confirmed, waiting for a worker to import it
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


_S = OmdImportStatus
# A worker owns the import in a running state and beats `heartbeat_at` while it works.
RUNNING = (_S.VALIDATING, _S.IMPORTING)
# Waiting for a worker (the tasks are queued).
WAITING = (_S.QUEUED, _S.CONFIRMED)
FINISHED = (_S.DONE, _S.FAILED, _S.CANCELLED)
CANCELLABLE = (_S.QUEUED, _S.PREVIEWED, _S.CONFIRMED)
# The states in which the import has been confirmed, and those in which it cannot have been.
CONFIRMED_STATES = (_S.CONFIRMED, _S.IMPORTING, _S.DONE)
UNCONFIRMED_STATES = (_S.QUEUED, _S.VALIDATING, _S.PREVIEWED)


def _values(states) -> list[str]:
    return [state.value for state in states]


class OmdImport(models.Model):
    """One uploaded OMD export file and its way through validate → preview → confirm → import."""

    Status = OmdImportStatus
    RUNNING = RUNNING
    WAITING = WAITING
    FINISHED = FINISHED
    CANCELLABLE = CANCELLABLE
    # Each running state is claimed from one waiting state (a conditional UPDATE: a task delivered
    # twice finds nothing to claim); an import whose worker stops beating is handed back to it.
    CLAIMED_FROM = {_S.VALIDATING: _S.QUEUED, _S.IMPORTING: _S.CONFIRMED}
    # Claims (worker steps) per confirmation before the import is failed.
    MAX_ATTEMPTS = 3

    file = models.FileField(_("file"), upload_to="omd/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(_("check only"), default=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    voided = models.PositiveIntegerField(_("voided"), default=0)
    # Rows that would bring back values a later import replaced (an older export imported
    # again): left as stored unless the administrator confirmed with allow_revert.
    reverted = models.PositiveIntegerField(_("reverts held back"), default=0)
    allow_revert = models.BooleanField(_("revert anyway"), default=False)
    # The file's accepted rows whose invoice date falls in a frozen accuracy month, and those
    # months ("YYYY-MM"): the reconciliation does not look at them until a month is reopened.
    frozen_rows = models.PositiveIntegerField(_("rows in frozen months"), default=0)
    frozen_months = models.JSONField(_("frozen months"), default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The file's header row as read (every cell as text) and, for each recognised column key,
    # its index in that row: the error report reproduces rows under their own headers, and a
    # column the file lacks is neither compared nor overwritten by the import.
    headers = models.JSONField(_("headers"), default=list, blank=True)
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Beaten by the worker every OMD_IMPORT_HEARTBEAT_SECONDS while the import runs; a running
    # import not heard of for OMD_IMPORT_STALE_SECONDS lost its worker (omd_imports_requeue_stale).
    heartbeat_at = models.DateTimeField(_("last heard of the worker"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = OmdImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("OMD import")
        verbose_name_plural = _("OMD imports")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["status"], name="omdimport_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=_S.values), name="omdimport_status_known"),
            # Confirmed, importing and done imports were confirmed; the earlier states were not.
            models.CheckConstraint(
                condition=~Q(status__in=_values(CONFIRMED_STATES)) | Q(confirmed_at__isnull=False),
                name="omdimport_confirmed_states_confirmed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_values(UNCONFIRMED_STATES)) | Q(confirmed_at__isnull=True),
                name="omdimport_early_states_unconfirmed",
            ),
            # A check-only upload is never imported.
            models.CheckConstraint(
                condition=Q(dry_run=False) | Q(confirmed_at__isnull=True), name="omdimport_check_only_unconfirmed"
            ),
            # A running import has its worker's heartbeat; a finished one, and only it, its end.
            models.CheckConstraint(
                condition=~Q(status__in=_values(RUNNING)) | Q(heartbeat_at__isnull=False),
                name="omdimport_running_has_heartbeat",
            ),
            models.CheckConstraint(
                condition=Q(status__in=_values(FINISHED), finished_at__isnull=False)
                | (~Q(status__in=_values(FINISHED)) & Q(finished_at__isnull=True)),
                name="omdimport_finished_iff_finished_at",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="omdimport_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("customers:omdimport_detail", args=[self.pk])

    @staticmethod
    def stale_before(now: datetime | None = None) -> datetime:
        """A running import whose last heartbeat is older than this has lost its worker."""
        return (now or timezone.now()) - timedelta(seconds=settings.OMD_IMPORT_STALE_SECONDS)

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def stuck(self) -> bool:
        """Running, but its worker has not been heard of for too long (killed, or its machine gone)."""
        return self.running and self.heartbeat_at is not None and self.heartbeat_at < self.stale_before()

    @property
    def cancellable(self) -> bool:
        return self.status in self.CANCELLABLE or self.stuck


class OmdInvoice(models.Model):
    """An invoice (retail) record as the manufacturer's OMD system holds it."""

    # Unique through Meta.constraints rather than unique=True: the same index, without the
    # varchar_pattern_ops copy PostgreSQL gets for unique CharFields (numbers are only ever
    # looked up whole), which every import would maintain for nothing.
    invoice_number = models.CharField(_("invoice number"), max_length=20)
    invoice_date = models.DateField(_("invoice date"))
    customer_name = models.CharField(_("customer name"), max_length=100)
    customer_name_key = models.CharField(_("customer name key"), max_length=100, editable=False)
    phone = models.CharField(_("phone"), max_length=13, blank=True)
    vin = models.CharField(_("VIN"), max_length=17)
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    consultant_name = models.CharField(_("sales consultant"), max_length=50, blank=True)
    dealer_code = models.CharField(_("dealer code"), max_length=20, blank=True)
    entered_at = models.DateField(_("entered in OMD"), null=True, blank=True)
    # What a red-letter invoice names as the invoice it voids, when the export says so.
    original_invoice_number = models.CharField(_("original invoice number"), max_length=20, blank=True)
    voided = models.BooleanField(_("voided"), default=False)
    # A red-letter invoice (negative amount) voids an earlier one; both are kept. Indexed only
    # where set (Meta.indexes): about one invoice in a thousand. No database constraint: it would
    # queue a check for every invoice an import inserts (run at commit even when empty), and the
    # import sets it only to an invoice it has just joined; Django nulls it on delete.
    voided_by = models.ForeignKey(
        "self",
        verbose_name=_("voided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="voids",
        db_index=False,
        db_constraint=False,
    )
    # Every invoice an import writes points at it: the database's own check of that reference
    # (one per row, at commit) cost an import of 200,000 invoices a second for a row the same
    # transaction has just read. Django still nulls it when an import is deleted.
    batch = models.ForeignKey(
        OmdImport,
        verbose_name=_("last written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The history is read per invoice (by id) and by date; an import writes a history row per
    # invoice, so its other columns are not indexed (each index costs every import), and the
    # user is not checked by the database (a check per row at commit; Django nulls it on delete).
    history = HistoricalRecords(
        excluded_fields=["customer_name_key"], no_db_index=["voided_by", "batch"], user_db_constraint=False
    )
    objects = VisibleToRolesQuerySet.as_manager()

    class Meta:
        verbose_name = _("OMD invoice")
        verbose_name_plural = _("OMD invoices")
        ordering = ["-invoice_date", "-id"]
        indexes = [
            # The reconciliation pairs archives with invoices by number, then by VIN.
            models.Index(fields=["vin"], name="omdinvoice_vin_idx"),
            models.Index(fields=["invoice_date"], name="omdinvoice_date_idx"),
            models.Index(
                fields=["voided_by"], condition=models.Q(voided_by__isnull=False), name="omdinvoice_voided_by_idx"
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["invoice_number"], name="omdinvoice_number_unique")]

    def __str__(self) -> str:
        return self.invoice_number

    @property
    def is_red_letter(self) -> bool:
        return self.amount < 0


class OmdStagedRow(models.Model):
    """One data row of an uploaded file, read and validated, waiting for preview and import.

    The preview and the import run on these same rows, so they can never disagree.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        UNCHANGED = "unchanged", _("unchanged")
        REPEAT = "repeat", _("repeat in the file")
        REJECTED = "rejected", _("rejected")
        # Would bring back values that a later import replaced: held back unless allowed.
        REVERT = "revert", _("revert (held back)")

    # Indexed by the (omd_import, …) indexes below; a separate index would only slow down staging.
    # No database constraint: staging writes a row per line of the file, and the database's check
    # of each (at every chunk's commit) cost as much as a third of the writing; the rows are
    # written only by stage.py, for an import it has just read, and Django deletes them with it.
    omd_import = models.ForeignKey(
        OmdImport, on_delete=models.CASCADE, related_name="staged_rows", db_index=False, db_constraint=False
    )
    row_number = models.PositiveIntegerField()
    invoice_number = models.CharField(max_length=20, blank=True)
    invoice_date = models.DateField(null=True)
    customer_name = models.CharField(max_length=100, blank=True)
    customer_name_key = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=13, blank=True)
    vin = models.CharField(max_length=17, blank=True)
    model_name = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    consultant_name = models.CharField(max_length=50, blank=True)
    dealer_code = models.CharField(max_length=20, blank=True)
    entered_at = models.DateField(null=True)
    original_invoice_number = models.CharField(max_length=20, blank=True)
    # Set at staging for rejected rows and repeats; "" for an accepted row, whose create /
    # update / unchanged is decided against the invoices as they are (customers.omd.plan).
    action = models.CharField(max_length=10, choices=Action.choices, blank=True)
    # The red-letter pair this row takes part in, recomputed by every classification: the
    # invoice this red-letter row voids, or the stored red-letter invoice that voids this row.
    voids_number = models.CharField(max_length=20, blank=True)
    voided_by_number = models.CharField(max_length=20, blank=True)
    # Set by the classification on an accepted row whose values equal an earlier version of its
    # stored invoice (an older export imported again): the import whose newer values the row would
    # revert (0 when the history does not say). Such a row is held back, unless the administrator
    # confirmed with allow_revert, and counts as neither in the file nor written.
    reverts_import_id = models.BigIntegerField(null=True, blank=True)
    # [{"column": header, "value": text, "reason": message}]; empty when the row is good.
    errors = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("staged OMD row")
        verbose_name_plural = _("staged OMD rows")
        indexes = [
            models.Index(fields=["omd_import", "row_number"], name="omdstaged_row_idx"),
            models.Index(fields=["omd_import", "invoice_number"], name="omdstaged_number_idx"),
            # The few rows that take part in a red-letter pair, found without scanning the import.
            models.Index(
                fields=["omd_import"],
                condition=models.Q(voids_number__gt="") | models.Q(voided_by_number__gt=""),
                name="omdstaged_pairs_idx",
            ),
            # The few held-back reverts, listed by the preview without scanning the import.
            models.Index(
                fields=["omd_import"], condition=models.Q(reverts_import_id__isnull=False), name="omdstaged_reverts_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.omd_import_id}:{self.row_number}"
