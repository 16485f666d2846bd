"""What the sandbox warehouse does by itself: dispatch after a delay, deliver later,
push stock changes, and deliver callbacks (signed, retried with backoff)."""
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from pawpact_warehouse.signing import headers_for
from pawpact_warehouse.store import CARRIERS, RETRY_DELAYS, iso

STOCK_PUSH_BATCH = 10_000


def tick(store, *, key_id: str, secret: str, now: float | None = None) -> dict:
    """One round of work; returns what it did (tests call it instead of waiting)."""
    now = time.time() if now is None else now
    done = {"dispatched": _dispatch_due(store, now), "delivered": _deliver_due(store, now)}
    done["stock_pushed"] = _stock_push(store, now)
    done["callbacks"] = _callbacks_send(store, now, key_id=key_id, secret=secret)
    return done


def _dispatch_due(store, now: float) -> int:
    delay = float(store.config("dispatch_delay", "60"))
    if store.config("hold_dispatch") == "1":  # a tester holds every dispatch
        return 0
    with store.lock:
        due = store.db.execute(
            "SELECT order_id FROM orders WHERE status='accepted' AND created_at <= ?"
            " AND order_id NOT IN (SELECT order_id FROM holds) ORDER BY created_at", (now - delay,)
        ).fetchall()
        for row in due:
            shipment_id = "shp_" + uuid.uuid4().hex[:16]
            carrier = CARRIERS[hash(row["order_id"]) % len(CARRIERS)]
            tracking = f"{carrier[:2].upper()}{uuid.uuid4().int % 10**12:012d}"
            store.db.execute("BEGIN")
            store.db.execute("INSERT INTO shipments VALUES (?, ?, ?, ?, ?, NULL)",
                             (shipment_id, row["order_id"], carrier, tracking, now))  # fmt: skip
            store.db.execute("UPDATE orders SET status='dispatched' WHERE order_id=?", (row["order_id"],))
            store.event_add("shipment.dispatched", {
                "order_id": row["order_id"], "shipment_id": shipment_id, "carrier": carrier,
                "tracking_number": tracking, "dispatched_at": iso(now)}, now)  # fmt: skip
            store.db.execute("COMMIT")
        return len(due)


def _deliver_due(store, now: float) -> int:
    delay = float(store.config("delivery_delay", "3600"))
    with store.lock:
        due = store.db.execute(
            "SELECT s.* FROM shipments s JOIN orders o ON o.order_id = s.order_id"
            " WHERE o.status='dispatched' AND s.delivered_at IS NULL AND s.dispatched_at <= ?", (now - delay,)
        ).fetchall()
        for row in due:
            store.db.execute("BEGIN")
            store.db.execute("UPDATE shipments SET delivered_at=? WHERE shipment_id=?", (now, row["shipment_id"]))
            store.db.execute("UPDATE orders SET status='delivered' WHERE order_id=?", (row["order_id"],))
            store.event_add("shipment.delivered", {
                "order_id": row["order_id"], "shipment_id": row["shipment_id"], "carrier": row["carrier"],
                "tracking_number": row["tracking_number"], "delivered_at": iso(now)}, now)  # fmt: skip
            store.db.execute("COMMIT")
        return len(due)


def _stock_push(store, now: float) -> int:
    with store.lock:
        rows = store.db.execute(
            "SELECT sku, available, stock_version FROM skus WHERE dirty=1 ORDER BY sku LIMIT ?", (STOCK_PUSH_BATCH,)
        ).fetchall()
        if not rows:
            return 0
        store.db.execute("BEGIN")
        store.db.executemany("UPDATE skus SET dirty=0 WHERE sku=? AND stock_version=?",
                             [(row["sku"], row["stock_version"]) for row in rows])  # fmt: skip
        store.event_add("stock.changed", {"items": [dict(row) for row in rows]}, now)
        store.db.execute("COMMIT")
        return len(rows)


def _callbacks_send(store, now: float, *, key_id: str, secret: str) -> int:
    url = store.config("callback_url")
    if not url:
        return 0
    with store.lock:
        pending = store.db.execute(
            "SELECT event_id, body, attempts FROM events WHERE delivered_at IS NULL AND dropped=0 AND next_at <= ?"
            " ORDER BY created_at LIMIT 50", (now,)
        ).fetchall()
    sent = 0
    for row in pending:
        if store.config("drop_callbacks") == "1":
            # Lost on the way: the warehouse believes it was delivered.
            with store.lock:
                store.db.execute("UPDATE events SET dropped=1, delivered_at=? WHERE event_id=?", (now, row["event_id"]))
            continue
        error = _post(url, row["body"].encode(), key_id=key_id, secret=secret)
        with store.lock:
            if error is None:
                store.db.execute("UPDATE events SET delivered_at=?, attempts=attempts+1 WHERE event_id=?",
                                 (now, row["event_id"]))  # fmt: skip
                sent += 1
            else:
                delay = RETRY_DELAYS[min(row["attempts"], len(RETRY_DELAYS) - 1)]
                store.db.execute("UPDATE events SET attempts=attempts+1, next_at=?, last_error=? WHERE event_id=?",
                                 (now + delay, error, row["event_id"]))  # fmt: skip
    return sent


def _post(url: str, body: bytes, *, key_id: str, secret: str) -> str | None:
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    request = urllib.request.Request(url, data=body, method="POST", headers=headers_for(key_id, secret, "POST", path, body))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return str(error)[:200]


class Worker(threading.Thread):
    def __init__(self, store, *, key_id: str, secret: str, every: float = 0.5) -> None:
        super().__init__(daemon=True, name="warehouse-worker")
        self.store, self.key_id, self.secret, self.every = store, key_id, secret, every
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            if self.store.config("paused") != "1":
                tick(self.store, key_id=self.key_id, secret=self.secret)

