"""Demo data of the organisation: the sales consultants and service advisors records point to."""

from dealership_cs.models import Staff

DEMO_STAFF = [
    ("S001", "刘洋", Staff.Department.SALES, Staff.Position.SALES_CONSULTANT),
    ("S002", "陈静", Staff.Department.SALES, Staff.Position.SALES_CONSULTANT),
    ("S003", "杨帆", Staff.Department.SALES, Staff.Position.SALES_CONSULTANT),
    ("S004", "赵磊", Staff.Department.SALES, Staff.Position.SALES_CONSULTANT),
    ("S005", "黄丽", Staff.Department.SALES, Staff.Position.SALES_CONSULTANT),
    ("F001", "周强", Staff.Department.SERVICE, Staff.Position.SERVICE_ADVISOR),
    ("F002", "吴敏", Staff.Department.SERVICE, Staff.Position.SERVICE_ADVISOR),
    ("F003", "孙浩", Staff.Department.SERVICE, Staff.Position.SERVICE_ADVISOR),
    ("K001", "张婷", Staff.Department.CUSTOMER_SERVICE, Staff.Position.CUSTOMER_SERVICE),
    ("K002", "李娜", Staff.Department.CUSTOMER_SERVICE, Staff.Position.CALLBACK_AGENT),
    ("K003", "王芳", Staff.Department.CUSTOMER_SERVICE, Staff.Position.MANAGER),
]


def load() -> str:
    created = 0
    for number, name, department, position in DEMO_STAFF:
        _staff, was_created = Staff.objects.get_or_create(
            employee_number=number, defaults={"name": name, "department": department, "position": position}
        )
        created += was_created
    return f"staff created={created} total={Staff.objects.count()}"
