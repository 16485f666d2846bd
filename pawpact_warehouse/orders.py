"""Orders at the sandbox warehouse: create (allocating stock), cancel, reship, read."""
import hashlib
import json
import time

from pawpact_warehouse.photos import photos_fetch_start
from pawpact_warehouse.store import iso

DISPATCH_HOURS = 24
RESHIP_HOURS = 48
REASONS = ("missing", "damaged")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def _lines_check(lines) -> list[tuple[str, int]]:
    if not isinstance(lines, list) or not lines:
        raise Refused(400, "invalid", "An order needs at least one line.", {"lines": ["At least one line."]})
    checked: dict[str, int] = {}
    for index, line in enumerate(lines):
        sku = line.get("sku") if isinstance(line, dict) else None
        quantity = line.get("quantity") if isinstance(line, dict) else None
        if not isinstance(sku, str) or not sku:
            raise Refused(400, "invalid", "Each line needs a SKU.", {f"lines.{index}.sku": ["Required."]})
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 999:
            raise Refused(400, "invalid", "Quantities are 1 to 999.", {f"lines.{index}.quantity": ["1 to 999."]})
        checked[sku] = checked.get(sku, 0) + quantity
    return list(checked.items())


def order_create(store, body: dict) -> tuple[int, dict]:
    order_id = body.get("order_id")
    if not isinstance(order_id, str) or not 1 <= len(order_id) <= 64:
        raise Refused(400, "invalid", "order_id is required.", {"order_id": ["1 to 64 characters."]})
    kind = body.get("kind")
    if kind not in ("order", "plan_box"):
        raise Refused(400, "invalid", "kind is order or plan_box.", {"kind": ["order or plan_box."]})
    ship_to = body.get("ship_to")
    if not isinstance(ship_to, dict) or not ship_to.get("address") or not ship_to.get("name"):
        raise Refused(400, "invalid", "A delivery address is required.", {"ship_to": ["Name and address."]})
    lines = _lines_check(body.get("lines"))
    return _allocate(store, order_id=order_id, kind=kind, body=body, lines=lines, hours=DISPATCH_HOURS)


def _allocate(store, *, order_id, kind, body, lines, hours, reship_of=None) -> tuple[int, dict]:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    with store.lock:
        existing = store.db.execute("SELECT body_hash FROM orders WHERE order_id=?", (order_id,)).fetchone()
        if existing is not None:
            if existing["body_hash"] != digest:
                raise Refused(409, "order_id_reused", "This order id was used for another order.")
            store.db.execute("UPDATE orders SET times_received = times_received + 1 WHERE order_id=?", (order_id,))
            return 200, order_read(store, order_id)
        known = {row["sku"]: row for row in store.skus_named([sku for sku, _ in lines])}
        unknown = [sku for sku, _ in lines if sku not in known or not known[sku]["is_active"]]
        if unknown:
            raise Refused(400, "unknown_sku", "Unknown SKU.", {"lines": [f"Unknown SKU {sku}." for sku in unknown]})
        short = [sku for sku, quantity in lines if known[sku]["available"] < quantity]
        if short:
            raise Refused(409, "out_of_stock", "Not enough stock.", {"lines": [f"{sku} is short." for sku in short]})
        now = time.time()
        store.db.execute("BEGIN")
        for sku, quantity in lines:
            version = store.next_version()
            store.db.execute("UPDATE skus SET available = available - ?, stock_version=?, dirty=1 WHERE sku=?",
                             (quantity, version, sku))  # fmt: skip
            store.db.execute("INSERT INTO order_lines VALUES (?, ?, ?, ?)", (order_id, sku, quantity, version))
        store.db.execute(
            "INSERT INTO orders (order_id, kind, body_hash, merchant, ship_to, status, created_at, dispatch_by,"
            " reship_of, reason, note, photos, times_received) VALUES (?, ?, ?, ?, ?, 'accepted', ?, ?, ?, ?, ?, ?, 1)",
            (order_id, kind, digest, json.dumps(body.get("merchant") or {}), json.dumps(body.get("ship_to") or {}),
             now, now + hours * 3600, reship_of, body.get("reason"), body.get("note"), json.dumps(body.get("photos") or [])),
        )  # fmt: skip
        store.db.execute("COMMIT")
        return 201, order_read(store, order_id)


