"""No answer of the latest version names a record by its database number: every numbered record
has an opaque, typed id (pawpact.core.opaque_ids), in answers, paths and the `*_id` fields that
point at it. Clients pinned to 2026-12-01 keep the numbers. An id of the wrong type, a number
under the latest version, or another shop's id names nothing, and nothing is written."""
from django.conf import settings
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.api.version_shapes import NUMBERED_IN_2026_12_01, to_2026_12_01
from pawpact.core import opaque_ids
from pawpact.core.opaque_ids import COUPON_TEMPLATE, PAID_PLAN, PRODUCT, SEGMENT, opaque_id, pk_of
from pawpact.loyalty.coupon_models import Campaign, CouponTemplate, Segment
from pawpact.loyalty.paid_models import PaidPlan
from tests.api.test_resources_api import NOT_FOUND, _client
from tests.conftest import SHOP_PASSWORD
from tests.loyalty.test_coupon_api import shop_staff as coupon_manager  # noqa: F401 - a fixture

OLD = {"HTTP_PAWPACT_VERSION": "2026-12-01"}
# Shops keep their numbers on the platform API: only platform admins see them, who number
# the shops themselves in the console; no shop's or customer's record count shows through.
PLATFORM_NUMBERED = {"RiskChange.shop_id", "RankedShop.shop_id"}


def _integer_ids(schema: dict) -> set[str]:
    """`Component.field` for every response property named `id` or `*_id` typed integer."""
    components = schema["components"]["schemas"]
    found, seen = set(), set()

    def walk(spec: dict, owner: str) -> None:
        if "$ref" in spec:
            name = spec["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                walk(components[name], name)
            return
        for part in [*spec.get("allOf", []), *spec.get("oneOf", []), *spec.get("anyOf", [])]:
            walk(part, owner)
        for inner in (spec.get("items"), spec.get("additionalProperties")):
            if isinstance(inner, dict):
                walk(inner, owner)
        for field, inner in spec.get("properties", {}).items():
            if (field == "id" or field.endswith("_id")) and inner.get("type") == "integer":
                found.add(f"{owner}.{field}")
            walk(inner, owner)

    for operations in schema["paths"].values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                for content in response.get("content", {}).values():
                    walk(content.get("schema", {}), "(inline)")
    return found


def _integer_path_ids(schema: dict) -> set[str]:
    return {
        f"{path} {parameter['name']}"
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["schema"].get("type") == "integer"
    }


def test_no_answer_or_path_of_the_shop_api_names_a_record_by_its_number(api_client):
    schema = api_client.get("/api/v1/schema.json").json()
    assert _integer_ids(schema) == set()
    assert _integer_path_ids(schema) == set()


def test_the_platform_api_numbers_only_shops(db):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    client = APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin).key}")
    schema = client.get("/api/v1/platform/schema.json").json()
    assert _integer_ids(schema) <= PLATFORM_NUMBERED
    assert {p.rsplit(" ", 1)[1] for p in _integer_path_ids(schema)} <= {"shop_id"}


def test_the_walk_sees_an_integer_id_wherever_it_is():
    schema = {
        "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
            "type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/c/Row"}}}}}}}}}}},
        "components": {"schemas": {"Row": {"properties": {"id": {"type": "string"}, "lines": {"type": "array", "items": {
            "type": "object", "properties": {"product_id": {"type": "integer"}}}}}}}},
    }  # fmt: skip
    assert _integer_ids(schema) == {"Row.product_id"}


def test_every_prefix_is_its_own_and_ids_round_trip():
    prefixes = [value for name, value in vars(opaque_ids).items() if name.isupper() and isinstance(value, str)
                and name not in {"MIN_LENGTH"}]  # fmt: skip
    assert len(prefixes) == len(set(prefixes))
    for prefix in prefixes:
        value = opaque_id(prefix, 42)
        assert pk_of(prefix, value) == 42
        assert [other for other in prefixes if other != prefix and pk_of(other, value) is not None] == []


def test_clients_of_2026_12_01_get_numbers_back_in_every_renamed_field():
    def ided(prefix, pk):
        return opaque_id(prefix, pk)

    order = {"object": "order", "lines": [{"product_id": ided(PRODUCT, 7), "sku": "FC-1",
                                           "product": {"object": "product", "id": ided(PRODUCT, 7)}}]}  # fmt: skip
    assert to_2026_12_01(order, one_page=False) == {
        "object": "order", "lines": [{"product_id": 7, "sku": "FC-1", "product": {"object": "product", "id": 7}}]
    }
    campaign = {"object": "campaign", "segment_id": ided(SEGMENT, 3), "template_id": None}
    assert to_2026_12_01(campaign, one_page=False) == {"object": "campaign", "segment_id": 3, "template_id": None}
    # Every rule names a prefix the codec knows.
    known = {value for name, value in vars(opaque_ids).items() if name.isupper() and isinstance(value, str)}

    def prefixes(rules):
        for rule in rules.values():
            yield from ([rule] if isinstance(rule, str) else prefixes(rule))

    assert {prefix for rules in NUMBERED_IN_2026_12_01.values() for prefix in prefixes(rules)} <= known


# --- Coupon templates, segments and campaigns ----------------------------------------------


def _manager(shop, coupon_manager) -> APIClient:  # noqa: F811
    return _client(shop, coupon_manager.api_token)


def _campaign_count(shop) -> int:
    with schema_context(shop.schema_name):
        return Campaign.objects.count()


