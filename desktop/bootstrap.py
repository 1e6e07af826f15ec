"""Composition root: build the services the window uses (sandbox city server, ledger, client, intake)."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from cityserver.app import add_user, create_app
from cityserver.embedded import EmbeddedServer
from forms.calendar import load_calendar
from forms.catalog import Catalog, load_catalog
from forms.clock import taipei_now
from forms.thresholds import load_thresholds
from forms.types import Office
from sync import wire
from sync.catalog_sync import stored_catalog
from sync.client import CityClient, Credentials
from sync.closing import Books
from sync.errors import SyncError
from sync.intake import IntakeService
from sync.ledger import Device, Ledger
from sync.login import sign_in
from sync.lookups import LookupService
from sync.offline_login import verify_cached, verify_supervisor
from sync.receipt_signing import ReceiptSigner
from sync.review import ReviewService
from sync.secrets import KeyringSecretStore, MemorySecretStore, SecretStore, device_secret

log = logging.getLogger(__name__)

# The sandbox office (practice data only).
SANDBOX_OFFICE = Office(code="68000010", name="桃園市桃園區公所", city_code="68000000", city_name="桃園市")
SANDBOX_USER = "練習櫃台"
# Practice mode has a supervisor so overrides can be rehearsed; its password is published on purpose (no real data).
SANDBOX_SUPERVISOR = ("練習主管", "practice")
# Practice mode seals and hashes synthetic data with a published secret: there is nothing to protect there, and
# the practice ledger stays readable from one start to the next without a keyring.
SANDBOX_SECRET_HEX = "00" * 32


@dataclass
class Services:
    catalog: Catalog
    device: Device
    ledger: Ledger
    client: CityClient
    intake: IntakeService
    data_dir: Path
    practice: bool
    sandbox: EmbeddedServer | None = None
    signer: ReceiptSigner | None = None  # set by build_services
    books: Books | None = None  # set by build_services
    reviews: ReviewService | None = None  # set by build_services
    signed_in: str = "online"  # or "offline" (signed in against the cached hash)
    role: str = "supervisor"  # the signed-in user's role; practice mode plays every role
    unlock: Callable[[str], bool] = lambda _password: False  # checks the clerk's password at the idle lock
    idle_lock_s: float = 600.0  # lock the window after this long without keyboard or mouse
    now: Callable[[], datetime] = taipei_now

    @property
    def receipts_dir(self) -> Path:
        path = self.data_dir / "receipts"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def register_signing_key(self) -> bool:
        """Tell the city this device's receipt-signing key (idempotent). False when it could not be reached yet:
        receipts are signed anyway and verify once the key is registered."""
        assert self.signer is not None
        try:
            self.client.register_key(
                wire.DeviceKeyRequest(key_id=self.signer.key_id, public_key=self.signer.public_key)
            )
        except SyncError as exc:
            log.info("signing key not registered yet: %s", exc.code)
            return False
        return True

    def today(self) -> date:
        return self.now().date()

    @property
    def track_base(self) -> str:
        return self.client.base_url

    def close(self) -> None:
        self.client.close()
        self.ledger.close()
        if self.sandbox is not None:
            self.sandbox.stop()


def start_sandbox(data_dir: Path, device_id: str = "D01") -> Services:
    """練習模式: a reference city server on 127.0.0.1 with a synthetic population, and a ledger beside it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(f"sqlite:///{data_dir / 'sandbox-city.db'}")
    # A fresh random password each start: it only ever lives in this process's memory.
    password = secrets.token_urlsafe(16)
    add_user(app.state.session_factory, SANDBOX_USER, password, SANDBOX_OFFICE.code, "clerk")
    add_user(app.state.session_factory, *SANDBOX_SUPERVISOR, SANDBOX_OFFICE.code, "supervisor")
    server = EmbeddedServer(app)
    server.start()
    store = MemorySecretStore({"device-secret": SANDBOX_SECRET_HEX})
    services = build_services(
        data_dir, server.url, Credentials(SANDBOX_USER, password), SANDBOX_OFFICE, device_id, store, practice=True
    )
    services.sandbox = server
    # The signing key is registered by the window's first sync (in the background), not here: start-up waits
    # for nothing that can wait.
    services.unlock = lambda typed: hmac.compare_digest(typed.encode(), password.encode())
    services.intake.verify_supervisor = lambda user, typed: (user, typed) == SANDBOX_SUPERVISOR
    return services


def connect(data_dir: Path, server_url: str, credentials: Credentials, office: Office, device_id: str) -> Services:
    """Production: a city server from config, secrets in the OS keyring only (no keyring: SecretUnavailable).

    The password signs in once (online, or offline against the cached hash) and is then dropped: later sessions
    with the server use the refresh token in the keyring.

    Raises:
        SecretUnavailable, SyncError (wrong password), DomainError (offline sign-in refused).
    """
    store = KeyringSecretStore()
    services = build_services(
        data_dir, server_url, credentials, office, device_id, store, practice=False, keep_password=False
    )
    try:
        signed = sign_in(services.client, store, credentials, services.now())
        services.signed_in, services.role = signed.how, signed.role
    except Exception:
        services.close()  # a wrong password leaves nothing open behind it
        raise
    services.unlock = lambda password: verify_cached(store, credentials.username, password)
    services.intake.verify_supervisor = lambda user, password: verify_supervisor(store, user, password)
    services.register_signing_key()
    return services


def build_services(
    data_dir: Path,
    server_url: str,
    credentials: Credentials,
    office: Office,
    device_id: str,
    store: SecretStore,
    practice: bool,
    now: Callable[[], datetime] = taipei_now,
    keep_password: bool = True,
) -> Services:
    """Wire the parts together. `now` is the one clock every part reads (tests pin it)."""
    device = Device(office=office, device_id=device_id)
    ledger = Ledger(data_dir / "ledger.db", device, device_secret(store), now)
    catalog = stored_catalog(ledger, load_catalog())
    # Practice mode keeps its throw-away password in memory; production drops it after signing in.
    client = CityClient(
        server_url, device_id, (lambda: credentials) if keep_password else (lambda: None), secrets=store
    )
    intake = IntakeService(
        ledger,
        LookupService(ledger, client),
        client,
        device,
        credentials.username,
        catalog,
        load_calendar(),
        load_thresholds(),
        now,
    )
    services = Services(catalog, device, ledger, client, intake, data_dir, practice, now=now)
    services.signer = ReceiptSigner(device_secret(store))
    # Offline, a supervisor is checked the way the intake checks one (set after sign-in): read it at call time.
    services.books = Books(ledger, client, intake.calendar, lambda u, p: intake.verify_supervisor(u, p), now)
    services.reviews = ReviewService(ledger, client, catalog, lambda: intake.context({}), credentials.username, now)
    return services