def order_read(store, order_id: str) -> dict | None:
    row = store.db.execute("SELECT * FROM orders WHERE order_id=?", (order_id,)).fetchone()
    if row is None:
        return None
    lines = store.db.execute("SELECT sku, quantity, stock_version FROM order_lines WHERE order_id=?", (order_id,))
    shipments = store.db.execute("SELECT * FROM shipments WHERE order_id=?", (order_id,)).fetchall()
    return {
        "order_id": row["order_id"], "kind": row["kind"], "status": row["status"],
        "dispatch_by": iso(row["dispatch_by"]), "reship_of": row["reship_of"],
        "lines": [dict(line) for line in lines],
        "shipments": [{
            "shipment_id": s["shipment_id"], "carrier": s["carrier"], "tracking_number": s["tracking_number"],
            "dispatched_at": iso(s["dispatched_at"]) if s["dispatched_at"] else None,
            "delivered_at": iso(s["delivered_at"]) if s["delivered_at"] else None,
        } for s in shipments],
    }  # fmt: skip


def order_cancel(store, order_id: str) -> dict:
    with store.lock:
        row = store.db.execute("SELECT status FROM orders WHERE order_id=?", (order_id,)).fetchone()
        if row is None:
            raise Refused(404, "not_found", "No such order.")
        if row["status"] in ("dispatched", "delivered"):
            raise Refused(409, "already_dispatched", "The order has left the warehouse.")
        if row["status"] == "accepted":
            store.db.execute("BEGIN")
            for line in store.db.execute("SELECT sku, quantity FROM order_lines WHERE order_id=?", (order_id,)).fetchall():
                store.db.execute("UPDATE skus SET available = available + ?, stock_version=?, dirty=1 WHERE sku=?",
                                 (line["quantity"], store.next_version(), line["sku"]))  # fmt: skip
            store.db.execute("UPDATE orders SET status='cancelled' WHERE order_id=?", (order_id,))
            store.db.execute("COMMIT")
        return order_read(store, order_id)


def reship_create(store, order_id: str, body: dict) -> tuple[int, dict]:
    reship_id = body.get("reship_id")
    if not isinstance(reship_id, str) or not 1 <= len(reship_id) <= 64:
        raise Refused(400, "invalid", "reship_id is required.", {"reship_id": ["1 to 64 characters."]})
    if body.get("reason") not in REASONS:
        raise Refused(400, "invalid", "reason is missing or damaged.", {"reason": ["missing or damaged."]})
    lines = _lines_check(body.get("lines"))
    with store.lock:
        original = store.db.execute("SELECT * FROM orders WHERE order_id=?", (order_id,)).fetchone()
        if original is None:
            raise Refused(404, "not_found", "No such order.")
        if original["status"] not in ("dispatched", "delivered"):
            raise Refused(409, "not_dispatched", "Only a dispatched order can be reshipped.")
        ordered = dict(store.db.execute("SELECT sku, SUM(quantity) FROM order_lines WHERE order_id=? GROUP BY sku",
                                        (order_id,)).fetchall())  # fmt: skip
        wrong = [sku for sku, quantity in lines if ordered.get(sku, 0) < quantity]
        if wrong:
            raise Refused(400, "invalid", "Reship lines must be part of the order.", {"lines": wrong})
        full = {**body, "ship_to": json.loads(original["ship_to"]), "merchant": json.loads(original["merchant"])}
        status, answer = _allocate(store, order_id=reship_id, kind="reship", body=full, lines=lines,
                                   hours=RESHIP_HOURS, reship_of=order_id)  # fmt: skip
    if status == 201:  # a resend of the same reship fetches nothing again
        photos_fetch_start(store, reship_id, body.get("photos") or [])
    return status, answer


def hold_set(store, body: dict) -> dict:
    """Hold (or release) dispatch of one order (`order_id`) or of every order (`all`), so a
    tester can watch a dispatch promise run out; a held order stays accepted, undispatched."""
    hold = body.get("hold", True)
    if not isinstance(hold, bool) or ("order_id" in body) == ("all" in body):
        raise Refused(400, "invalid", "Give order_id or all, and hold true or false.",
                      {"order_id": ["order_id or all."], "hold": ["true or false."]})  # fmt: skip
    with store.lock:
        if "all" in body:
            store.config_set("hold_dispatch", "1" if body["all"] and hold else "0")
        elif hold:
            store.db.execute("INSERT OR IGNORE INTO holds VALUES (?)", (str(body["order_id"]),))
        else:
            store.db.execute("DELETE FROM holds WHERE order_id=?", (str(body["order_id"]),))
    return holds(store)


def holds(store) -> dict:
    with store.lock:
        held = [row[0] for row in store.db.execute("SELECT order_id FROM holds ORDER BY order_id")]
    return {"all": store.config("hold_dispatch") == "1", "orders": held}
