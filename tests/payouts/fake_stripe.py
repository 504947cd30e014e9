"""A fake Stripe API on loopback that the real ``stripe`` SDK talks to (``api_base``).

It keeps the state a cooperative's Stripe account has (payment intents, charges,
refunds, disputes, Checkout Sessions, Express accounts, the balance and transfers),
answers in Stripe's JSON shapes and error format, and emits events shaped like the
documented payloads (``payment_intent.succeeded``, ``payment_intent.payment_failed``,
``charge.refunded``, ``charge.dispute.created``/``closed``, ``transfer.reversed``,
``account.updated``), signed with ``stripe.WebhookSignature.generate_signature_header``.

Idempotency works as Stripe documents it: a POST with an ``Idempotency-Key`` seen
before returns the stored response (the same status and body, a stored 500 too) and
has no second effect; the same key with other parameters is an idempotency error; the
same key while the first request is still running is a 409.

Faults (``fault(...)``) are injected per path and count:

* ``"unavailable"``: a 503 before anything runs; nothing is stored (a retry succeeds);
* ``"error"``: a 500 that is stored under the key; with ``commit=True`` the effect
  happened all the same (Stripe then says 500 for ever; only a read tells the truth);
* ``"timeout"``: the effect commits and the answer is stored, but it comes only after
  ``delay`` seconds (longer than the client waits);
* ``"drop"``: the effect commits and the answer is stored, then the connection is
  closed without an answer.

``on_effect(path, obj)`` is called after an effect committed and before the answer is
sent: the worker-crash test kills the worker there.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

API_VERSION = "2026-10-28.endive"


def decode_params(pairs: list[tuple[str, str]]) -> dict:
    """``a[b][0]=x`` form keys (as the SDK encodes them) into nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part, _following in itertools.pairwise(parts):
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def listify(node):
        if isinstance(node, dict):
            node = {k: listify(v) for k, v in node.items()}
            if node and all(k.isdigit() for k in node):
                return [node[k] for k in sorted(node, key=int)]
        return node

    return listify(root)


@dataclass
class Fault:
    method: str
    path: str
    kind: str
    times: int
    commit: bool = False
    delay: float = 2.0
    status: int = 500


