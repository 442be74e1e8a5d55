"""A demo OMD invoice export matching the demo archives, with the errors the reconciliation is for.

Most invoices agree with their archive; a few are late, carry another name, amount or number,
are missing, or were voided by a red-letter invoice; a few invoices have no archive. The export
is written as a GB18030 CSV, as Chinese Excel saves it, and imported through the real pipeline.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from decimal import Decimal

from customers.models import OmdImport, SalesArchive
from customers.validators import vin_with_check_digit

SEED = 20110901
FILE_NAME = "OMD零售发票导出-演示.csv"
HEADER = ["发票号码", "开票日期", "客户名称", "联系电话", "车架号", "车型", "价税合计", "销售顾问", "经销商代码"]
DEALER = "SVW37120"


def _rows(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    archives = SalesArchive.objects.select_related("vehicle", "consultant").order_by("id")
    extra_number = 90000000
    for archive in archives:
        roll = rng.random()
        if roll < 0.03:
            continue  # never reached OMD: missing_in_omd
        number, day, name = archive.invoice_number, archive.invoice_date, archive.invoice_name
        amount = archive.invoice_amount
        if roll < 0.07:
            day = archive.delivery_date + timedelta(days=rng.randint(5, 20))  # late
        elif roll < 0.10:
            name = name[0] + "某" if len(name) <= 3 else name[:-1]  # a typo in the name
        elif roll < 0.12:
            amount = amount - Decimal(rng.choice([1000, 2000, 5000]))  # a discount not on the archive
        elif roll < 0.14:
            extra_number += 1
            number = f"{extra_number:08d}"  # the archive carries a wrong invoice number
        rows.append(
            [
                number,
                day.isoformat(),
                name,
                archive.archive_phone,
                archive.vehicle.vin,
                archive.vehicle.model_name,
                f"¥{amount:,.2f}",
                archive.consultant.name,
                DEALER,
            ]
        )
        if 0.14 <= roll < 0.15:
            # Voided by a red-letter invoice, then invoiced again correctly.
            extra_number += 1
            rows.append(
                [
                    f"{extra_number:08d}",
                    (day + timedelta(days=2)).isoformat(),
                    name,
                    archive.archive_phone,
                    archive.vehicle.vin,
                    archive.vehicle.model_name,
                    f"-{amount:.2f}",
                    archive.consultant.name,
                    DEALER,
                ]
            )
    for n in range(6):  # sold and invoiced, but no consultant handed in an archive
        extra_number += 1
        vin = vin_with_check_digit(f"LSVAU2180C2{n + 1:06d}")
        rows.append(
            [
                f"{extra_number:08d}",
                f"2011-12-{10 + n}",
                "王某某",
                "13905349999",
                vin,
                "朗逸",
                "129800.00",
                "刘洋",
                DEALER,
            ]
        )
    rows.append(["合计", "", "", "", "", "", "", "", ""])
    return rows


def load() -> str:
    if OmdImport.objects.filter(file_name=FILE_NAME).exists():
        return "omd invoices already loaded"
    if not SalesArchive.objects.exists():
        return "no archives, no OMD export"
    from customers.omd.service import omd_import_run

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["上海大众 OMD 零售发票导出"])
    writer.writerow(HEADER)
    writer.writerows(_rows(random.Random(SEED)))
    data = buffer.getvalue().encode("gb18030")
    omd_import = omd_import_run(source=io.BytesIO(data), file_name=FILE_NAME)
    return (
        f"omd created={omd_import.created} voided={omd_import.voided} rejected={omd_import.rejected} "
        f"(OMD import #{omd_import.pk})"
    )
