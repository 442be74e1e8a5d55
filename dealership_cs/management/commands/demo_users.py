"""Create one demo login per role (embedded default only) and print their credentials."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dealership_cs.permissions import Role

DEMO_USERS = [
    # username, password, role, first name, last name, is_staff (Django admin access)
    ("staff", "demo-staff-2011", Role.CS_STAFF, "张", "客服", False),
    ("agent", "demo-agent-2011", Role.CALLBACK_AGENT, "李", "回访", False),
    ("manager", "demo-manager-2011", Role.MANAGER, "王", "经理", False),
    ("admin", "demo-admin-2011", Role.ADMIN, "赵", "管理员", True),
]


class Command(BaseCommand):
    help = "Create one demo user per role on the embedded default database and print them."

    def handle(self, *args, **options):
        engine = settings.DATABASES["default"]["ENGINE"]
        if not (settings.DEBUG and engine.endswith("sqlite3")):
            raise CommandError(_("Demo users are only created on the embedded default (DEBUG on, SQLite)."))
        User = get_user_model()
        self.stdout.write("Demo users (username / password / role):")
        for username, password, role, first, last, is_staff in DEMO_USERS:
            user, _created = User.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.is_staff = first, last, is_staff
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role.value)])
            self.stdout.write(f"  {username:<8} {password:<20} {role.label}")