class FakeStripe:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.objects: dict[str, dict] = {}
        self.available_cents = 0
        self.events: list[dict] = []
        self.requests: list[dict] = []
        self.faults: list[Fault] = []
        self.on_effect = None
        # Where the hosted pages deliver events, like a webhook endpoint set up at Stripe.
        self.webhook_target: tuple[str, str] | None = None
        self.deliveries: list[tuple[str, int]] = []
        self.links: dict[str, dict] = {}
        self._idempotency: dict[str, tuple[str, int, str]] = {}
        self._in_flight: set[str] = set()
        self._clock = itertools.count(int(time.time()))
        self._server: ThreadingHTTPServer | None = None

    # --- server --------------------------------------------------------------------

    def start(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def do_DELETE(self):
                fake._handle(self, "DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- test controls ------------------------------------------------------------

    def fault(self, method: str, path: str, kind: str, *, times: int = 1, **options) -> None:
        self.faults.append(Fault(method, path, kind, times, **options))

    def now(self) -> int:
        return next(self._clock)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(8)}"

    def top_up(self, cents: int) -> None:
        with self.lock:
            self.available_cents += cents

    def of_type(self, kind: str) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(o) for o in self.objects.values() if o["object"] == kind]

    def pay(self, payment_intent: str, *, method: str = "ideal") -> dict:
        """The client pays: the intent succeeds, a charge exists, the balance grows."""
        with self.lock:
            pi = self.objects[payment_intent]
            charge = self._put(
                {
                    "id": self.new_id("ch"),
                    "object": "charge",
                    "amount": pi["amount"],
                    "amount_captured": pi["amount"],
                    "amount_refunded": 0,
                    "currency": pi["currency"],
                    "payment_intent": pi["id"],
                    "paid": True,
                    "refunded": False,
                    "disputed": False,
                    "status": "succeeded",
                    "metadata": dict(pi["metadata"]),
                    "payment_method_details": {"type": method, method: {}},
                    "created": self.now(),
                    "livemode": False,
                }
            )
            pi.update(
                status="succeeded",
                amount_received=pi["amount"],
                latest_charge=charge["id"],
                payment_method=self.new_id("pm"),
                last_payment_error=None,
            )
            self.available_cents += pi["amount"]
            session = self._session_of(pi["id"])
            if session:
                session.update(status="complete", payment_status="paid")
            return self._emit("payment_intent.succeeded", pi)

    def fail_payment(self, payment_intent: str, *, message: str = "The bank declined.") -> dict:
        with self.lock:
            pi = self.objects[payment_intent]
            pi.update(
                status="requires_payment_method",
                last_payment_error={
                    "code": "payment_intent_payment_attempt_failed",
                    "message": message,
                    "type": "invalid_request_error",
                },
            )
            return self._emit("payment_intent.payment_failed", pi)

    def refund(
        self, charge_id: str, amount: int | None = None, *, reason: str = "requested_by_customer"
    ) -> dict:
        with self.lock:
            charge = self.objects[charge_id]
            amount = amount or charge["amount"] - charge["amount_refunded"]
            self._put(
                {
                    "id": self.new_id("re"),
                    "object": "refund",
                    "amount": amount,
                    "charge": charge_id,
                    "payment_intent": charge["payment_intent"],
                    "currency": charge["currency"],
                    "status": "succeeded",
                    "reason": reason,
                    "created": self.now(),
                    "metadata": {},
                }
            )
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            self.available_cents -= amount
            return self._emit("charge.refunded", charge)

    def dispute(self, charge_id: str, *, reason: str = "fraudulent") -> dict:
        with self.lock:
            charge = self.objects[charge_id]
            dispute = self._put(
                {
                    "id": self.new_id("dp"),
                    "object": "dispute",
                    "amount": charge["amount"],
                    "charge": charge_id,
                    "payment_intent": charge["payment_intent"],
                    "currency": charge["currency"],
                    "reason": reason,
                    "status": "needs_response",
                    "created": self.now(),
                    "is_charge_refundable": False,
                    "metadata": {},
                }
            )
            charge["disputed"] = True
            self.available_cents -= dispute["amount"]
            return self._emit("charge.dispute.created", dispute)

    def close_dispute(self, dispute_id: str, *, won: bool) -> dict:
        with self.lock:
            dispute = self.objects[dispute_id]
            dispute["status"] = "won" if won else "lost"
            if won:
                self.available_cents += dispute["amount"]
            return self._emit("charge.dispute.closed", dispute)

    def reverse_transfer(self, transfer_id: str) -> dict:
        with self.lock:
            transfer = self.objects[transfer_id]
            reversal = {
                "id": self.new_id("trr"),
                "object": "transfer_reversal",
                "amount": transfer["amount"],
                "currency": transfer["currency"],
                "transfer": transfer_id,
                "created": self.now(),
                "metadata": {},
            }
            transfer["reversals"]["data"].append(reversal)
            transfer["reversals"]["total_count"] += 1
            transfer["amount_reversed"] = transfer["amount"]
            transfer["reversed"] = True
            self.available_cents += transfer["amount"]
            return self._emit("transfer.reversed", transfer)

    def update_account(self, account_id: str, **fields) -> dict:
        with self.lock:
            account = self.objects[account_id]
            account.update(fields)
            return self._emit("account.updated", account, account=account_id)

    def send_webhook(self, event: dict) -> int | None:
        """POST the signed event to ``webhook_target``, as Stripe does; returns the status."""
        if not self.webhook_target:
            return None
        import urllib.error
        import urllib.request

        url, secret = self.webhook_target
        body, header = self.signed(event, secret)
        request = urllib.request.Request(
            url,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        self.deliveries.append((event["id"], status))
        return status

    def signed(self, event: dict, secret: str) -> tuple[str, str]:
        """The body and ``Stripe-Signature`` header Stripe would send for ``event``."""
        body = json.dumps(event)
        return body, stripe.WebhookSignature.generate_signature_header(body, secret)

    # --- internals ----------------------------------------------------------------

    def _put(self, obj: dict) -> dict:
        self.objects[obj["id"]] = obj
        return obj

    def _session_of(self, payment_intent: str) -> dict | None:
        for obj in self.objects.values():
            if obj["object"] == "checkout.session" and obj.get("payment_intent") == payment_intent:
                return obj
        return None

    def _emit(self, kind: str, obj: dict, account: str | None = None) -> dict:
        event = {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        if account:
            event["account"] = account
        self.events.append(event)
        return copy.deepcopy(event)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and path.startswith(fault.path):
                    fault.times -= 1
                    return fault
        return None

    @staticmethod
    def _error(
        status: int,
        message: str,
        *,
        kind: str = "invalid_request_error",
        code: str = "",
        param: str = "",
    ):
        body = {"error": {"type": kind, "message": message}}
        if code:
            body["error"]["code"] = code
        if param:
            body["error"]["param"] = param
        return status, body

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path = parts.path
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode() if length else ""
        params = decode_params(
            parse_qsl(raw if method == "POST" else parts.query, keep_blank_values=True)
        )
        if path.startswith(("/pay/", "/connect/onboarding/")):
            return self._hosted_page(handler, method, path, raw)
        api_key = (handler.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        key = handler.headers.get("Idempotency-Key") if method == "POST" else None
        with self.lock:
            self.requests.append(
                {
                    "method": method,
                    "path": path,
                    "idempotency_key": key,
                    "api_key": api_key,
                    "params": params,
                }
            )
        if not api_key.startswith(("sk_", "rk_")):
            return self._send(
                handler,
                *self._error(401, "Invalid API Key provided.", kind="invalid_request_error"),
            )
        fault = self._take_fault(method, path)
        if fault and fault.kind == "unavailable":
            return self._send(handler, *self._error(503, "Service unavailable.", kind="api_error"))
        fingerprint = hashlib.sha256(f"{method} {path} {raw}".encode()).hexdigest()
        if key:
            with self.lock:
                stored = self._idempotency.get(key)
                if stored and stored[0] != fingerprint:
                    return self._send(
                        handler,
                        *self._error(
                            400,
                            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                            kind="idempotency_error",
                        ),
                    )
                if stored:
                    return self._send(handler, stored[1], json.loads(stored[2]), replayed=True)
                if key in self._in_flight:
                    return self._send(
                        handler,
                        *self._error(
                            409,
                            "There is currently another in-progress request using this Idempotency-Key.",
                            kind="idempotency_error",
                        ),
                    )
                self._in_flight.add(key)
        try:
            if fault and fault.kind == "error" and not fault.commit:
                status, body = self._error(
                    fault.status, "An unknown error occurred.", kind="api_error"
                )
            else:
                with self.lock:
                    status, body = self._route(method, path, params)
                if fault and fault.kind == "error":
                    status, body = self._error(
                        fault.status, "An unknown error occurred.", kind="api_error"
                    )
            if key and status != 409:
                with self.lock:
                    self._idempotency[key] = (fingerprint, status, json.dumps(body))
        finally:
            if key:
                with self.lock:
                    self._in_flight.discard(key)
        if method == "POST" and status < 300 and self.on_effect:
            self.on_effect(path, body)
        if fault and fault.kind == "drop":
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(2)
            return None
        if fault and fault.kind == "timeout":
            time.sleep(fault.delay)
        return self._send(handler, status, body)

    def _hosted_page(self, handler, method: str, path: str, raw: str) -> None:
        """The pages Stripe hosts: Checkout (pay with iDEAL or card) and Express onboarding."""
        parts = path.strip("/").split("/")
        if parts[0] == "pay":
            session = self.objects.get(parts[1])
            if not session or session["object"] != "checkout.session":
                return self._send_html(handler, 404, "<h1>No such session</h1>")
            if method == "POST":
                chosen = dict(parse_qsl(raw)).get("method", "card")
                event = self.pay(session["payment_intent"], method=chosen)
                self.send_webhook(event)
                return self._redirect(handler, session["success_url"])
            amount = f"{session['amount_total'] / 100:.2f}"
            return self._send_html(
                handler,
                200,
                (
                    f"<h1>Fake Stripe Checkout</h1><p id='amount'>EUR {amount}</p><form method='post'>"
                    "<button name='method' value='ideal' id='pay-ideal'>iDEAL</button>"
                    "<button name='method' value='card' id='pay-card'>Card</button></form>"
                ),
            )
        account_id, link = parts[2], self.links.get(parts[3] if len(parts) > 3 else "")
        if link is None or link.get("account") != account_id:
            return self._send_html(handler, 404, "<h1>This link expired</h1>")
        if method == "POST":
            event = self.update_account(account_id, payouts_enabled=True, details_submitted=True)
            self.send_webhook(event)
            return self._redirect(handler, link["return_url"])
        return self._send_html(
            handler,
            200,
            (
                "<h1>Fake Stripe Express onboarding</h1><form method='post'>"
                "<button id='finish-onboarding'>Submit</button></form>"
            ),
        )

    def _send_html(self, handler, status: int, html: str) -> None:
        data = f"<!doctype html><html><body>{html}</body></html>".encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _redirect(self, handler, location: str) -> None:
        handler.send_response(303)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _send(self, handler, status: int, body: dict, replayed: bool = False) -> None:
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("Request-Id", self.new_id("req"))
            if replayed:
                handler.send_header("Idempotent-Replayed", "true")
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass

    ROUTES = (
        ("POST", r"/v1/checkout/sessions", "_post_checkout_sessions"),
        ("GET", r"/v1/checkout/sessions/([^/]+)", "_get_checkout_session"),
        ("GET", r"/v1/payment_intents/([^/]+)", "_get_payment_intent"),
        ("GET", r"/v1/charges/([^/]+)", "_get_charge"),
        ("GET", r"/v1/refunds", "_get_refunds"),
        ("POST", r"/v1/accounts", "_post_accounts"),
        ("GET", r"/v1/accounts/([^/]+)", "_get_account"),
        ("POST", r"/v1/account_links", "_post_account_links"),
        ("GET", r"/v1/balance", "_get_balance"),
        ("POST", r"/v1/transfers", "_post_transfers"),
        ("GET", r"/v1/transfers", "_get_transfers"),
        ("GET", r"/v1/transfers/([^/]+)", "_get_transfer"),
    )

    def _route(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        for route_method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                return getattr(self, name)(params, *match.groups())
        return self._error(404, f"Unrecognized request URL ({method}: {path}).")

    def _found(self, obj_id: str, kind: str) -> tuple[int, dict]:
        obj = self.objects.get(obj_id)
        if not obj or obj["object"] != kind:
            return self._error(
                404, f"No such {kind}: '{obj_id}'", code="resource_missing", param="id"
            )
        return 200, copy.deepcopy(obj)

    def _list(self, items: list[dict], url: str) -> tuple[int, dict]:
        items = sorted(items, key=lambda o: o["created"], reverse=True)
        return 200, {"object": "list", "data": copy.deepcopy(items), "has_more": False, "url": url}

    def _post_checkout_sessions(self, params: dict) -> tuple[int, dict]:
        items = params.get("line_items") or []
        amount = sum(int(i["price_data"]["unit_amount"]) * int(i.get("quantity", 1)) for i in items)
        if amount <= 0:
            return self._error(400, "Missing required param: line_items.", param="line_items")
        pi_data = params.get("payment_intent_data") or {}
        pi = self._put(
            {
                "id": self.new_id("pi"),
                "object": "payment_intent",
                "amount": amount,
                "amount_received": 0,
                "currency": items[0]["price_data"]["currency"],
                "status": "requires_payment_method",
                "metadata": dict(pi_data.get("metadata") or {}),
                "latest_charge": None,
                "payment_method": None,
                "payment_method_types": list(params.get("payment_method_types") or ["card"]),
                "last_payment_error": None,
                "created": self.now(),
                "livemode": False,
            }
        )
        session_id = self.new_id("cs_test")
        session = self._put(
            {
                "id": session_id,
                "object": "checkout.session",
                "mode": params.get("mode", "payment"),
                "amount_total": amount,
                "currency": pi["currency"],
                "payment_intent": pi["id"],
                "payment_method_types": pi["payment_method_types"],
                "metadata": dict(params.get("metadata") or {}),
                "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"),
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "status": "open",
                "payment_status": "unpaid",
                "url": f"{self.url}/pay/{session_id}",
                "created": self.now(),
                "expires_at": int(time.time()) + 24 * 3600,
                "livemode": False,
            }
        )
        return 200, copy.deepcopy(session)

    def _get_checkout_session(self, params: dict, session_id: str) -> tuple[int, dict]:
        return self._found(session_id, "checkout.session")

    def _get_payment_intent(self, params: dict, pi_id: str) -> tuple[int, dict]:
        status, pi = self._found(pi_id, "payment_intent")
        if (
            status == 200
            and "latest_charge" in (params.get("expand") or [])
            and pi["latest_charge"]
        ):
            pi["latest_charge"] = copy.deepcopy(self.objects[pi["latest_charge"]])
        return status, pi

    def _get_charge(self, params: dict, charge_id: str) -> tuple[int, dict]:
        return self._found(charge_id, "charge")

    def _get_refunds(self, params: dict) -> tuple[int, dict]:
        refunds = [
            o
            for o in self.objects.values()
            if o["object"] == "refund"
            and (not params.get("charge") or o["charge"] == params["charge"])
        ]
        return self._list(refunds, "/v1/refunds")

    def _post_accounts(self, params: dict) -> tuple[int, dict]:
        if params.get("type") != "express" and not params.get("controller"):
            return self._error(400, "Only Express accounts here.", param="type")
        account = self._put(
            {
                "id": self.new_id("acct"),
                "object": "account",
                "type": "express",
                "country": params.get("country", "NL"),
                "email": params.get("email"),
                "metadata": dict(params.get("metadata") or {}),
                "capabilities": {"transfers": "inactive"},
                "payouts_enabled": False,
                "charges_enabled": False,
                "details_submitted": False,
                "created": self.now(),
            }
        )
        return 200, copy.deepcopy(account)

    def _get_account(self, params: dict, account_id: str) -> tuple[int, dict]:
        return self._found(account_id, "account")

    def _post_account_links(self, params: dict) -> tuple[int, dict]:
        account = params.get("account")
        if account not in self.objects:
            return self._error(
                400, f"No such account: '{account}'", code="resource_missing", param="account"
            )
        link = secrets.token_hex(4)
        self.links[link] = dict(params)
        return 200, {
            "object": "account_link",
            "created": self.now(),
            "expires_at": int(time.time()) + 300,
            "url": f"{self.url}/connect/onboarding/{account}/{link}",
        }

    def _get_balance(self, params: dict) -> tuple[int, dict]:
        return 200, {
            "object": "balance",
            "livemode": False,
            "available": [
                {
                    "amount": self.available_cents,
                    "currency": "eur",
                    "source_types": {"card": self.available_cents},
                }
            ],
            "pending": [{"amount": 0, "currency": "eur", "source_types": {"card": 0}}],
        }

    def _post_transfers(self, params: dict) -> tuple[int, dict]:
        amount = int(params.get("amount") or 0)
        destination = params.get("destination")
        account = self.objects.get(destination)
        if amount <= 0:
            return self._error(400, "Invalid positive integer", param="amount")
        if not account or account["object"] != "account":
            return self._error(
                400,
                f"No such destination: '{destination}'",
                code="resource_missing",
                param="destination",
            )
        if not account["payouts_enabled"]:
            return self._error(
                400,
                "Your destination account needs to have the transfers capability enabled.",
                code="insufficient_capabilities_for_transfer",
                param="destination",
            )
        if amount > self.available_cents:
            return self._error(
                400,
                "You have insufficient available funds in your Stripe account.",
                code="balance_insufficient",
            )
        self.available_cents -= amount
        transfer = self._put(
            {
                "id": self.new_id("tr"),
                "object": "transfer",
                "amount": amount,
                "amount_reversed": 0,
                "currency": params.get("currency", "eur"),
                "destination": destination,
                "reversed": False,
                "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0},
                "transfer_group": params.get("transfer_group"),
                "metadata": dict(params.get("metadata") or {}),
                "description": params.get("description"),
                "created": self.now(),
                "livemode": False,
            }
        )
        return 200, copy.deepcopy(transfer)

    def _get_transfers(self, params: dict) -> tuple[int, dict]:
        transfers = [
            o
            for o in self.objects.values()
            if o["object"] == "transfer"
            and (
                not params.get("transfer_group") or o["transfer_group"] == params["transfer_group"]
            )
        ]
        return self._list(transfers, "/v1/transfers")

    def _get_transfer(self, params: dict, transfer_id: str) -> tuple[int, dict]:
        return self._found(transfer_id, "transfer")
