"""Complaints: own links only, the 24 h / 48 h clocks, breaches recorded once and told to the
owner, confirm or reopen with fresh clocks, the platform's events, and the API per shop."""
import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.care.enums import ComplaintStatus
from pawpact.care.errors import ComplaintInvalid, ComplaintStateInvalid
from pawpact.care.models import Complaint, ComplaintBreach, ComplaintEntry, ComplaintPhoto
from pawpact.care.services.complaints import (
    complaint_breaches_record,
    complaint_confirm,
    complaint_file,
    complaint_reopen,
    complaint_resolve,
    complaint_respond,
)
from pawpact.core.clock import FixedClock
from pawpact.outbox.models import OutboxEvent
from tests.care.factories import NOW, customer_with_pet
from tests.billing.lifecycle.messages.helpers import active_contract
from tests.conftest import SHOP_PASSWORD, host_of

TEXT = "The groomer cut my cat's whiskers."
_emails = itertools.count(1)


def hours(n: float) -> FixedClock:
    return FixedClock(NOW + timedelta(hours=n))


def events(kind: str) -> list[str]:
    return list(OutboxEvent.objects.filter(kind=kind).order_by("id").values_list("payload__complaint_uuid", flat=True))


def test_a_complaint_runs_its_course_with_clocks_and_events(shop):
    with schema_context(shop.schema_name):
        contract = active_contract()
        complaint = complaint_file(customer=contract.customer, category="service", text=TEXT, contract_uuid=contract.uuid, clock=hours(0))
        assert (complaint.status, complaint.respond_by, complaint.resolve_by) == (ComplaintStatus.OPEN, NOW + timedelta(hours=24), NOW + timedelta(hours=48))
        assert events("complaint.opened") == [str(complaint.uuid)]
        complaint = complaint_respond(complaint=complaint, author=None, text="Sorry, we are looking into it.", clock=hours(3))
        assert (complaint.status, complaint.responded_at) == (ComplaintStatus.RESPONDED, NOW + timedelta(hours=3))
        complaint = complaint_resolve(complaint=complaint, author=None, text="Free groom next month.", clock=hours(20))
        assert events("complaint.resolved") == [str(complaint.uuid)]
        # Not satisfied: reopened with fresh clocks, and not counted as a second complaint.
        complaint = complaint_reopen(complaint=complaint, text="I want a refund instead.", clock=hours(30))
        assert (complaint.status, complaint.respond_by, complaint.reopened_count) == (ComplaintStatus.OPEN, NOW + timedelta(hours=54), 1)
        assert events("complaint.opened") == [str(complaint.uuid)]
        complaint = complaint_resolve(complaint=complaint, author=None, text="Refunded.", clock=hours(40))
        complaint = complaint_confirm(complaint=complaint, clock=hours(41))
        assert complaint.status == ComplaintStatus.CLOSED
        assert ComplaintEntry.objects.filter(complaint=complaint).count() == 5
        with pytest.raises(ComplaintStateInvalid):
            complaint_reopen(complaint=complaint, text="again", clock=hours(42))
        assert not complaint_breaches_record(clock=hours(100))


def test_missed_clocks_are_recorded_once_and_told_to_the_owner(shop):
    with schema_context(shop.schema_name):
        customer, _ = customer_with_pet()
        late = complaint_file(customer=customer, category="staff", text=TEXT, clock=hours(0))
        answered = complaint_file(customer=customer, category="other", text=TEXT, clock=hours(0))
        complaint_respond(complaint=answered, author=None, text="On it.", clock=hours(1))
        assert complaint_breaches_record(clock=hours(23)) == []
        first = complaint_breaches_record(clock=hours(25))
        assert [(b.complaint_id, b.clock) for b in first] == [(late.pk, "response")]
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [shop.owner.email]
        assert complaint_breaches_record(clock=hours(26)) == []
        second = complaint_breaches_record(clock=hours(49))
        assert sorted((b.complaint_id, b.clock) for b in second) == [(late.pk, "resolution"), (answered.pk, "resolution")]
        assert ComplaintBreach.objects.count() == 3 and len(mail.outbox) == 2
        late.refresh_from_db()
        assert (late.response_breached_at, late.resolution_breached_at) == (NOW + timedelta(hours=25), NOW + timedelta(hours=49))


