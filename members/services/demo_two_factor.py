"""Demo authenticators: fixed, published secrets for the demo's board, treasurer, auditor
and staff, so a newcomer can sign in within a minute (README). DEMO ONLY.

A demo secret is derived from the e-mail address, and only ``*.demo`` addresses get one:
``demo_code`` refuses every other account, so it can never print a real person's code.
"""

from __future__ import annotations

import base64
import hashlib

from django_otp.oath import totp

from members.models import TotpDevice, User

DEMO_DOMAIN_SUFFIX = ".demo"
DEMO_DEVICE_NAME = "Demo-authenticator"


def demo_secret_hex(email: str) -> str:
    return hashlib.sha256(f"werkstation-demo:{email.lower()}".encode()).hexdigest()[:40]


def demo_secret_base32(email: str) -> str:
    return base64.b32encode(bytes.fromhex(demo_secret_hex(email))).decode()


def is_demo_account(email: str) -> bool:
    return email.lower().endswith(DEMO_DOMAIN_SUFFIX)


def demo_device_ensure(user: User) -> TotpDevice | None:
    if not is_demo_account(user.email):
        return None
    device: TotpDevice
    device, _created = TotpDevice.objects.get_or_create(
        user=user,
        name=DEMO_DEVICE_NAME,
        defaults={"key": demo_secret_hex(user.email), "confirmed": True},
    )
    return device


def demo_code(email: str) -> str:
    """The current code of a demo account's demo authenticator."""
    if not is_demo_account(email):
        msg = "only demo accounts (*.demo) have a demo authenticator"
        raise ValueError(msg)
    device = TotpDevice.objects.filter(
        user__email__iexact=email, name=DEMO_DEVICE_NAME, key=demo_secret_hex(email)
    ).first()
    if device is None:
        msg = f"{email} has no demo authenticator; run seed_demo first"
        raise ValueError(msg)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"
