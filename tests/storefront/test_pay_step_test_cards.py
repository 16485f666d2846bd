"""The signing page's pay step and the cart: a shop in test mode offers test cards under a
heading that says they are test cards moving no real money (in the customer's language); a
live shop's pages offer none, neither the cards nor their heading."""
import pytest
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract
from tests.workspace.conftest import adopter, owner_client  # noqa: F401  (fixtures)
from tests.workspace.test_signing_agreements import _signed

pytestmark = pytest.mark.django_db
HEADING = {"en": "Test cards: this shop is in test mode, no real money moves",
           "zh-hans": "测试卡：本门店处于测试模式，不会产生真实扣款"}  # fmt: skip
CARDS = {"en": ("Test card: pays", "Test card: insufficient funds", "Test card: declined"),
         "zh-hans": ("测试卡：支付成功", "测试卡：余额不足", "测试卡：被拒绝")}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pay_step_heads_its_test_cards_in_test_mode(shop, owner_client, adopter, language):  # noqa: F811
    _, link, phone = _signed(shop, owner_client, adopter)
    page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    heading = f'<h3 id="test-cards" class="h5-test-cards">{HEADING[language]}</h3>'
    assert page.count(heading) == 1 and page.count('name="card"') == 3
    # The heading comes before the choices it names, and names their form.
    assert page.index(heading) < min(page.index(card) for card in CARDS[language])
    assert 'aria-labelledby="test-cards"' in page


def test_a_live_contract_pay_step_offers_no_test_card_nor_their_heading(shop, owner_client, adopter):  # noqa: F811
    contract, link, phone = _signed(shop, owner_client, adopter)
    with schema_context(shop.schema_name):
        Contract.objects.filter(pk=contract.pk).update(livemode=True)
    for language in ("en", "zh-hans"):
        page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert HEADING[language] not in page and 'name="card"' not in page
        assert not any(card in page for card in CARDS[language])
        assert 'value="pay"' not in page
