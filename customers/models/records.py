"""Customer records: customers, vehicles, closed-deal archives, service visits, and their audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.validators import (
    name_key,
    validate_invoice_number,
    validate_phone,
    validate_plate,
    validate_vin,
)
from dealership_cs.models import Staff
from dealership_cs.permissions import has_any_role


class VisibleToRolesQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Customer records are the department's shared book: every role reads them, and only
        # the role table decides who may change them.
        return self if has_any_role(user) else self.none()


class ImportBatch(models.Model):
    """One bulk write (an import) that touched many rows at once: the audit row for all of them."""

    class Kind(models.TextChoices):
        LEDGER = "ledger", _("Archive ledger import")
        OMD = "omd", _("OMD invoice import")
        VISITS = "visits", _("Repair-order import")
        OTHER = "other", _("Other bulk change")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = VisibleToRolesQuerySet.as_manager()

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.file_name}"


class CustomerQuerySet(VisibleToRolesQuerySet):
    def with_phone(self, phone: str):
        return self.filter(Q(mobile=phone) | Q(phone2=phone))


class Customer(models.Model):
    """A person or company the dealership serves (buyer, invoice holder, service customer)."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        UNKNOWN = "U", _("Unknown")

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        COMPANY = "company", _("Company")

    class Source(models.TextChoices):
        SALES = "sales", _("Sales")
        SERVICE = "service", _("Service")
        IMPORT = "import", _("Import")
        EVENT = "event", _("Event")

    name = models.CharField(_("name"), max_length=100)
    # The comparison form of the name (NFKC, no spaces): duplicates and reconciliation use it.
    name_key = models.CharField(_("name key"), max_length=100, editable=False, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=13, blank=True, validators=[validate_phone])
    phone2 = models.CharField(_("second phone"), max_length=13, blank=True, validators=[validate_phone])
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.INDIVIDUAL)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.SALES)
    do_not_call = models.BooleanField(_("do not call"), default=False)
    do_not_call_reason = models.CharField(_("do-not-call reason"), max_length=200, blank=True)
    do_not_call_since = models.DateField(_("do not call since"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import batch"), on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["name_key"])
    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        permissions = [("merge_customer", _("Can merge duplicate customers"))]
        indexes = [
            models.Index(fields=["mobile"], name="customer_mobile_idx"),
            models.Index(fields=["phone2"], name="customer_phone2_idx"),
            # "尾号" search: the last four digits of the mobile.
            models.Index(Right("mobile", 4), name="customer_mobile_tail_idx"),
            models.Index(fields=["-created_at", "-id"], name="customer_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(do_not_call=True) | Q(do_not_call_reason=""),
                name="customer_dnc_reason_only_when_dnc",
                violation_error_message=_("A do-not-call reason is kept only while the customer is not to be called."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A derived column, not a rule: kept in step with the name wherever the row is written.
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.pk])


class Vehicle(models.Model):
    """A car identified by its VIN: its plate, model, delivery date, invoice holder and contact."""

    vin = models.CharField(_("VIN"), max_length=17, unique=True, validators=[validate_vin])
    plate = models.CharField(_("plate"), max_length=8, blank=True, db_index=True, validators=[validate_plate])
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    colour = models.CharField(_("colour"), max_length=30, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    holder = models.ForeignKey(
        Customer,
        verbose_name=_("invoice holder"),
        on_delete=models.PROTECT,
        related_name="vehicles",
        null=True,
        blank=True,
    )
    user_name = models.CharField(_("user / contact person"), max_length=100, blank=True)
    user_phone = models.CharField(_("contact phone"), max_length=13, blank=True, validators=[validate_phone])
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import batch"), on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = VisibleToRolesQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Customers read out the last 6 or 8 characters of the VIN on the phone.
            models.Index(Right("vin", 6), name="vehicle_vin_tail6_idx"),
            models.Index(Right("vin", 8), name="vehicle_vin_tail8_idx"),
            models.Index(fields=["user_phone"], name="vehicle_user_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.vin} {self.plate}".strip()

    def get_absolute_url(self) -> str:
        return reverse("customers:vehicle_detail", args=[self.pk])


class SalesArchive(models.Model):
    """A closed-deal archive (成交客户档案) a sales consultant hands in: buyer, car and invoice."""

    vehicle = models.OneToOneField(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, related_name="sales_archive"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales_archives"
    )
    consultant = models.ForeignKey(
        Staff, verbose_name=_("sales consultant"), on_delete=models.PROTECT, related_name="sales_archives"
    )
    deal_date = models.DateField(_("deal date"), null=True, blank=True)
    delivery_date = models.DateField(_("delivery date"))
    invoice_number = models.CharField(
        _("invoice number"), max_length=20, db_index=True, validators=[validate_invoice_number]
    )
    invoice_date = models.DateField(_("invoice date"))
    invoice_amount = models.DecimalField(_("invoice amount"), max_digits=12, decimal_places=2)
    invoice_name = models.CharField(_("name on the invoice"), max_length=100)
    invoice_name_key = models.CharField(_("invoice name key"), max_length=100, editable=False)
    archive_phone = models.CharField(_("phone on the archive"), max_length=13, blank=True, validators=[validate_phone])
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import batch"), on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["invoice_name_key"])
    objects = VisibleToRolesQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed-deal archive")
        verbose_name_plural = _("closed-deal archives")
        ordering = ["-delivery_date", "-id"]
        indexes = [
            # The nightly reconciliation groups archives by delivery month.
            models.Index(fields=["delivery_date"], name="archive_delivery_idx"),
            models.Index(fields=["consultant", "delivery_date"], name="archive_consultant_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice_amount__gte=0),
                name="archive_amount_not_negative",
                violation_error_message=_("An archive's invoice amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_name} {self.invoice_number}"

    def save(self, *args, **kwargs):
        self.invoice_name_key = name_key(self.invoice_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("customers:archive_detail", args=[self.pk])


class ServiceVisit(models.Model):
    """A service visit (repair order): the car's stay in the workshop."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance")
        REPAIR = "repair", _("Repair")
        WARRANTY = "warranty", _("Warranty")
        ACCIDENT = "accident", _("Accident")
        OTHER = "other", _("Other")

    ro_number = models.CharField(_("RO number"), max_length=30, unique=True)
    vehicle = models.ForeignKey(Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, related_name="visits")
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="visits", null=True, blank=True
    )
    advisor = models.ForeignKey(
        Staff,
        verbose_name=_("service advisor"),
        on_delete=models.PROTECT,
        related_name="service_visits",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MAINTENANCE)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at (car left)"), null=True, blank=True)
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import batch"), on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = VisibleToRolesQuerySet.as_manager()

    class Meta:
        verbose_name = _("service visit")
        verbose_name_plural = _("service visits")
        ordering = ["-opened_at", "-id"]
        indexes = [
            # Service callbacks are queued from cars that left the workshop.
            models.Index(fields=["closed_at"], name="visit_closed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="visit_closed_after_opened",
                violation_error_message=_("The car cannot leave before it came in: check the closing time."),
            ),
        ]

    def __str__(self) -> str:
        return self.ro_number

    def get_absolute_url(self) -> str:
        return reverse("customers:visit_detail", args=[self.pk])


class CustomerMerge(models.Model):
    """The record of a duplicate customer merged into a surviving one: what it was and what moved."""

    survivor = models.ForeignKey(
        Customer, verbose_name=_("surviving customer"), on_delete=models.CASCADE, related_name="merges"
    )
    merged_customer_id = models.BigIntegerField(_("merged customer id"))
    merged_snapshot = models.JSONField(_("merged customer as it was"))
    moved = models.JSONField(_("moved records"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    merged_at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = VisibleToRolesQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"#{self.merged_customer_id} → #{self.survivor_id}"


class PhoneCorrection(models.Model):
    """A phone correction proposed (typically by a callback agent after a wrong-number call)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    class Field(models.TextChoices):
        MOBILE = "mobile", _("mobile")
        PHONE2 = "phone2", _("second phone")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="phone_corrections"
    )
    field = models.CharField(_("field"), max_length=10, choices=Field.choices, default=Field.MOBILE)
    old_value = models.CharField(_("old number"), max_length=13, blank=True)
    new_value = models.CharField(_("new number"), max_length=13, validators=[validate_phone])
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = VisibleToRolesQuerySet.as_manager()

    class Meta:
        verbose_name = _("phone correction")
        verbose_name_plural = _("phone corrections")
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["status", "-proposed_at"], name="phonefix_status_idx")]

    def __str__(self) -> str:
        return f"{self.customer} {self.old_value} → {self.new_value}"
