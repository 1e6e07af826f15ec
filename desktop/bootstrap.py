"""Composition root: build the services the window uses (sandbox city server, ledger, client, intake).

Production: this PC is enrolled with the city once (a one-time code from a supervisor or the city's IT), which
assigns its device id and binds its keys; every later start signs in as that device. Practice mode enrols its
sandbox device with the sandbox server automatically.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from forms.calendar import load_calendar
from forms.catalog import Catalog, load_catalog
from forms.clock import taipei_now
from forms.errors import DomainError
from forms.offices import load_offices
from forms.thresholds import load_thresholds
from forms.types import Office
from sync.city import enrolment
from sync.city.catalog_sync import stored_catalog
from sync.city.client import CityClient, Credentials, server_base
from sync.city.enrolment import DeviceIdentity, Enrolment
from sync.city.login import sign_in
from sync.city.lookups import LookupService
from sync.city.offline_login import verify_cached, verify_supervisor
from sync.city.reference_sync import stored_reference
from sync.city.supervisor_keys import SupervisorKeys
from sync.ledger import Device, Ledger
from sync.ledger.private_files import private_dir
from sync.ledger.secrets import KeyringSecretStore, MemorySecretStore, PracticeSecretStore, SecretStore, device_secret
from sync.protocol import wire
from sync.protocol.errors import SyncError
from sync.protocol.receipt_signing import ReceiptSigner
from sync.services.approvals import Approver
from sync.services.closing import Books
from sync.services.closures import Closures
from sync.services.decisions import Decisions
from sync.services.intake import IntakeService
from sync.services.recover import Recovery, recover
from sync.services.review import ReviewService

if TYPE_CHECKING:  # the city server is imported by practice mode only: a production start never loads FastAPI
    from cityserver.embedded import EmbeddedServer

log = logging.getLogger(__name__)

VERSION = "0.1.0"
# The sandbox office (practice data only); the sandbox server tells its enrolled device the same.
SANDBOX_OFFICE = Office(code="68000010", name="桃園市桃園區公所", city_code="68000000", city_name="桃園市")
SANDBOX_OFFICE_CODE = SANDBOX_OFFICE.code
SANDBOX_USER = "練習櫃台"
# Practice mode has a supervisor so overrides can be rehearsed; its password is published on purpose (no real data).
SANDBOX_SUPERVISOR = ("練習主管", "practice")
PRACTICE_UNLOCK = SANDBOX_SUPERVISOR[1]  # unlocks the idle lock in 練習模式 (said on the lock and in the README)


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
    closures: Closures | None = None  # set by build_services
    decisions: Decisions | None = None  # set by build_services
    approver: Approver | None = None  # set by build_services
    signed_in: str = "online"  # or "offline" (signed in against the cached hash)
    role: str = "supervisor"  # the signed-in user's role; practice mode plays every role
    unlock: Callable[[str], bool] = lambda _password: False  # checks the clerk's password at the idle lock
    idle_lock_s: float = 600.0  # lock the window after this long without keyboard or mouse
    now: Callable[[], datetime] = taipei_now

    @property
    def receipts_dir(self) -> Path:
        return private_dir(self.data_dir / "receipts")

    def register_signing_key(self) -> bool:
        """Tell the city this device's receipt-signing key (idempotent; enrolment registered it already, this
        repairs a city that lost it). False when it could not be reached yet."""
        assert self.signer is not None
        try:
            self.client.register_key(wire.ReceiptKey(key_id=self.signer.key_id, public_key=self.signer.public_key))
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


def _set_aside(folder: Path, why: str) -> None:
    """Practice data that no longer fits (an older sandbox, lost practice keys): moved aside, never deleted."""
    if folder.exists():
        aside = folder.with_name(f"{folder.name}-old-{datetime.now():%Y%m%d%H%M%S}")
        shutil.move(folder, aside)
        log.warning("practice data moved to %s: %s", aside, why)


def _sandbox_server(data_dir: Path) -> EmbeddedServer:
    from cityserver.app import create_app
    from cityserver.db import SchemaOutdated, make_engine
    from cityserver.embedded import EmbeddedServer
    from cityserver.schema import prepare_sandbox

    url = f"sqlite:///{data_dir / 'sandbox-city.db'}"

    def prepare() -> None:
        engine = make_engine(url)
        try:
            prepare_sandbox(engine)  # migrated like a city's database; the practice residents once
        finally:
            engine.dispose()

    try:
        prepare()
    except SchemaOutdated as exc:
        _set_aside(data_dir, f"sandbox made by an older version ({exc})")
        private_dir(data_dir)
        prepare()
    return EmbeddedServer(create_app(url))


def start_sandbox(data_dir: Path) -> Services:
    """練習模式: a reference city server on 127.0.0.1 with a synthetic population, and a ledger beside it. The
    sandbox device enrols itself with the sandbox server the first time, like a real PC with a code."""
    from cityserver.app import add_user
    from cityserver.devices import create_enrolment

    private_dir(data_dir)
    server = _sandbox_server(data_dir)
    factory = server.app.state.session_factory
    # A fresh random password each start: it only ever lives in this process's memory. The practice user plays
    # every role (the window shows the supervisor's pages too).
    password = secrets.token_urlsafe(16)
    add_user(factory, SANDBOX_USER, password, SANDBOX_OFFICE_CODE, "supervisor")
    add_user(factory, *SANDBOX_SUPERVISOR, SANDBOX_OFFICE_CODE, "supervisor")
    server.start()
    keys = PracticeSecretStore(data_dir / "practice-keys.json")
    try:
        loaded = enrolment.load(data_dir, keys)
    except DomainError as exc:
        loaded = None
        log.warning("practice enrolment unusable (%s): enrolling again", exc.code)
    if loaded is not None and not _known_to(server, loaded[0].device_id):
        server.stop()
        _set_aside(data_dir, "the sandbox server does not know this practice device")
        return start_sandbox(data_dir)
    if loaded is None:
        code = create_enrolment(factory, SANDBOX_OFFICE_CODE, "練習模式", "sandbox").code
        loaded = enrol(data_dir, server.url, code, keys)
    try:
        services = build_services(
            data_dir,
            loaded[0],
            loaded[1],
            Credentials(SANDBOX_USER, password),
            keys,
            practice=True,
            tokens=MemorySecretStore(),
        )
    except BaseException:
        server.stop()  # a damaged ledger: the sandbox server is started again for the rebuild
        raise
    services.sandbox = server
    # The practice account's password is random and never shown: the lock takes the documented practice password.
    services.unlock = lambda typed: hmac.compare_digest(typed.encode(), PRACTICE_UNLOCK.encode())
    services.intake.verify_supervisor = lambda user, typed: (user, typed) == SANDBOX_SUPERVISOR
    return services


def recover_ledger(data_dir: Path, username: str, password: str, practice: bool) -> tuple[Recovery, str]:
    """Rebuild this PC's ledger from the city (a supervisor's name and password): the production one, or the
    practice one against the sandbox server. Returns the report and the device id.

    Raises:
        DomainError (recover_not_enrolled, recover_supervisor_only), SyncError, SecretUnavailable.
    """
    store: SecretStore
    sandbox: EmbeddedServer | None = None
    if practice:
        store = PracticeSecretStore(data_dir / "practice-keys.json")
        sandbox = _sandbox_server(data_dir)
        sandbox.start()
    else:
        store = KeyringSecretStore()
    try:
        loaded = enrolment.load(data_dir, store)
        if loaded is None:
            raise DomainError("recover_not_enrolled")
        enrolled, identity = loaded
        server = sandbox.url if sandbox is not None else enrolled.server
        client = CityClient(server, identity, lambda: Credentials(username, password), secrets=MemorySecretStore())
        try:
            device = Device(office=enrolled.office, device_id=identity.device_id)
            report = recover(data_dir / "ledger.db", device, device_secret(store), client)
        finally:
            client.close()
        return report, identity.device_id
    finally:
        if sandbox is not None:
            sandbox.stop()


def _known_to(server: EmbeddedServer, device_id: str) -> bool:
    from cityserver.db import DeviceRow

    with server.app.state.session_factory() as s:
        return s.get(DeviceRow, device_id) is not None


def enrol(
    data_dir: Path, server_url: str, code: str, store: SecretStore, verify: bool | str = True
) -> tuple[Enrolment, DeviceIdentity]:
    """Enrol this PC with the city using a one-time code: keys made here (private halves to `store` only), the
    device id and office from the city.

    Raises:
        DomainError (server_url_insecure, …), SyncError (enrol_code_invalid, enrol_locked, network).
    """
    base = server_base(server_url)
    identity_key, receipt_key = enrolment.new_keys()
    client = CityClient(base, None, lambda: None, verify=verify)
    try:
        answer = client.enrol(enrolment.enrol_request(code, identity_key, receipt_key, VERSION))
    finally:
        client.close()
    return enrolment.save(private_dir(data_dir), store, base, answer, identity_key, receipt_key, taipei_now())


def connect(data_dir: Path, server_url: str, credentials: Credentials) -> Services:
    """Production: an enrolled PC, secrets in the OS keyring only (no keyring: SecretUnavailable).

    The password signs in once (online, or offline against the cached hash) and is then dropped: later sessions
    with the server use the refresh token in the keyring.

    Raises:
        SecretUnavailable, SyncError (wrong password, revoked device), DomainError (not_enrolled,
        enrolled_elsewhere, offline sign-in refused).
    """
    store = KeyringSecretStore()
    loaded = enrolment.load(data_dir, store)
    if loaded is None:
        raise DomainError("not_enrolled")
    enrolled, identity = loaded
    if enrolled.server != server_base(server_url):
        raise DomainError("enrolled_elsewhere", server=enrolled.server)
    services = build_services(data_dir, enrolled, identity, credentials, store, practice=False, keep_password=False)
    try:
        signed = sign_in(services.client, store, credentials, services.now())
        services.signed_in, services.role = signed.how, signed.role
    except Exception:
        services.close()  # a wrong password leaves nothing open behind it
        raise
    services.unlock = lambda password: verify_cached(store, credentials.username, password)
    services.intake.verify_supervisor = lambda user, password: verify_supervisor(store, user, password)
    if signed.how == "online" and signed.role == "supervisor":
        assert services.approver is not None
        services.approver.register_signed_in(credentials.username, credentials.password)
    return services


def build_services(
    data_dir: Path,
    enrolled: Enrolment,
    identity: DeviceIdentity,
    credentials: Credentials,
    store: SecretStore,
    practice: bool,
    now: Callable[[], datetime] = taipei_now,
    keep_password: bool = True,
    tokens: SecretStore | None = None,
) -> Services:
    """Wire the parts together. `now` is the one clock every part reads (tests pin it). `store` keeps the device's
    secrets; `tokens` the refresh token (the same store unless given)."""
    private_dir(data_dir)
    device = Device(office=enrolled.office, device_id=identity.device_id)
    ledger = Ledger(data_dir / "ledger.db", device, device_secret(store), now)
    catalog = stored_catalog(ledger, load_catalog())
    reference = stored_reference(ledger, load_calendar(), load_thresholds(), load_offices())
    # Practice mode keeps its throw-away password in memory; production drops it after signing in.
    client = CityClient(
        enrolled.server,
        identity,
        (lambda: credentials) if keep_password else (lambda: None),
        secrets=tokens or store,
    )
    approver = Approver(client, SupervisorKeys(store, identity.device_id, now), now)
    intake = IntakeService(
        ledger,
        LookupService(ledger, client),
        client,
        device,
        credentials.username,
        catalog,
        reference.calendar,
        reference.thresholds,
        now,
        approver=approver,
        offices=reference.offices,
    )
    services = Services(catalog, device, ledger, client, intake, data_dir, practice, now=now, approver=approver)
    services.signer = ReceiptSigner(identity.receipt)
    services.books = Books(ledger, client, intake.calendar, approver, now)
    services.reviews = ReviewService(ledger, client, catalog, lambda: intake.context({}), credentials.username, now)
    services.closures = Closures(ledger, client, intake, services.books, lambda: services.catalog, credentials.username)
    services.decisions = Decisions(client, device.office.code, lambda: intake.calendar, lambda: intake.offices, now)
    return services
