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



def test_shop_hosts_have_no_django_admin(shop):
    """Staff work in the workspace; the admin is the platform's, on the public host only."""
    from django.test import Client

    from tests.conftest import SHOP_PASSWORD, host_of

    client = Client(HTTP_HOST=host_of(shop))
    client.post("/accounts/login/", {"login": shop.owner.email, "password": SHOP_PASSWORD})
    for url in ("/admin/", "/admin/login/", "/admin/billing/contract/", "/admin/accounts/user/"):
        assert client.get(url).status_code == 404, url
