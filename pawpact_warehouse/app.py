"""The sandbox warehouse's HTTP interface: a small WSGI application.

Protocol routes under /v1/ (docs/warehouse-protocol.md); sandbox controls under
/_sandbox/ (faults, stock, configuration, a manual tick, order counts), signed the same
way, for the dev stack and the fault tests.
"""
import json
import re
import time
from urllib.parse import parse_qsl

from pawpact_warehouse import orders
from pawpact_warehouse.catalog import describe, image_svg
from pawpact_warehouse.photos import photo_fetches
from pawpact_warehouse.signing import Verifier
from pawpact_warehouse.store import iso
from pawpact_warehouse.worker import tick

CURSOR = re.compile(r"^[A-Za-z0-9-]{0,40}$")
IMAGE = re.compile(r"^/images/(?P<sku>[A-Za-z0-9-]{1,40})\.svg$")
ORDER = re.compile(r"^/v1/orders/(?P<order_id>[^/]{1,64})(?P<tail>/cancel|/reships)?$")
CONFIG_KEYS = ("dispatch_delay", "delivery_delay", "callback_url", "paused", "hold_dispatch")
FAULT_KEYS = ("down", "slow_seconds", "drop_callbacks")


class WarehouseApp:
    def __init__(self, store, *, key_id: str, secret: str, name: str = "Sandbox Cloud Warehouse") -> None:
        self.store, self.key_id, self.secret, self.name = store, key_id, secret, name
        self.verifier = Verifier(key_id, secret)

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        full_path = path + (f"?{query}" if query else "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        image = IMAGE.match(path) if method == "GET" else None
        if image:  # pictures are public, as on a CDN: shop frontends show them unsigned
            return self.image(start_response, image["sku"])
        problem = self.verifier.problem(environ, method, full_path, body)
        if problem is not None:
            return _answer(start_response, 401, _error(problem, "The request is not signed correctly."))
        if not path.startswith("/_sandbox/"):
            if self.store.config("down") == "1":
                return _answer(start_response, 503, _error("unavailable", "The warehouse is down."))
            slow = float(self.store.config("slow_seconds", "0") or 0)
            if slow:
                time.sleep(slow)
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return _answer(start_response, 400, _error("invalid", "The body is not JSON."))
        try:
            base_url = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', 'localhost')}"
            status, payload = self.route(method, path, _query(query), data, base_url=base_url)
        except orders.Refused as refused:
            status, payload = refused.status, _error(refused.code, refused.message, refused.fields)
        return _answer(start_response, status, payload)

    def route(self, method: str, path: str, query: dict, data, *, base_url: str = "") -> tuple[int, dict]:
        routes = {
            ("GET", "/v1/ping"): lambda: (200, {"warehouse": self.name, "time": iso(time.time()), "sandbox": True,
                                                "skus": self.store.db.execute("SELECT COUNT(*) FROM skus").fetchone()[0]}),
            ("PUT", "/v1/callback"): lambda: self.callback_set(data),
            ("GET", "/v1/catalog"): lambda: self.page(query, catalog=True, base_url=base_url),
            ("GET", "/v1/stock"): lambda: self.page(query, catalog=False),
            ("POST", "/v1/orders"): lambda: orders.order_create(self.store, _dict(data)),
            ("PUT", "/v1/forecast"): lambda: self.forecast(data),
            ("POST", "/_sandbox/faults"): lambda: self.settings_set(data, FAULT_KEYS),
            ("POST", "/_sandbox/config"): lambda: self.settings_set(data, CONFIG_KEYS),
            ("POST", "/_sandbox/stock"): lambda: (200, {"changed": self.store.stock_set(_dict(data).get("items") or [])}),
            ("POST", "/_sandbox/tick"): lambda: (200, tick(self.store, key_id=self.key_id, secret=self.secret,
                                                             now=time.time() + float(_dict(data).get("ahead", 0)))),
            ("GET", "/_sandbox/orders"): lambda: (200, self.orders_summary()),
            ("POST", "/_sandbox/holds"): lambda: (200, orders.hold_set(self.store, _dict(data))),
            ("GET", "/_sandbox/holds"): lambda: (200, orders.holds(self.store)),
        }  # fmt: skip
        handler = routes.get((method, path))
        if handler is not None:
            return handler()
        match = ORDER.match(path)
        if match:
            return self.order_route(method, match["order_id"], match["tail"], data)
        return 404, _error("not_found", "No such address.")

    def order_route(self, method: str, order_id: str, tail: str | None, data) -> tuple[int, dict]:
        if method == "GET" and not tail:
            order = orders.order_read(self.store, order_id)
            return (200, order) if order else (404, _error("not_found", "No such order."))
        if method == "POST" and tail == "/cancel":
            return 200, orders.order_cancel(self.store, order_id)
        if method == "POST" and tail == "/reships":
            return orders.reship_create(self.store, order_id, _dict(data))
        return 405, _error("method_not_allowed", "Not allowed here.")

    def callback_set(self, data) -> tuple[int, dict]:
        url = _dict(data).get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise orders.Refused(400, "invalid", "An http(s) URL is required.", {"url": ["An http(s) URL."]})
        self.store.config_set("callback_url", url)
        return 200, {"url": url}

    def page(self, query: dict, *, catalog: bool, base_url: str = "") -> tuple[int, dict]:
        if query.get("skus"):
            rows = self.store.skus_named([s for s in query["skus"].split(",") if s][:1000])
            return 200, {"items": [_item(row, catalog, base_url) for row in rows], "next_cursor": None}
        cursor = query.get("cursor", "")
        try:
            limit = int(query.get("limit", "200"))
        except ValueError:
            limit = 0
        if not CURSOR.match(cursor) or not 1 <= limit <= (500 if catalog else 1000):
            raise orders.Refused(400, "invalid", "Bad cursor or limit.", {"limit": ["1 to 500 (stock: 1000)."]})
        rows = self.store.sku_page(cursor, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        items = [_item(row, catalog, base_url) for row in rows]
        return 200, {"items": items, "next_cursor": rows[-1]["sku"] if more else None}

    def image(self, start_response, sku: str):
        rows = self.store.skus_named([sku])
        if not rows:
            return _answer(start_response, 404, _error("not_found", "No such image."))
        body = image_svg(sku, rows[0]["category"])
        start_response("200 OK", [("Content-Type", "image/svg+xml"), ("Content-Length", str(len(body))),
                                  ("Cache-Control", "public, max-age=86400")])  # fmt: skip
        return [body]

    def forecast(self, data) -> tuple[int, dict]:
        if not isinstance(_dict(data).get("items"), list):
            raise orders.Refused(400, "invalid", "items is a list.", {"items": ["A list."]})
        with self.store.lock:
            self.store.db.execute("INSERT INTO forecasts VALUES (?, ?)", (time.time(), json.dumps(data)))
        return 200, {"items": len(data["items"])}

    def settings_set(self, data, keys) -> tuple[int, dict]:
        data = _dict(data)
        for key in keys:
            if key in data:
                value = data[key]
                self.store.config_set(key, "1" if value is True else "0" if value is False else str(value))
        return 200, {key: self.store.config(key) for key in keys}

    def orders_summary(self) -> dict:
        rows = self.store.db.execute("SELECT order_id, kind, status, times_received, reship_of FROM orders").fetchall()
        forecasts = self.store.db.execute("SELECT body FROM forecasts ORDER BY received_at DESC LIMIT 1").fetchone()
        return {"orders": [dict(row) for row in rows], "forecast": json.loads(forecasts[0]) if forecasts else None,
                "forecasts_received": self.store.db.execute("SELECT COUNT(*) FROM forecasts").fetchone()[0],
                "photo_fetches": photo_fetches(self.store)}  # fmt: skip


def _item(row, catalog: bool, base_url: str) -> dict:
    item = {"sku": row["sku"], "available": row["available"], "stock_version": row["stock_version"]}
    if catalog:
        item.update({key: row[key] for key in ("name", "name_en", "category", "unit", "weight_g", "cost_minor",
                                                 "currency")})  # fmt: skip
        item["is_active"] = bool(row["is_active"])
        item["description"], item["description_en"] = describe(row)
        item["image_urls"] = [f"{base_url}/images/{row['sku']}.svg"]
    return item


def _dict(data) -> dict:
    if not isinstance(data, dict):
        raise orders.Refused(400, "invalid", "The body must be a JSON object.")
    return data


def _query(query: str) -> dict:
    return dict(parse_qsl(query))


def _error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _answer(start_response, status: int, payload: dict):
    body = json.dumps(payload, ensure_ascii=False).encode()
    reason = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
              405: "Method Not Allowed", 409: "Conflict", 503: "Service Unavailable"}.get(status, "Status")  # fmt: skip
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
