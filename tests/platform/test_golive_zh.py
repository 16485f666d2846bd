"""The go-live refusal in Chinese names the operations guide's section by its Chinese name
(the guide's heading carries both), with no English left in the sentence."""

from tests.platform.funding.test_payout_account_form import console  # noqa: F401 (fixture)


def test_a_refused_go_live_in_chinese_names_the_guides_section_with_its_meaning(console, shop):  # noqa: F811
    body = console.post(f"/console/shops/{shop.pk}/money/go-live/", {"reason": "x"},
                        HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True).content.decode()  # fmt: skip
    assert "运维手册的「正式模式」一节列出了正式模式所需的全部条件。" in body
    assert "Live mode" not in body
