"""The reship's photos, fetched over HTTP from the signed links in the request, the way a
partner's support desk looks at the damage before packing the parcel again. Each link's
outcome is recorded (`GET /_sandbox/orders` lists it), so tests and testers see whether
the shop's links served the files."""
import hashlib
import http.client
import threading
import time
from urllib.parse import urlsplit

TIMEOUT = 10
MAX_BYTES = 10 * 1024 * 1024


def photos_fetch_start(store, reship_id: str, urls: list) -> threading.Thread | None:
    """Fetch in the background: the reship is answered at once, whatever the links do."""
    urls = [url for url in urls if isinstance(url, str)][:6]
    if not urls:
        return None
    thread = threading.Thread(target=_fetch_all, args=(store, reship_id, urls), daemon=True, name="photo-fetch")
    thread.start()
    return thread


def _fetch_all(store, reship_id: str, urls: list[str]) -> None:
    for url in urls:
        status, body, error = _get(url)
        with store.lock:
            store.db.execute(
                "INSERT INTO photo_fetches (reship_id, url, status, bytes, sha256, error, fetched_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (reship_id, url, status, len(body), hashlib.sha256(body).hexdigest() if status == 200 else "",
                 error, time.time()),
            )  # fmt: skip


def _get(url: str) -> tuple[int, bytes, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return 0, b"", "not an http(s) link"
    # *.localhost names the machine itself (RFC 6761), as browsers treat it: the dev
    # stack's shop hosts resolve without a hosts file.
    address = "127.0.0.1" if parts.hostname == "localhost" or parts.hostname.endswith(".localhost") else parts.hostname
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(address, parts.port, timeout=TIMEOUT)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Host": parts.netloc})
        response = connection.getresponse()
        return response.status, response.read(MAX_BYTES), ""
    except OSError as error:
        return 0, b"", str(error)[:200]
    finally:
        connection.close()


def photo_fetches(store) -> list[dict]:
    with store.lock:
        rows = store.db.execute("SELECT reship_id, url, status, bytes, sha256, error FROM photo_fetches ORDER BY rowid")
        return [dict(row) for row in rows.fetchall()]
