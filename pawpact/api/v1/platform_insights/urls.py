"""Empty: its routes moved to pawpact.api.v1.platform. It exists only because
pawpact/config/urls_public.py still includes it; delete this package together with
that include."""

urlpatterns: list = []
