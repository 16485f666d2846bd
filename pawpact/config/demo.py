"""Demo data for `manage.py load_demo`: the platform admin, two shops with owners, and in
each shop customers with pets and contracts, signed and started through the real services,
then drained into the platform (advances, collections) with this month's KPI facts and the
latest day's risk, so every dashboard has something to show.

Every shop-schema step runs inside `tenant_context(shop)`; the platform steps (funding
terms, KPI facts, risk) run in the public schema. Payments use the sandbox rail
(`tok_success`); credit scores come from the sandbox provider, which scores a customer by
the last three digits of their phone (…417 and above: 600+, deposit waived; …416 and
below: under 600, the plan's deposit is held before the contract starts).

Re-running is safe: a shop that exists is not provisioned again, a customer whose phone
is registered at the shop already is skipped, funding terms are set only where a shop has
none, and the drain, KPI facts and risk are idempotent upserts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django_tenants.utils import tenant_context

from pawpact.accounts.models import User
from pawpact.billing.models import Plan
from pawpact.billing.services.activation import contract_activate
from pawpact.billing.services.credit import credit_consent_record_by_link
from pawpact.billing.services.signing import (
    application_create,
    application_credit_check,
    contract_payment_method_add,
    contract_sign,
)
from pawpact.config.demo_login import demo_password
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.enums import Species
from pawpact.customers.models import Customer
from pawpact.customers.services import customer_create, customer_register, pet_create, phone_normalize
from pawpact.loyalty.coupon_triggers import coupon_demo_defaults
from pawpact.loyalty.rfm import rfm_scores_refresh
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.enums import RecourseRule
from pawpact.platform.funding.terms import funding_terms_get, funding_terms_set
from pawpact.platform.kpis.facts import kpi_facts_compute
from pawpact.platform.risk.services import risk_daily_compute
from pawpact.tenants.models import Shop
from pawpact.tenants.services import shop_provision

PLATFORM_ADMIN = "admin@pawpact.localhost"

# Funding terms of the demo shops: 90% advance, ¥10.00 flat fee per contract, full recourse.
DEMO_ADVANCE_RATE = Decimal("0.90")
DEMO_FEE_MINOR = 1_000

SANDBOX_TOKEN = "tok_success"
SIGNING_IP = "203.0.113.10"  # documentation range (RFC 5737)
SIGNING_USER_AGENT = "Pawpact demo loader"


@dataclass(frozen=True)
class DemoShop:
    slug: str
    name: str
    owner_name: str
    owner_email: str
    owner_phone: str

    @property
    def customer_email(self) -> str:
        """The login of the shop's demo customer (one per shop), password demo_password()."""
        return f"customer@{self.slug}.localhost"


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    phone: str  # the last three digits decide the sandbox credit score
    birth_date: date
    pet_name: str
    species: str
    breed: str
    plan_code: str
    has_login: bool = False  # registered with a login (DemoShop.customer_email)
    is_draft: bool = False  # the application is left a draft (credit-checked, not signed)


DEMO_SHOPS = [
    DemoShop("happy-paws", "Happy Paws 快乐爪爪领养馆", "Li Na 李娜", "owner@happy-paws.localhost", "13800000001"),
    DemoShop("whisker-home", "Whisker Home 胡须之家", "Wang Wei 王伟", "owner@whisker-home.localhost", "13800000002"),
]

_CAT, _DOG = Species.CAT.value, Species.DOG.value