@pytest.mark.parametrize("case", ["someone_elses_contract", "unknown_booking", "short_text", "bad_category", "not_an_image"])
def test_bad_complaints_are_refused_and_write_nothing(shop, case):
    with schema_context(shop.schema_name):
        customer, _ = customer_with_pet()
        theirs = active_contract()
        values = {"customer": customer, "category": "service", "text": TEXT, "clock": hours(0)}
        values.update({
            "someone_elses_contract": {"contract_uuid": theirs.uuid},
            "unknown_booking": {"booking_uuid": theirs.uuid},
            "short_text": {"text": "bad"},
            "bad_category": {"category": "weather"},
            "not_an_image": {"photos": [SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")]},
        }[case])  # fmt: skip
        with pytest.raises(ComplaintInvalid):
            complaint_file(**values)
        assert (Complaint.objects.count(), ComplaintPhoto.objects.count(), OutboxEvent.objects.filter(kind="complaint.opened").count()) == (0, 0, 0)


def _login(customer) -> str:
    user = User.objects.create_user(f"complainer{next(_emails)}@example.com", SHOP_PASSWORD, name=customer.name)
    customer.user = user
    customer.save(update_fields=["user"])
    return api_token_issue(user=user)


def test_the_api_keeps_complaints_to_their_customer_and_shop(shop, other_shop, shop_staff):
    with schema_context(shop.schema_name):
        customer, _ = customer_with_pet()
        other, _ = customer_with_pet()
        token, other_token = _login(customer), _login(other)
    mine = APIClient(HTTP_HOST=host_of(shop))
    mine.credentials(HTTP_AUTHORIZATION="Token " + token)
    photo = SimpleUploadedFile("cut.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    filed = mine.post("/api/v1/care/complaints", {"category": "service", "text": TEXT, "photos": [photo]}, format="multipart")
    assert filed.status_code == 201, filed.content
    uuid = filed.json()["uuid"]
    assert (filed.json()["status"], filed.json()["photo_count"]) == ("open", 1)
    theirs = APIClient(HTTP_HOST=host_of(shop))
    theirs.credentials(HTTP_AUTHORIZATION="Token " + other_token)
    assert theirs.get(f"/api/v1/care/complaints/{uuid}").status_code == 404
    assert theirs.post(f"/api/v1/care/complaints/{uuid}/reopen", {"text": "x"}, format="json").status_code == 404
    assert theirs.get("/api/v1/care/complaints").json()["results"] == []
    assert mine.post(f"/api/v1/care/complaints/{uuid}/resolve", {"text": "done"}, format="json").status_code == 403
    staff = APIClient(HTTP_HOST=host_of(shop))
    staff.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    resolved = staff.post(f"/api/v1/care/complaints/{uuid}/resolve", {"text": "Refunded the groom."}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    confirmed = mine.post(f"/api/v1/care/complaints/{uuid}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "closed"
    bad = mine.post("/api/v1/care/complaints", {"category": "service", "text": TEXT, "order_uuid": uuid}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "complaint_invalid"
    with schema_context(other_shop.schema_name):
        beta_staff = User.objects.create_user("complaints@beta.test", SHOP_PASSWORD, name="Beta", is_staff=True)
        beta_token = api_token_issue(user=beta_staff)
    beta = APIClient(HTTP_HOST=host_of(other_shop))
    beta.credentials(HTTP_AUTHORIZATION="Token " + beta_token)
    assert beta.get("/api/v1/care/complaints").json()["results"] == []
    assert beta.get(f"/api/v1/care/complaints/{uuid}").status_code == 404
    assert beta.post(f"/api/v1/care/complaints/{uuid}/respond", {"text": "hi"}, format="json").status_code == 404
    with schema_context(shop.schema_name):
        assert Complaint.objects.get(uuid=uuid).status == ComplaintStatus.CLOSED
