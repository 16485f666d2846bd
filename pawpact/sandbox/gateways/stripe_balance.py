"""The fake Stripe's money movements and balance: charges, refunds, transfers and payouts,
each booking a balance transaction as Stripe does, listed as Stripe lists them.

A balance transaction has Stripe's shape (id txn_…, amount and net in the currency's minor
unit, signed: refunds, transfers and payouts negative; fee; type; reporting_category;
source: the id of the charge, refund, transfer or payout, or the object itself when the
list is asked with expand[]=data.source; created as a Unix time). Lists come newest first
with `has_more`, paged with `starting_after` / `ending_before`, filtered by created[gte|gt|
lt|lte] and type, at most 100 a page.
"""

from __future__ import annotations

import time
import uuid

FEE_RATE_BPS = 340  # Stripe's card fee in China's region, for the fee and net columns
SETTLEMENT_DAYS = 2
MAX_LIMIT = 100


def error_body(kind: str, message: str, *, code: str | None = None, param: str | None = None) -> dict:
    error = {"type": kind, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return {"error": error}


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def _invalid(message: str, *, param: str | None = None, code: str | None = None) -> tuple[int, dict]:
    return 400, error_body("invalid_request_error", message, code=code, param=param)


class StripeBalance:
    """Mixed into the fake Stripe; its routes run under the fake's lock."""

    def __init__(self) -> None:
        self.charges: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.transfers: dict[str, dict] = {}
        self.payouts: dict[str, dict] = {}
        self.balance_transactions: dict[str, dict] = {}  # in booking order
        self.clock = time.time  # Unix seconds of each booking; tests may set it

    # --- booking ---

    def _book(self, *, kind: str, category: str, source: dict, amount: int, currency: str, fee: int = 0) -> dict:
        created = int(self.clock())
        txn = {
            "id": _id("txn"), "object": "balance_transaction", "amount": amount, "currency": currency,
            "fee": fee, "net": amount - fee, "type": kind, "reporting_category": category,
            "source": source["id"], "created": created, "available_on": created + SETTLEMENT_DAYS * 86_400,
            "status": "pending", "description": source.get("description"), "exchange_rate": None,
            "fee_details": [{"amount": fee, "currency": currency, "type": "stripe_fee"}] if fee else [],
        }  # fmt: skip
        source["balance_transaction"] = txn["id"]
        self.balance_transactions[txn["id"]] = txn
        return txn

    def charge_book(self, intent: dict) -> dict:
        """The charge of a succeeded PaymentIntent (its metadata copied, as Stripe copies it)."""
        charge = {
            "id": _id("ch"), "object": "charge", "amount": intent["amount"], "currency": intent["currency"],
            "payment_intent": intent["id"], "customer": intent.get("customer"), "status": "succeeded",
            "paid": True, "amount_refunded": 0, "refunded": False, "metadata": dict(intent.get("metadata") or {}),
            "created": int(self.clock()),
        }  # fmt: skip
        self.charges[charge["id"]] = charge
        fee = round(charge["amount"] * FEE_RATE_BPS / 10_000)
        self._book(kind="charge", category="charge", source=charge, amount=charge["amount"],
                   currency=charge["currency"], fee=fee)  # fmt: skip
        return charge

    def balance_transaction_add(
        self, *, amount: int, metadata: dict, kind: str = "charge", currency: str = "cny"
    ) -> dict:
        """A movement made elsewhere (the dashboard, another integration): a charge, or a refund
        when `kind` is "refund" (amount given positive), booked now; its balance transaction."""
        with self._lock:  # type: ignore[attr-defined]
            if kind == "refund":
                refund = {"id": _id("re"), "object": "refund", "amount": amount, "currency": currency,
                          "status": "succeeded", "metadata": dict(metadata), "payment_intent": None, "charge": None}  # fmt: skip
                self.refunds[refund["id"]] = refund
                return self._book(kind="refund", category="refund", source=refund, amount=-amount, currency=currency)
            intent = {"id": _id("pi"), "amount": amount, "currency": currency, "metadata": metadata}
            return self.balance_transactions[self.charge_book(intent)["balance_transaction"]]

    # --- POST routes (params already decoded) ---

    def refund_create(self, params: dict) -> tuple[int, dict]:
        intent = self.payment_intents.get(params.get("payment_intent", ""))  # type: ignore[attr-defined]
        if intent is None or intent.get("status") != "succeeded":
            return _invalid(f"No such payment_intent: '{params.get('payment_intent')}'", param="payment_intent",
                            code="resource_missing")  # fmt: skip
        charge = self.charges[intent["latest_charge"]]
        amount = int(params.get("amount") or charge["amount"] - charge["amount_refunded"])
        if amount <= 0 or amount > charge["amount"] - charge["amount_refunded"]:
            return _invalid(f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                            f"({charge['amount'] - charge['amount_refunded']})", param="amount",
                            code="amount_too_large")  # fmt: skip
        refund = {"id": _id("re"), "object": "refund", "amount": amount, "currency": charge["currency"],
                  "payment_intent": intent["id"], "charge": charge["id"], "status": "succeeded",
                  "metadata": params.get("metadata", {}), "created": int(self.clock())}  # fmt: skip
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self.refunds[refund["id"]] = refund
        self._book(kind="refund", category="refund", source=refund, amount=-amount, currency=charge["currency"])
        return 200, refund

    def _outgoing(self, params: dict, *, prefix: str, kind: str, store: dict) -> tuple[int, dict]:
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            return _invalid("Invalid integer: amount", param="amount")
        if amount <= 0 or not params.get("currency"):
            return _invalid("Amount must be positive and a currency given.", param="amount")
        item = {"id": _id(prefix), "object": kind, "amount": amount, "currency": params["currency"],
                "destination": params.get("destination"), "metadata": params.get("metadata", {}),
                "created": int(self.clock())}  # fmt: skip
        store[item["id"]] = item
        self._book(kind=kind, category=kind, source=item, amount=-amount, currency=item["currency"])
        return 200, item

    def transfer_create(self, params: dict) -> tuple[int, dict]:
        return self._outgoing(params, prefix="tr", kind="transfer", store=self.transfers)

    def payout_create(self, params: dict) -> tuple[int, dict]:
        return self._outgoing(params, prefix="po", kind="payout", store=self.payouts)

    # --- GET routes ---

    def _source(self, source_id: str) -> dict | None:
        for store in (self.charges, self.refunds, self.transfers, self.payouts):
            if source_id in store:
                return dict(store[source_id])
        return None

    def _shown(self, txn: dict, expand: set[str], prefix: str) -> dict:
        shown = dict(txn)
        if f"{prefix}source" in expand:
            shown["source"] = self._source(txn["source"]) or txn["source"]
        return shown

    def balance_transaction_get(self, txn_id: str, query: list[tuple[str, str]]) -> tuple[int, dict]:
        expand = {value for key, value in query if key.startswith("expand[")}
        with self._lock:  # type: ignore[attr-defined]
            txn = self.balance_transactions.get(txn_id)
            if txn is None:
                return 404, error_body("invalid_request_error", f"No such balance transaction: '{txn_id}'",
                                       code="resource_missing", param="id")  # fmt: skip
            return 200, self._shown(txn, expand, "")

    def balance_transactions_list(self, query: list[tuple[str, str]]) -> tuple[int, dict]:
        params = dict(query)
        expand = {value for key, value in query if key.startswith("expand[")}
        try:
            limit = int(params.get("limit", "10"))
            bounds = {
                op: int(params[f"created[{op}]"]) for op in ("gte", "gt", "lt", "lte") if f"created[{op}]" in params
            }
        except ValueError:
            return _invalid("Invalid integer in limit or created.", param="created")
        if not 1 <= limit <= MAX_LIMIT:
            return _invalid(f"Invalid limit: must be between 1 and {MAX_LIMIT}.", param="limit")
        with self._lock:  # type: ignore[attr-defined]
            ordered = list(reversed(self.balance_transactions.values()))  # newest first, as Stripe lists
            rows = [txn for txn in ordered if _created_within(txn["created"], bounds)
                    and params.get("type", txn["type"]) == txn["type"]]  # fmt: skip
            status, window = _page(rows, params)
            if status != 200:
                return status, window
            page = [self._shown(txn, expand, "data.") for txn in window["rows"][:limit]]
            if "ending_before" in params:
                page.reverse()  # the nearest `limit` before the cursor, listed newest first again
        return 200, {"object": "list", "url": "/v1/balance_transactions", "data": page,
                     "has_more": len(window["rows"]) > limit}  # fmt: skip


def _created_within(created: int, bounds: dict[str, int]) -> bool:
    checks = {"gte": created >= bounds.get("gte", created), "gt": created > bounds.get("gt", created - 1),
              "lt": created < bounds.get("lt", created + 1), "lte": created <= bounds.get("lte", created)}  # fmt: skip
    return all(checks.values())


def _page(rows: list[dict], params: dict) -> tuple[int, dict]:
    """The rows after `starting_after`, or those before `ending_before` nearest first."""
    ids = [row["id"] for row in rows]
    for cursor in ("starting_after", "ending_before"):
        if cursor in params and params[cursor] not in ids:
            return _invalid(f"No such balance transaction: '{params[cursor]}'", param=cursor, code="resource_missing")
    if "starting_after" in params:
        return 200, {"rows": rows[ids.index(params["starting_after"]) + 1 :]}
    if "ending_before" in params:
        return 200, {"rows": rows[: ids.index(params["ending_before"])][::-1]}
    return 200, {"rows": rows}
