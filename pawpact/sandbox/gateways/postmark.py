"""A local fake of Postmark's send API, the ESP the email adapter's tests speak to.

    gateway = FakePostmark().start()
    gateway.server_register("server-token", sender="shop@example.com")

`POST /email` with `X-Postmark-Server-Token` sends one message (kept in `sent`) when the
token is known and the From address is a confirmed sender signature, and answers as
Postmark does: `{"ErrorCode": 0, "MessageID": ...}`, or 401 / 422 with its error codes.
"""

from __future__ import annotations

import json
import re
import uuid
from email.utils import parseaddr

from pawpact.sandbox.gateways.base import FakeGateway

INACTIVE_RECIPIENT = 406


class FakePostmark(FakeGateway):
    def __init__(self, *, latency_seconds: float = 0.0) -> None:
        super().__init__(latency_seconds=latency_seconds)
        self.servers: dict[str, set[str]] = {}  # token → confirmed sender addresses
        self.inactive: set[str] = set()  # recipients who bounced or complained before
        self.sent: list[dict] = []

    def server_register(self, token: str, *, sender: str) -> None:
        self.servers.setdefault(token, set()).add(sender.lower())

    def handle(self, handler, method, body):
        token = handler.headers.get("X-Postmark-Server-Token", "")
        if token not in self.servers:
            return 401, json.dumps({"ErrorCode": 10, "Message": "Bad or missing Server API token."}).encode(), {}
        if method != "POST" or handler.path.rstrip("/") != "/email":
            return 404, json.dumps({"ErrorCode": 404, "Message": "Not found"}).encode(), {}
        message = json.loads(body or b"{}")
        sender = parseaddr(message.get("From", ""))[1].lower()
        if sender not in self.servers[token]:
            text = f"The 'From' address you supplied ({sender}) is not a Sender Signature on your account."
            return 422, json.dumps({"ErrorCode": 400, "Message": text}).encode(), {}
        to = message.get("To", "")
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", parseaddr(to)[1]):
            return 422, json.dumps({"ErrorCode": 300, "Message": f"Invalid 'To' address: '{to}'."}).encode(), {}
        if parseaddr(to)[1].lower() in self.inactive:
            text = (f"You tried to send to a recipient that has been marked as inactive.\nFound inactive addresses: "
                    f"{parseaddr(to)[1].lower()}.\nInactive recipients are ones that have generated a hard bounce "
                    "or a spam complaint.")  # fmt: skip
            answer = {"ErrorCode": INACTIVE_RECIPIENT, "Message": text}
            return 422, json.dumps(answer).encode(), {}
        message_id = str(uuid.uuid4())
        self.sent.append({**message, "MessageID": message_id})
        answer = {"To": to, "SubmittedAt": "2026-01-01T00:00:00Z", "MessageID": message_id, "ErrorCode": 0,
                  "Message": "OK"}  # fmt: skip
        return 200, json.dumps(answer).encode(), {}
