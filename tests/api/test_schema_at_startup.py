"""A web process builds the API's schemas when it starts (pawpact.config.wsgi), so the strict
query check never builds one inside a request: each worker's first API call is as fast as the rest."""
import importlib

from pawpact.api.strict_query import documented_query_parameters


def test_the_wsgi_module_builds_both_schemas_and_requests_reuse_them(api_client, shop_staff):
    documented_query_parameters.cache_clear()
    import pawpact.config.wsgi

    importlib.reload(pawpact.config.wsgi)
    built = documented_query_parameters.cache_info()
    assert (built.currsize, built.misses) == (2, 2)  # the shops' API and the platform's
    api_client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    refused = api_client.get("/api/v1/contracts", {"colour": "red"})
    assert (refused.status_code, refused.json()["code"]) == (400, "unknown_parameter")
    assert api_client.get("/api/v1/contracts", {"status": "active"}).status_code == 200
    after = documented_query_parameters.cache_info()
    assert (after.misses, after.currsize) == (2, 2) and after.hits >= 2
