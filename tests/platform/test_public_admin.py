from pawpact.accounts.models import User


def test_public_admin_lists_only_public_apps(public_client, db):
    admin = User.objects.create_superuser("root@pawpact.test", "pw-long-enough-1")
    public_client.force_login(admin)
    page = public_client.get("/admin/")
    assert page.status_code == 200
    body = page.content.decode()
    for app in ("billing", "messaging", "loyalty", "storefront"):
        assert f"/admin/{app}/" not in body, app
    for url in ("/admin/billing/contract/", "/admin/messaging/message/"):
        assert public_client.get(url).status_code in (403, 404), url  # never a page, never a 500


def test_shop_back_office_pages_answer_for_the_owner(shop):
    """Every model page the shop's back office offers renders (no public table behind a shop page)."""
    import re

    from django.test import Client

    from tests.conftest import SHOP_PASSWORD, host_of

    client = Client(HTTP_HOST=host_of(shop))
    client.post("/admin/login/?next=/admin/", {"username": shop.owner.email, "password": SHOP_PASSWORD})
    index = client.get("/admin/").content.decode()
    pages = sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', index)))
    assert len(pages) > 10
    opened = []
    for page in pages:
        listing = client.get(page)
        assert listing.status_code == 200, page
        # The first row of each list opens too (read-only or not): a form that assumes
        # its fields once answered 500 on every saved plan version.
        rows = re.findall(rf'href="({page}\d+/change/)[^"]*"', listing.content.decode())
        if rows:
            assert client.get(rows[0]).status_code == 200, rows[0]
            opened.append(page)
    assert "/admin/billing/planversion/" in opened