# Per shop: 7 contracts started (Basic ×3, Advanced ×2, Premium ×2; 3 of them with a score
# under 600, so a deposit is held) and 1 application left a draft. Scores (sandbox):
# …888 → 883, …666 → 750, …520 → 662, …777 → 816, …950 → 920; …399 → 589, …250 → 500, …128 → 426.
DEMO_CUSTOMERS: dict[str, list[DemoCustomer]] = {
    "happy-paws": [
        DemoCustomer("Chen Jing 陈静", "13900011888", date(1992, 4, 12), "Mimi 咪咪", _CAT, "British Shorthair 英短",
                     "basic", has_login=True),
        DemoCustomer("Zhao Lei 赵磊", "13900012666", date(1988, 9, 3), "Doudou 豆豆", _DOG, "Corgi 柯基", "advanced"),
        DemoCustomer("Sun Li 孙丽", "13900013399", date(1995, 1, 27), "Laifu 来福", _DOG, "Golden Retriever 金毛",
                     "premium"),
        DemoCustomer("Zhou Min 周敏", "13900014520", date(1990, 6, 18), "Huahua 花花", _CAT, "Ragdoll 布偶", "basic"),
        DemoCustomer("Wu Tao 吴涛", "13900015250", date(1985, 11, 9), "Wangcai 旺财", _DOG, "Shiba Inu 柴犬",
                     "advanced"),
        DemoCustomer("Zheng Yan 郑妍", "13900016777", date(1993, 3, 30), "Xueqiu 雪球", _CAT, "Persian 波斯猫",
                     "premium"),
        DemoCustomer("Feng Qiang 冯强", "13900017128", date(1998, 8, 21), "Heihei 黑黑", _DOG, "Labrador 拉布拉多",
                     "basic"),
        DemoCustomer("Liu Yang 刘洋", "13900018950", date(1991, 12, 5), "Juzi 橘子", _CAT, "Orange tabby 橘猫",
                     "advanced", is_draft=True),
    ],
    "whisker-home": [
        DemoCustomer("Huang Xin 黄欣", "13900021888", date(1994, 2, 14), "Naicha 奶茶", _CAT, "Ragdoll 布偶",
                     "advanced", has_login=True),
        DemoCustomer("He Jun 何军", "13900022666", date(1987, 7, 7), "Tangyuan 汤圆", _CAT, "British Shorthair 英短",
                     "basic"),
        DemoCustomer("Lin Hui 林慧", "13900023399", date(1996, 10, 1), "Mochi 麻薯", _CAT, "Maine Coon 缅因",
                     "premium"),
        DemoCustomer("Guo Peng 郭鹏", "13900024520", date(1989, 5, 23), "Xiaohei 小黑", _CAT, "Bombay 孟买猫",
                     "basic"),
        DemoCustomer("Ma Lin 马琳", "13900025250", date(1997, 9, 16), "Dudu 嘟嘟", _CAT, "Scottish Fold 折耳",
                     "basic"),
        DemoCustomer("Luo Fang 罗芳", "13900026777", date(1992, 1, 8), "Bobo 波波", _DOG, "Poodle 贵宾", "advanced"),
        DemoCustomer("Xu Gang 徐刚", "13900027128", date(1986, 4, 29), "Yinyin 银银", _CAT, "Silver Shaded 银渐层",
                     "premium"),
        DemoCustomer("Gao Ying 高颖", "13900028950", date(1999, 11, 11), "Buding 布丁", _CAT, "Munchkin 曼基康",
                     "basic", is_draft=True),
    ],
}  # fmt: skip


@dataclass
class DemoReport:
    shops_created: int = 0
    customers_created: int = 0
    contracts_activated: int = 0
    drafts_created: int = 0
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def demo_load(*, clock: Clock = default_clock) -> DemoReport:
    """Create whatever of the demo is missing, all or nothing (one transaction)."""
    report = DemoReport()
    if not User.objects.filter(email=PLATFORM_ADMIN).exists():
        User.objects.create_superuser(PLATFORM_ADMIN, demo_password(), name="Platform admin")
    for demo in DEMO_SHOPS:
        shop = Shop.objects.filter(slug=demo.slug).first()
        if shop is None:
            owner = User.objects.create_user(
                demo.owner_email, demo_password(), name=demo.owner_name, phone=demo.owner_phone
            )
            shop = shop_provision(name=demo.name, slug=demo.slug, owner=owner, clock=clock)
            report.shops_created += 1
        demo_shop_populate(shop=shop, demo=demo, report=report, clock=clock)
    return report


