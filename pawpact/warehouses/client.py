"""Signed calls to a warehouse's API. Never called inside a transaction: an external
call must not hold database locks while it waits."""
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests
from django.utils.translation import gettext as _

from pawpact.tenants.secrets import text_decrypt
from pawpact.warehouses.errors import WarehouseRefused, WarehouseUnavailable
from pawpact.warehouses.models import Warehouse
from pawpact.warehouses.signing import signed_headers

logger = logging.getLogger(__name__)
TIMEOUT = (3.05, 15)  # connect, read (seconds)
_session = requests.Session()


@dataclass
class WarehouseClient:
    base_url: str
    key_id: str
    secret: str

    @classmethod
    def for_warehouse(cls, warehouse: Warehouse) -> "WarehouseClient":
        return cls(base_url=warehouse.base_url.rstrip("/"), key_id=warehouse.key_id,
                   secret=text_decrypt(warehouse.secret_encrypted))  # fmt: skip

    def call(self, method: str, path: str, *, query: dict | None = None, payload: dict | None = None) -> dict:
        """The JSON answer of a 2xx; WarehouseRefused on 4xx; WarehouseUnavailable otherwise."""
        if query:
            path = f"{path}?{urlencode(query)}"
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() if payload is not None else b""
        signed_path = urlsplit(self.base_url).path.rstrip("/") + path
        headers = signed_headers(key_id=self.key_id, secret=self.secret, method=method, path=signed_path, body=body)
        headers["Content-Type"] = "application/json"
        try:
            response = _session.request(method, self.base_url + path, data=body or None, headers=headers, timeout=TIMEOUT)
        except requests.Timeout as error:
            raise WarehouseUnavailable(_("The warehouse did not answer in time (timeout)."), reason="timeout") from error
        except requests.RequestException as error:
            raise WarehouseUnavailable(_("The warehouse did not answer: %(error)s") % {"error": type(error).__name__},
                                       reason="unreachable", params={"error": type(error).__name__}) from error
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code >= 500 or response.status_code == 429:
            raise WarehouseUnavailable(_("The warehouse answered %(status)s.") % {"status": response.status_code},
                                       reason="server_error", params={"status": response.status_code})
        if response.status_code >= 400:
            raise WarehouseRefused(
                str(answer.get("message") or _("The warehouse refused the request.")),
                status=response.status_code, remote_code=str(answer.get("code") or ""), fields=answer.get("fields"),
            )  # fmt: skip
        return answer
