"""The sandbox warehouse's own store: one SQLite file (or memory), one lock.

Stock versions come from one counter, so every change of any SKU's stock gets a
higher version than the one before it.
"""
import json
import sqlite3
import threading
import time
import uuid

from pawpact_warehouse.catalog import generate

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS skus (
  sku TEXT PRIMARY KEY, name TEXT, name_en TEXT, category TEXT, unit TEXT, weight_g INTEGER,
  cost_minor INTEGER, currency TEXT DEFAULT 'CNY', available INTEGER, stock_version INTEGER,
  is_active INTEGER DEFAULT 1, dirty INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS orders (
  order_id TEXT PRIMARY KEY, kind TEXT, body_hash TEXT, merchant TEXT, ship_to TEXT, status TEXT,
  created_at REAL, dispatch_by REAL, reship_of TEXT, reason TEXT, note TEXT, photos TEXT, times_received INTEGER);
CREATE TABLE IF NOT EXISTS order_lines (order_id TEXT, sku TEXT, quantity INTEGER, stock_version INTEGER);
CREATE TABLE IF NOT EXISTS shipments (
  shipment_id TEXT PRIMARY KEY, order_id TEXT, carrier TEXT, tracking_number TEXT,
  dispatched_at REAL, delivered_at REAL);
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY, type TEXT, body TEXT, created_at REAL, attempts INTEGER DEFAULT 0,
  next_at REAL, delivered_at REAL, dropped INTEGER DEFAULT 0, last_error TEXT);
CREATE TABLE IF NOT EXISTS forecasts (received_at REAL, body TEXT);
CREATE TABLE IF NOT EXISTS holds (order_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS photo_fetches (
  reship_id TEXT, url TEXT, status INTEGER, bytes INTEGER, sha256 TEXT, error TEXT, fetched_at REAL);
"""
CARRIERS = ("SF Express", "ZTO Express", "YTO Express", "JD Logistics")
RETRY_DELAYS = (5, 30, 120, 600, 3600)


class Store:
    def __init__(self, path: str = ":memory:", *, seed: int = 7) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        with self.lock:
            self.db.executescript(SCHEMA)
            if not self.db.execute("SELECT 1 FROM skus LIMIT 1").fetchone():
                self._seed(seed)

    def _seed(self, seed: int) -> None:
        rows = generate(seed)
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT INTO skus (sku, name, name_en, category, unit, weight_g, cost_minor, available, stock_version)"
            " VALUES (:sku, :name, :name_en, :category, :unit, :weight_g, :cost_minor, :available, 1)",
            rows,
        )
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', '1')")
        self.db.execute("COMMIT")

    # --- helpers -------------------------------------------------------------------
    def next_version(self) -> int:
        value = int(self.db.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0]) + 1
        self.db.execute("UPDATE meta SET value=? WHERE key='version'", (str(value),))
        return value

    def config(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def config_set(self, key: str, value: str) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def event_add(self, type_: str, data: dict, now: float) -> str:
        event_id = "evt_" + uuid.uuid4().hex
        body = {"event_id": event_id, "type": type_, "created_at": iso(now), "data": data}
        self.db.execute(
            "INSERT INTO events (event_id, type, body, created_at, next_at) VALUES (?, ?, ?, ?, ?)",
            (event_id, type_, json.dumps(body, ensure_ascii=False), now, now),
        )
        return event_id

    # --- catalog and stock ------------------------------------------------------------
    def sku_page(self, after: str, limit: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM skus WHERE sku > ? ORDER BY sku LIMIT ?", (after, limit)).fetchall()

    def skus_named(self, skus: list[str]) -> list[sqlite3.Row]:
        marks = ",".join("?" * len(skus))
        return self.db.execute(f"SELECT * FROM skus WHERE sku IN ({marks}) ORDER BY sku", skus).fetchall()

    def stock_set(self, items: list[dict]) -> int:
        """Set stock levels (a delivery came in, a count was corrected); marks them for the next push."""
        with self.lock:
            self.db.execute("BEGIN")
            changed = 0
            for item in items:
                changed += self.db.execute(
                    "UPDATE skus SET available=?, stock_version=?, dirty=1 WHERE sku=?",
                    (max(0, int(item["available"])), self.next_version(), item["sku"]),
                ).rowcount
            self.db.execute("COMMIT")
            return changed


def iso(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(at))