def test_coupon_templates_and_segments_by_typed_id(shop, coupon_manager):  # noqa: F811
    staff = _manager(shop, coupon_manager)
    body = {"name": "¥20 off", "kind": "amount_off", "amount_off_minor": 2_000, "valid_days": 30}
    template = staff.post("/api/v1/coupon-templates", body, format="json").json()
    with schema_context(shop.schema_name):
        pk = CouponTemplate.objects.get(name="¥20 off").pk
    assert template["id"] == opaque_id(COUPON_TEMPLATE, pk, schema_name=shop.schema_name)
    assert staff.get(f"/api/v1/coupon-templates/{template['id']}").json() == template
    for wrong in (str(pk), opaque_id(SEGMENT, pk, schema_name=shop.schema_name), "coupontpl_x"):
        assert staff.get(f"/api/v1/coupon-templates/{wrong}").json() == NOT_FOUND, wrong
        assert staff.patch(f"/api/v1/coupon-templates/{wrong}", {"enabled": False}, format="json").status_code == 404
    assert _row_enabled(shop, pk) is True
    old = staff.get(f"/api/v1/coupon-templates/{pk}", **OLD).json()
    assert (old["id"], old["amount_off_minor"]) == (pk, 2_000)

    segment = staff.post("/api/v1/saved-segments", {"name": "Late", "filters": {"standing": "overdue"}},
                         format="json").json()  # fmt: skip
    with schema_context(shop.schema_name):
        segment_pk = Segment.objects.get(name="Late").pk
    assert segment["id"] == opaque_id(SEGMENT, segment_pk, schema_name=shop.schema_name)
    assert staff.get("/api/v1/saved-segments", **OLD).json()[0]["id"] == segment_pk

    campaign = {"name": "Win back", "kind": "coupon", "segment_id": segment["id"], "template_id": template["id"]}
    for number, wrong in enumerate(({"segment_id": segment_pk}, {"template_id": pk}, {"segment_id": template["id"]})):
        refused = staff.post("/api/v1/campaigns", {**campaign, **wrong}, format="json", HTTP_IDEMPOTENCY_KEY=f"bad-{number}")
        assert (refused.status_code, refused.json()["code"], list(refused.json()["fields"])) == (
            400, "invalid", list(wrong),
        ), wrong  # fmt: skip
    assert _campaign_count(shop) == 0
    sent = staff.post("/api/v1/campaigns", campaign, format="json", HTTP_IDEMPOTENCY_KEY="c1")
    assert sent.status_code == 202
    assert (sent.json()["segment_id"], sent.json()["template_id"]) == (segment["id"], template["id"])
    listed = staff.get("/api/v1/campaigns", **OLD).json()["results"][0]
    assert (listed["segment_id"], listed["template_id"]) == (segment_pk, pk)


def _row_enabled(shop, pk) -> bool:
    with schema_context(shop.schema_name):
        return CouponTemplate.objects.get(pk=pk).enabled


def test_another_shop_finds_no_template_by_an_id_from_this_one(shop, other_shop, coupon_manager):  # noqa: F811
    from pawpact.accounts.services import api_token_issue
    from pawpact.workspace.enums import Role
    from tests.workspace.conftest import staff_user

    with schema_context(shop.schema_name):
        template = CouponTemplate.objects.create(name="Alpha only", kind="amount_off", amount_off_minor=100)
    beta_user = staff_user(other_shop, Role.MANAGER, email="beta-manager@beta.test")
    with schema_context(other_shop.schema_name):
        beta = _client(other_shop, api_token_issue(user=beta_user))
    typed = opaque_id(COUPON_TEMPLATE, template.pk, schema_name=shop.schema_name)
    assert beta.get(f"/api/v1/coupon-templates/{typed}").json() == NOT_FOUND
    assert beta.patch(f"/api/v1/coupon-templates/{typed}", {"enabled": False}, format="json").status_code == 404
    assert _row_enabled(shop, template.pk) is True


# --- Membership plans ----------------------------------------------------------------------


def _owner(shop) -> APIClient:
    from pawpact.accounts.services import api_token_issue
    from pawpact.workspace.enums import Role
    from tests.workspace.conftest import staff_user

    user = staff_user(shop, Role.OWNER)
    with schema_context(shop.schema_name):
        return _client(shop, api_token_issue(user=user))


def _price(shop, pk) -> int:
    with schema_context(shop.schema_name):
        return PaidPlan.objects.get(pk=pk).price_minor


def test_membership_plans_by_typed_id_and_not_from_another_shop(shop, other_shop):
    owner, beta = _owner(shop), _owner(other_shop)
    body = {"name": "Month club", "price_minor": 990, "months": 1}
    created = owner.post("/api/v1/paid-membership/plans", body, format="json").json()
    pk = pk_of(PAID_PLAN, created["id"], schema_name=shop.schema_name)
    assert _price(shop, pk) == 990
    for wrong in (str(pk), opaque_id(PRODUCT, pk, schema_name=shop.schema_name)):
        assert owner.patch(f"/api/v1/paid-membership/plans/{wrong}", {"price_minor": 1}, format="json").json() == NOT_FOUND
    assert beta.patch(f"/api/v1/paid-membership/plans/{created['id']}", {"price_minor": 1}, format="json").json() == (
        NOT_FOUND
    )
    assert _price(shop, pk) == 990
    old = owner.patch(f"/api/v1/paid-membership/plans/{pk}", {"price_minor": 1_290}, format="json", **OLD).json()
    assert (old["id"], old["price_minor"]) == (pk, 1_290)
    assert owner.get("/api/v1/paid-membership/plans").json()["results"][0]["id"] == created["id"]
