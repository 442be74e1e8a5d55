from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from dealership_cs.models import ExportRecord, JobLock, Staff

admin.site.site_header = _("Dealership customer service — administration")
admin.site.site_title = _("Customer-service administration")
admin.site.index_title = _("Administration")


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
    list_display = ["name", "department", "position", "employee_number", "active", "user"]
    list_filter = ["department", "position", "active"]
    search_fields = ["name", "employee_number", "phone"]
    raw_id_fields = ["user"]


@admin.register(JobLock)
class JobLockAdmin(admin.ModelAdmin):
    list_display = ["name", "holder", "acquired_at", "expires_at"]


# --------------------------------------------------------------------------
# Users and API tokens: the admin role manages people and their roles, never above its own rights
# --------------------------------------------------------------------------


def grantable_permissions(user) -> QuerySet[Permission]:
    """The permissions ``user`` may hand to others: those they hold themselves (all for a superuser)."""
    permissions = Permission.objects.all()
    if user.is_superuser:
        return permissions
    held = user.get_all_permissions()
    pks = [
        pk
        for pk, app_label, codename in permissions.values_list("pk", "content_type__app_label", "codename")
        if f"{app_label}.{codename}" in held
    ]
    return permissions.filter(pk__in=pks)


def grantable_groups(user) -> QuerySet[Group]:
    """The roles ``user`` may give: groups holding no permission beyond the user's own."""
    if user.is_superuser:
        return Group.objects.all()
    beyond = Permission.objects.exclude(pk__in=grantable_permissions(user).values("pk"))
    return Group.objects.exclude(permissions__in=beyond)


def outranks(editor, user) -> bool:
    """Only a superuser may change, delete or set the password of a superuser."""
    return user is not None and user.is_superuser and not editor.is_superuser


admin.site.unregister(User)


@admin.register(User)
class BoundedUserAdmin(UserAdmin):
    """Django's user admin, bounded for the admin role (is_staff, not superuser).

    A non-superuser cannot grant or remove superuser status, cannot edit, delete or change the
    password of a superuser, and can give only roles and individual permissions that lie within
    their own rights; what a user already holds beyond the editor's reach is kept as it is.
    """

    def has_change_permission(self, request, obj=None) -> bool:
        # Django's password view asks this too, so a superuser's password is covered.
        return not outranks(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # The bulk "delete selected" action asks per object and refuses the whole batch.
        return not outranks(request.user, obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ("is_superuser",)
        return readonly

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if request is not None and not request.user.is_superuser:
            if db_field.name == "user_permissions":
                kwargs["queryset"] = grantable_permissions(request.user).select_related("content_type")
            elif db_field.name == "groups":
                kwargs["queryset"] = grantable_groups(request.user)
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)

    def save_related(self, request, form, formsets, change) -> None:
        user = form.instance
        kept_permissions: list[Permission] = []
        kept_groups: list[Group] = []
        if change and not request.user.is_superuser:
            # The form offers only what the editor may grant; saving it must not silently strip
            # what a superuser granted beyond that.
            kept_permissions = list(
                user.user_permissions.exclude(pk__in=grantable_permissions(request.user).values("pk"))
            )
            kept_groups = list(user.groups.exclude(pk__in=grantable_groups(request.user).values("pk")))
        super().save_related(request, form, formsets, change)
        if kept_permissions:
            user.user_permissions.add(*kept_permissions)
        if kept_groups:
            user.groups.add(*kept_groups)


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class BoundedTokenAdmin(TokenAdmin):
    """API tokens: a non-superuser neither sees nor makes a superuser's token (it would act as them)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.exclude(user__is_superuser=True)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --------------------------------------------------------------------------
# The lock-out section (django-axes), in the site's language
# --------------------------------------------------------------------------

# django-axes ships no Chinese and names its app after the package ("Axes").
apps.get_app_config("axes").verbose_name = _("Login lock-out")

# Its own labels (model and field names, fieldset titles), named here so that `make messages`
# keeps their translations in our catalogue, which Django consults before any app's own.
AXES_LABELS = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
)


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Who exported which list with which filter: an audit trail, read only."""

    list_display = ["exported_at", "exported_by", "kind", "row_count", "query_string", "file_name"]
    list_filter = ["kind"]
    list_select_related = ["exported_by"]
    search_fields = ["exported_by__username", "query_string"]
    date_hierarchy = "exported_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
