"""Demo customer records: Dezhou customers, their Shanghai-Volkswagen cars, closed-deal archives and
service visits of 2010–2011, with the flaws the data-quality pages exist for.

One seeded generator makes the same records on every machine. Everything is written in one bulk
write whose ImportBatch ("demo data") is the audit row; finding that batch means the demo is
already loaded, so a second run creates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from customers.models import Customer, ImportBatch, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from customers.validators import name_key, vin_with_check_digit
from dealership_cs.models import Staff
from dealership_cs.permissions import Role

User = get_user_model()
SEED = 20110315
DEMO_NOTE = "demo data"
FIRST_DAY = date(2010, 1, 4)
LAST_DAY = date(2011, 12, 30)


@dataclass(frozen=True)
class CarModel:
    name: str
    vds: str  # VIN characters 4–8 (vehicle descriptor); made up, but shaped like SVW's
    prices: tuple[int, ...]  # list prices of the trims, CNY
    weight: int  # share of the dealership's sales
    since: int  # year of its launch in China: an older car cannot be this model


# Shanghai-Volkswagen's range of 2010–2011 (VW and Škoda badges); 朗逸 was the best seller.
CAR_MODELS = (
    CarModel("朗逸", "AE218", (119800, 129800, 139800, 149800, 169800), 30, 2008),
    CarModel("帕萨特领驭", "AB43D", (159800, 179800, 199800, 239800), 12, 2005),
    CarModel("途观", "UB45T", (199800, 229800, 259800, 289800), 10, 2010),
    CarModel("桑塔纳志俊", "AA113", (89800, 99800, 109800), 8, 2004),
    CarModel("桑塔纳", "AA13B", (75800, 79800, 82800), 3, 1985),
    CarModel("波罗", "PA415", (85800, 99800, 115800, 129800), 10, 2002),
    CarModel("途安", "TA233", (159800, 179800, 199800), 5, 2004),
    CarModel("明锐", "NB413", (129800, 149800, 169800), 13, 2007),
    CarModel("晶锐", "NJ316", (85900, 99900, 109900), 7, 2008),
    CarModel("昊锐", "NE438", (189800, 219800, 259800), 5, 2009),
)
COLOURS = "黑色 白色 银色 灰色 深灰色 香槟色 红色 蓝色".split()

SURNAMES = "王张李刘陈杨孙赵于马高徐宋田魏崔郭韩邢孔曹袁程吕贾周吴胡朱林何罗梁郑谢唐冯董"
MALE_GIVEN = (
    "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 峰 建国 建华 国强 志刚 海涛 宏伟 文斌 立新 振华 永刚 俊杰 晓东 "
    "金龙 德胜 学军 庆丰 长青 洪亮 树林 玉柱"
).split()
FEMALE_GIVEN = "静 丽 敏 燕 艳 娟 霞 芳 娜 玲 慧 颖 秀英 桂英 玉兰 海燕 晓红 丽华 淑芬 雪梅 春梅 美玲 红梅 婷婷".split()

# Dezhou: the city district first (most customers), then the counties and county-level cities.
DISTRICTS = (
    ("德州市德城区", 40),
    ("德州经济开发区", 12),
    ("陵县", 6),
    ("禹城市", 6),
    ("乐陵市", 6),
    ("临邑县", 5),
    ("平原县", 5),
    ("夏津县", 4),
    ("武城县", 4),
    ("齐河县", 5),
    ("庆云县", 3),
    ("宁津县", 4),
)
CITY_STREETS = "东方红路 三八路 湖滨大道 天衢路 解放路 新湖大街 大学路 德兴大道 东风路 长河大道 运河街 康博大道".split()
COUNTY_STREETS = "人民路 府前街 建设街 文化路 振华路 中心大街 迎宾路".split()
ESTATES = "锦绣川小区 新河湾小区 天衢花园 湖滨花园 东湖小区 康博苑 明珠花园 长河小区".split()
COMPANY_WORDS = "鑫源 恒通 华达 宏运 金盛 天成 瑞丰 长河 新湖 永泰 德隆 众和 齐鲁 运通 百盛 嘉禾".split()
COMPANY_TRADES = "机械制造 建筑安装 商贸 化工 纺织 食品 物流 热电 建材 农业科技 太阳能 玻璃钢".split()
# 2010 mobile prefixes of China Mobile, Unicom and Telecom.
MOBILE_PREFIXES = (
    "134 135 136 137 138 139 150 151 152 157 158 159 182 187 188 130 131 132 155 156 186 133 153 180 189".split()
)
PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # plates never use I or O; Q is avoided as it reads like 0
OTHER_PLATE_OFFICES = ("鲁A", "鲁P", "鲁M", "冀J", "冀T")  # Jinan, Liaocheng, Binzhou, Cangzhou, Hengshui
MODEL_YEAR_CODES = {2005: "5", 2006: "6", 2007: "7", 2008: "8", 2009: "9", 2010: "A", 2011: "B", 2012: "C"}
VISIT_KINDS = (  # maintenance > repair > warranty > accident
    (ServiceVisit.Kind.REPAIR, 5),
    (ServiceVisit.Kind.WARRANTY, 3),
    (ServiceVisit.Kind.ACCIDENT, 2),
)
DNC_REASONS = ("客户要求不再回访", "投诉处理后要求勿扰", "工作原因不便接听电话", "已将车辆转卖，不再联系")


@dataclass
class _Car:
    vehicle: Vehicle
    sold_here: bool
    daily_km: float
    visits: list[ServiceVisit] = field(default_factory=list)


class _DemoBuilder:
    """Makes the unsaved rows; ``load`` writes them."""

    def __init__(self, consultants: list[Staff], advisors: list[Staff]) -> None:
        self.rng = random.Random(SEED)
        self.consultants = consultants
        self.advisors = advisors
        self.tz = timezone.get_default_timezone()
        self.customers: list[Customer] = []
        self.created: dict[int, datetime] = {}  # id(customer) → when the record was first made
        self.cars: list[_Car] = []
        self.archives: list[SalesArchive] = []
        self.corrections: list[PhoneCorrection] = []
        self.used_phones: set[str] = set()
        self.used_vins: set[str] = set()
        self.used_plates: set[str] = set()

    # --- values -------------------------------------------------------------------------

    def at(self, day: date, start_hour: int = 8, end_hour: int = 17) -> datetime:
        minute = self.rng.randrange(start_hour * 60, end_hour * 60)
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)

    def day_between(self, first: date, last: date, bias: float = 1.0) -> date:
        # bias < 1 leans towards the later end: the dealership sold more each year.
        span = (last - first).days
        return first + timedelta(days=int(span * self.rng.random() ** bias))

    def person(self) -> tuple[str, str]:
        gender = self.rng.choice("MMMF")  # car buyers of 2010 were mostly men
        given = self.rng.choice(MALE_GIVEN if gender == "M" else FEMALE_GIVEN)
        surname = self.rng.choices(SURNAMES, weights=range(len(SURNAMES), 0, -1))[0]
        return surname + given, gender

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def landline(self) -> str:
        return f"0534-{self.rng.choice('2345678')}{self.rng.randrange(10**6):06d}"

    def address(self, company: bool = False, district: str = "") -> str:
        district = district or self.rng.choices([d for d, _w in DISTRICTS], weights=[w for _d, w in DISTRICTS])[0]
        streets = CITY_STREETS if district.startswith("德州") else COUNTY_STREETS
        street = self.rng.choice(streets)
        if company or self.rng.random() < 0.3:
            return f"{district}{street}{self.rng.randint(1, 999)}号"
        return (
            f"{district}{street}{self.rng.choice(ESTATES)}{self.rng.randint(1, 24)}号楼"
            f"{self.rng.randint(1, 4)}单元{self.rng.randint(1, 6)}0{self.rng.randint(1, 4)}"
        )

    def vin(self, model: CarModel, model_year: int) -> str:
        while True:
            serial = f"{self.rng.randrange(10**6):06d}"
            vin = vin_with_check_digit(f"LSV{model.vds}0{MODEL_YEAR_CODES[model_year]}2{serial}")
            if vin not in self.used_vins:
                self.used_vins.add(vin)
                return vin

    def plate(self, office: str = "鲁N") -> str:
        while True:
            if self.rng.random() < 0.7:
                serial = f"{self.rng.randrange(10**5):05d}"
            else:
                serial = self.rng.choice(PLATE_LETTERS) + f"{self.rng.randrange(10**4):04d}"
            plate = office + serial
            if plate not in self.used_plates:
                self.used_plates.add(plate)
                return plate

    # --- records ------------------------------------------------------------------------

    def customer(self, *, source: str, first_contact: datetime, company: bool = False) -> Customer:
        if company:
            place = self.rng.choice(("德州市", "德州", "禹城市", "乐陵市", "齐河县", "平原县"))
            district = "德州市德城区" if place.startswith("德州") else place
            name = f"{place}{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_TRADES)}有限公司"
            while any(c.name == name for c in self.customers):
                name = name.replace("有限公司", "有限责任公司") if "责任" not in name else "山东" + name
            customer = Customer(
                name=name,
                kind=Customer.Kind.COMPANY,
                mobile=self.mobile(),
                phone2=self.landline(),
                address=self.address(company=True, district=district),
                source=source,
            )
        else:
            name, gender = self.person()
            birthday = None
            if self.rng.random() < 0.7:
                birthday = date(self.rng.randint(1955, 1988), self.rng.randint(1, 12), self.rng.randint(1, 28))
            customer = Customer(
                name=name,
                gender=gender,
                birthday=birthday,
                mobile=self.mobile(),
                phone2=self.landline() if self.rng.random() < 0.15 else "",
                address=self.address() if self.rng.random() < 0.85 else "",
                source=source,
            )
        customer.name_key = name_key(customer.name)  # bulk_create skips save(), which sets it
        self.customers.append(customer)
        self.created[id(customer)] = first_contact
        return customer

    def car(self, *, holder: Customer, delivered: date, sold_here: bool, company: bool = False) -> _Car:
        available = [m for m in CAR_MODELS if m.since <= delivered.year]
        model = self.rng.choices(available, weights=[m.weight for m in available])[0]
        # Cars delivered in the last months of a year already carry the next model year.
        model_year = delivered.year + (1 if delivered.month >= 11 and self.rng.random() < 0.5 else 0)
        if sold_here:
            # Recent deliveries may still wait for their plate.
            plate = "" if (LAST_DAY - delivered).days < 12 and self.rng.random() < 0.7 else self.plate()
        else:
            plate = self.plate("鲁N" if self.rng.random() < 0.85 else self.rng.choice(OTHER_PLATE_OFFICES))
        if company:
            user_name, _gender = self.person()
            user_phone = self.mobile()
        else:
            roll = self.rng.random()
            if roll < 0.75:
                user_name, user_phone = holder.name, holder.mobile
            elif roll < 0.9:
                user_name = holder.name[0] + self.rng.choice(MALE_GIVEN + FEMALE_GIVEN)
                user_phone = self.mobile()
            else:
                user_name = user_phone = ""
        vehicle = Vehicle(
            vin=self.vin(model, model_year),
            plate=plate,
            model_name=model.name,
            colour=self.rng.choice(COLOURS),
            delivery_date=delivered,
            holder=holder,
            user_name=user_name,
            user_phone=user_phone,
        )
        car = _Car(vehicle, sold_here, self.rng.uniform(45, 110) if company else self.rng.uniform(20, 70))
        self.cars.append(car)
        if (
            sold_here
            and self.rng.random() > 0.03
            and not ((LAST_DAY - delivered).days < 10 and self.rng.random() < 0.6)
        ):
            # Most closed deals have their archive; the newest and a few stragglers are still missing.
            self.archive(car, model)
        return car

    def archive(self, car: _Car, model: CarModel) -> None:
        vehicle = car.vehicle
        delivered = vehicle.delivery_date
        if self.rng.random() < 0.06:  # invoiced late: these cost invoicing-timeliness points
            invoiced = delivered + timedelta(days=self.rng.randint(5, 20))
        else:
            invoiced = delivered - timedelta(days=self.rng.randint(0, 3))
        price = self.rng.choice(model.prices) - self.rng.choice((0, 0, 0, 1000, 2000, 3000, 5000, 8000))
        self.archives.append(
            SalesArchive(
                vehicle=vehicle,
                customer=vehicle.holder,
                consultant=self.rng.choice(self.consultants),
                deal_date=delivered - timedelta(days=self.rng.randint(0, 25)),
                delivery_date=delivered,
                invoice_number="",
                invoice_date=invoiced,
                invoice_amount=Decimal(price).quantize(Decimal("0.01")),
                invoice_name=vehicle.holder.name,
                invoice_name_key=vehicle.holder.name_key,
                archive_phone=vehicle.holder.mobile,
                submitted_at=self.at(delivered + timedelta(days=self.rng.randint(0, 3)), 16, 19),
            )
        )

    def visits(self, car: _Car) -> None:
        vehicle = car.vehicle
        delivered = vehicle.delivery_date
        # 首保 (the first maintenance) two to four months after delivery.
        first = delivered + timedelta(days=self.rng.randint(60, 120))
        day = max(first, FIRST_DAY + timedelta(days=self.rng.randint(0, 150)))
        while day <= LAST_DAY:
            if self.rng.random() < 0.15:  # customers drift away to roadside garages
                break
            self.visit(car, day, ServiceVisit.Kind.MAINTENANCE)
            interval = min(7500 / car.daily_km, 240) * self.rng.uniform(0.9, 1.4)
            if self.rng.random() < 0.25:
                kind = self.rng.choices([k for k, _w in VISIT_KINDS], weights=[w for _k, w in VISIT_KINDS])[0]
                if kind == ServiceVisit.Kind.WARRANTY and (day - delivered).days > 730:
                    kind = ServiceVisit.Kind.REPAIR  # out of the two-year warranty
                extra = day + timedelta(days=self.rng.randint(10, max(11, int(interval) - 10)))
                if extra <= LAST_DAY:
                    self.visit(car, extra, kind)
            day += timedelta(days=int(interval))

    def visit(self, car: _Car, day: date, kind: str) -> None:
        opened = self.at(day, 8, 16)
        if kind == ServiceVisit.Kind.MAINTENANCE and self.rng.random() < 0.9:
            closed = opened + timedelta(minutes=self.rng.randint(50, 180))
        elif self.rng.random() < 0.5:
            closed = opened + timedelta(minutes=self.rng.randint(90, 300))
        else:
            closed = self.at(day + timedelta(days=1), 9, 18)
        if kind == ServiceVisit.Kind.MAINTENANCE:
            amount = self.rng.choice((280, 360, 450, 580, 680, 860)) + self.rng.randint(0, 9) * 10
        elif kind == ServiceVisit.Kind.REPAIR:
            amount = self.rng.randint(15, 350) * 10
        elif kind == ServiceVisit.Kind.ACCIDENT:
            amount = self.rng.randint(80, 1800) * 10
        else:
            amount = 0  # warranty work is billed to the manufacturer
        car.visits.append(
            ServiceVisit(
                vehicle=car.vehicle,
                customer=car.vehicle.holder,
                kind=kind,
                opened_at=opened,
                closed_at=closed,
                advisor=self.rng.choice(self.advisors) if self.advisors else None,
                amount=Decimal(amount).quantize(Decimal("0.01")),
            )
        )

    # --- the whole set ------------------------------------------------------------------

    def build(self) -> None:
        rng = self.rng
        for _ in range(16):
            delivered = self.day_between(FIRST_DAY, LAST_DAY - timedelta(days=20))
            company = self.customer(
                source=Customer.Source.SALES,
                company=True,
                first_contact=self.at(delivered - timedelta(days=rng.randint(10, 40))),
            )
            for _car in range(rng.choices((1, 2, 3, 4, 5), weights=(4, 4, 3, 2, 1))[0]):
                self.car(holder=company, delivered=delivered, sold_here=True, company=True)
                delivered = min(delivered + timedelta(days=rng.randint(30, 200)), LAST_DAY)
        for _ in range(230):
            delivered = self.day_between(FIRST_DAY, LAST_DAY, bias=0.85)
            buyer = self.customer(
                source=Customer.Source.SALES, first_contact=self.at(delivered - timedelta(days=rng.randint(3, 45)))
            )
            if rng.random() < 0.2:
                if rng.random() < 0.5:  # the family's older car, bought elsewhere, serviced here
                    self.car(
                        holder=buyer, delivered=self.day_between(date(2005, 3, 1), date(2009, 10, 31)), sold_here=False
                    )
                else:
                    second = self.day_between(FIRST_DAY, LAST_DAY, bias=0.85)
                    self.car(holder=buyer, delivered=second, sold_here=True)
                    delivered = min(delivered, second)
            self.car(holder=buyer, delivered=delivered, sold_here=True)
        for _ in range(40):  # service-only customers: cars bought from other dealers
            first_contact = self.at(self.day_between(FIRST_DAY, LAST_DAY))
            self.car(
                holder=self.customer(source=Customer.Source.SERVICE, first_contact=first_contact),
                delivered=self.day_between(date(2006, 1, 1), date(2011, 6, 30)),
                sold_here=False,
            )
        for _ in range(10):  # leads from a 2011 test-drive event, no car yet
            self.customer(source=Customer.Source.EVENT, first_contact=self.at(date(2011, 9, 17), 9, 16))
        for car in self.cars:
            self.visits(car)
        self.flaws()
        self.finish()

    def flaws(self) -> None:
        """What the data-quality pages are for: duplicates, a shared phone, do-not-call, wrong numbers."""
        rng = self.rng
        individuals = [c for c in self.customers if c.kind == Customer.Kind.INDIVIDUAL and c.source == "sales"]
        individual_ids = {id(c) for c in individuals}
        serviced = [car for car in self.cars if car.visits and id(car.vehicle.holder) in individual_ids]
        duplicated = rng.sample(serviced, 3)
        taken = {id(car.vehicle.holder) for car in duplicated}
        picked = rng.sample([c for c in individuals if id(c) not in taken], 11)
        # The same person entered twice when the car first came to the workshop: a name written
        # with a space or in full width, the same phone; the duplicate carries that visit.
        for car, spelling in zip(duplicated, ("{0} {1}", "{0}\u3000{1}", "{0}{1}"), strict=True):
            original = car.vehicle.holder
            name = spelling.format(original.name[0], original.name[1:])
            duplicate = Customer(
                name=name,
                name_key=name_key(name),
                gender=original.gender,
                mobile=original.mobile,
                source=Customer.Source.SERVICE,
            )
            self.customers.append(duplicate)
            self.created[id(duplicate)] = car.visits[0].opened_at
            car.visits[0].customer = duplicate
        # A couple sharing one mobile: looks like a duplicate, is not one.
        husband = picked[0]
        wife_name = rng.choice(SURNAMES[:12]) + rng.choice(FEMALE_GIVEN)
        wife = Customer(
            name=wife_name,
            name_key=name_key(wife_name),
            gender="F",
            mobile=husband.mobile,
            address=husband.address,
            source=Customer.Source.SALES,
        )
        self.customers.append(wife)
        self.created[id(wife)] = self.created[id(husband)] + timedelta(days=rng.randint(200, 300))
        self.visits(
            self.car(
                holder=wife, sold_here=True, delivered=min(self.created[id(wife)].date() + timedelta(days=7), LAST_DAY)
            )
        )
        # A sales consultant's own number typed into four archives instead of the buyers'.
        consultant = self.consultants[min(3, len(self.consultants) - 1)]
        own_number = "13905340418"
        for customer in picked[1:5]:
            customer.mobile = own_number
            for archive in self.archives:
                if archive.customer is customer:
                    archive.consultant, archive.archive_phone = consultant, own_number
            for car in self.cars:
                if car.vehicle.holder is customer and car.vehicle.user_name == customer.name:
                    car.vehicle.user_phone = own_number
        for customer, reason in zip(picked[5:9], DNC_REASONS, strict=True):
            customer.do_not_call, customer.do_not_call_reason = True, reason
            customer.do_not_call_since = self.day_between(date(2011, 1, 1), LAST_DAY)
        # Wrong numbers found by callback agents, waiting for a customer-service decision.
        wrong = [
            (picked[1], "回访时客户本人提供：档案电话是销售顾问的号码", PhoneCorrection.Status.PENDING),
            (picked[9], "回访提示空号，客户到店保养时留下新号码", PhoneCorrection.Status.PENDING),
            (picked[10], "接听人不是车主，车主已换号", PhoneCorrection.Status.PENDING),
            (picked[6], "接听人称打错了", PhoneCorrection.Status.REJECTED),
        ]
        for customer, reason, status in wrong:
            proposed = self.at(self.day_between(date(2011, 12, 1), LAST_DAY), 9, 18)
            self.corrections.append(
                PhoneCorrection(
                    customer=customer,
                    old_value=customer.mobile,
                    new_value=self.mobile(),
                    reason=reason,
                    status=status,
                    proposed_at=proposed,
                    decided_at=proposed + timedelta(hours=20) if status != "pending" else None,
                )
            )

    def finish(self) -> None:
        """Invoice numbers in invoicing order; RO numbers by day; mileage that only grows."""
        number = 873415  # the dealer's invoice roll; it keeps its leading zeros (00873415)
        for archive in sorted(self.archives, key=lambda a: (a.invoice_date, a.submitted_at)):
            number += self.rng.randint(1, 12)
            archive.invoice_number = f"{number:08d}"
        for car in self.cars:
            car.visits.sort(key=lambda v: v.opened_at)
            mileage = 0
            for visit in car.visits:
                days = (visit.opened_at.date() - car.vehicle.delivery_date).days
                estimate = int(days * car.daily_km * self.rng.uniform(0.9, 1.1))
                mileage = max(mileage + self.rng.randint(30, 300), estimate)
                visit.mileage = mileage
        sequence: dict[date, int] = {}
        for visit in sorted(self.all_visits(), key=lambda v: v.opened_at):
            day = visit.opened_at.astimezone(self.tz).date()
            # The workshop opens far more ROs a day than the demo keeps: numbers jump.
            sequence[day] = sequence.get(day, 0) + self.rng.randint(1, 6)
            visit.ro_number = f"RO{day:%Y%m%d}{sequence[day]:04d}"
        for car in self.cars:
            holder = car.vehicle.holder
            if car.sold_here:
                self.created[id(car.vehicle)] = self.at(car.vehicle.delivery_date)
            elif car.visits:
                # A car bought elsewhere is recorded when it first comes to the workshop, and so
                # is its owner if the workshop is where we met them.
                self.created[id(car.vehicle)] = car.visits[0].opened_at
                if holder.source == Customer.Source.SERVICE:
                    self.created[id(holder)] = min(self.created[id(holder)], car.visits[0].opened_at)
            else:
                self.created[id(car.vehicle)] = self.created[id(holder)]

    def all_visits(self) -> list[ServiceVisit]:
        return [visit for car in self.cars for visit in car.visits]


def _backdate(objects: list, field_name: str, moments: dict[int, datetime]) -> None:
    # auto_now_add stamps every bulk-created row with today; the demo's rows belong to 2010–2011.
    if not objects:
        return
    for obj in objects:
        setattr(obj, field_name, moments[id(obj)])
    type(objects[0]).objects.bulk_update(objects, [field_name], batch_size=300)


def load() -> str:
    existing = ImportBatch.objects.filter(kind=ImportBatch.Kind.OTHER, note=DEMO_NOTE).first()
    if existing is not None:
        return f"already loaded (import batch #{existing.pk}), nothing created"
    consultants = list(Staff.objects.sales_consultants().order_by("employee_number"))
    if not consultants:
        from dealership_cs import demo as organisation_demo

        organisation_demo.load()
        consultants = list(Staff.objects.sales_consultants().order_by("employee_number"))
    advisors = list(Staff.objects.service_advisors().order_by("employee_number"))

    builder = _DemoBuilder(consultants, advisors)
    builder.build()
    visits = builder.all_visits()
    # Kept aside: bulk_create overwrites auto_now_add fields on the objects.
    moments = {
        **builder.created,
        **{id(v): v.opened_at for v in visits},
        **{id(a): a.submitted_at for a in builder.archives},
        **{id(c): c.proposed_at for c in builder.corrections},
    }
    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.OTHER, note=DEMO_NOTE)
    for obj in [*builder.customers, *(car.vehicle for car in builder.cars), *builder.archives, *visits]:
        obj.batch = batch

    # Parents first: bulk_create fills each foreign key from the parent's new primary key.
    vehicles = [car.vehicle for car in builder.cars]
    Customer.objects.bulk_create(builder.customers, batch_size=500)
    Vehicle.objects.bulk_create(vehicles, batch_size=500)
    SalesArchive.objects.bulk_create(builder.archives, batch_size=500)
    ServiceVisit.objects.bulk_create(visits, batch_size=500)
    # The demo logins (manage.py demo_users), when they exist, are who proposed and decided.
    agent = User.objects.filter(groups__name=Role.CALLBACK_AGENT.value).order_by("pk").first()
    staff = User.objects.filter(groups__name=Role.CS_STAFF.value).order_by("pk").first()
    for correction in builder.corrections:
        correction.proposed_by = agent
        correction.decided_by = staff if correction.decided_at else None
    PhoneCorrection.objects.bulk_create(builder.corrections)

    _backdate(builder.customers, "created_at", moments)
    _backdate(vehicles, "created_at", moments)
    _backdate(visits, "created_at", moments)
    _backdate(builder.archives, "submitted_at", moments)
    _backdate(builder.corrections, "proposed_at", moments)

    counts = {
        "customers": len(builder.customers),
        "vehicles": len(vehicles),
        "archives": len(builder.archives),
        "visits": len(visits),
        "phone_corrections": len(builder.corrections),
    }
    batch.counts = counts
    batch.save(update_fields=["counts"])
    return " ".join(f"{key}={value}" for key, value in counts.items()) + f" (import batch #{batch.pk})"