def demo_shop_populate(*, shop: Shop, demo: DemoShop, report: DemoReport, clock: Clock = default_clock) -> None:
    """One demo shop: its customers and contracts, funding terms, drain, KPI facts and risk."""
    shop = Shop.objects.select_related("owner").get(pk=shop.pk)  # fresh: state and risk may have moved
    if not shop.is_ready:
        report.notes.append(f"{demo.slug}: not active, left as it is")
        return
    if shop.may_sign:
        with tenant_context(shop):
            for customer in DEMO_CUSTOMERS[demo.slug]:
                _customer_with_contract(demo=demo, spec=customer, report=report, clock=clock)
            coupon_demo_defaults()  # the triggers' coupons, so the marketing pages show them at work
    else:
        report.notes.append(f"{demo.slug}: new signings are blocked, no customers added")
    if funding_terms_get(shop_id=shop.pk).is_default:
        funding_terms_set(
            shop=shop, advance_rate=DEMO_ADVANCE_RATE, fee_minor=DEMO_FEE_MINOR, recourse_rule=RecourseRule.FULL,
            clock=clock,
        )  # fmt: skip
    with tenant_context(shop):
        outbox_drain_and_apply(shop=shop, clock=clock)
        rfm_scores_refresh(clock=clock)  # segments by R·F·M show members right away, not after the nightly run
    today = clock.today()
    kpi_facts_compute(shop=shop, month=today, clock=clock)
    # Risk is computed for days that have ended: the latest one is yesterday (the nightly
    # run computes today's tomorrow at 00:20).
    risk_daily_compute(shop=shop, day=today - timedelta(days=1), clock=clock)


def _customer_with_contract(*, demo: DemoShop, spec: DemoCustomer, report: DemoReport, clock: Clock) -> None:
    """In the shop's schema: the customer, their pet and contract (started, or a draft)."""
    if Customer.objects.filter(phone=phone_normalize(spec.phone)).exists():
        return  # loaded before
    plan = Plan.objects.filter(code=spec.plan_code, is_active=True).first()
    version = plan.versions.order_by("-version").first() if plan is not None else None
    if version is None:
        report.notes.append(f"{demo.slug}: plan {spec.plan_code!r} is not on sale, {spec.name} skipped")
        return
    if spec.has_login:
        customer, _token = customer_register(
            email=demo.customer_email, password=demo_password(), name=spec.name, phone=spec.phone,
            birth_date=spec.birth_date, clock=clock,
        )  # fmt: skip
        actor = customer.user  # the customer applies and signs on the shop's site
    else:
        customer = customer_create(name=spec.name, phone=spec.phone, birth_date=spec.birth_date, clock=clock)
        actor = User.objects.filter(email__iexact=demo.owner_email, is_staff=True).first()  # in the shop
    report.customers_created += 1
    pet = pet_create(
        owner=customer, name=spec.pet_name, species=spec.species, breed=spec.breed,
        birthday=clock.today() - timedelta(days=300), adoption_date=clock.today(), clock=clock,
    )  # fmt: skip
    contract = application_create(
        customer=customer, pet=pet, plan_version_id=version.pk, created_by=actor, clock=clock
    )
    # The adopters agreed to the credit check on their own phones, as the signing page asks.
    credit_consent_record_by_link(contract=contract, shop_name=demo.name, ip=SIGNING_IP,
                                  user_agent=SIGNING_USER_AGENT, clock=clock)  # fmt: skip
    contract = application_credit_check(contract=contract, clock=clock)
    if spec.is_draft:
        report.drafts_created += 1
        return
    # The demo's adopters signed on their own phones; staff never sign for them.
    contract = contract_sign(
        contract=contract, signer_name=spec.name, ip=SIGNING_IP, user_agent=SIGNING_USER_AGENT, clock=clock,
    )  # fmt: skip
    contract = contract_payment_method_add(contract=contract, rail="sandbox", token=SANDBOX_TOKEN)
    contract_activate(contract=contract, clock=clock)
    report.contracts_activated += 1
