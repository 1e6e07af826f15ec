"""The city-server client: one requests.Session, explicit timeouts, typed errors, validated answers.

This is the only module that imports requests. Every answer is parsed with the shared wire models, so a
200 from something that is not our server (a captive portal's HTML page) is an error, never a success.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import requests
from pydantic import BaseModel, ValidationError

from forms.errors import DomainError
from forms.messages import text
from sync.city.enrolment import DeviceIdentity
from sync.ledger.secrets import SecretStore
from sync.protocol import version, wire
from sync.protocol.errors import SyncError, SyncErrorKind
from sync.protocol.logformat import REQUEST_ID_HEADER

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"Counterdesk/{version.VERSION}"
# A wrong or hostile Retry-After must not hold a liaison's queue for days (nor overflow a timedelta).
MAX_RETRY_AFTER_S = 3600

# Server error codes the app has words for (forms/messages.py): passed on as the SyncError's code.
AUTH_CODES = frozenset(
    {
        "auth_failed",
        "device_revoked",
        "device_disabled",
        "user_disabled",
        "device_proof_invalid",
        "challenge_invalid",
        "refresh_reused",
        "refresh_invalid",
    }
)
# A batch may wait its turn at a busy city (the 08:00 storm: the city queues batches rather than refusing them)
# and crosses a slow village link: its answer is waited for longer than an interactive call's.
BATCH_READ_TIMEOUT_S = 60.0


def _timeout_for(path: str, timeout: tuple[float, float]) -> tuple[float, float]:
    return (timeout[0], max(timeout[1], BATCH_READ_TIMEOUT_S)) if path.endswith(":batch") else timeout


REFUSAL_CODES = frozenset(
    {
        "login_locked",
        "approval_refused",
        "device_other_office",
        "lookup_quota_exceeded",
        "lookup_not_for_purpose",
        "lookup_case_not_yours",
        "batch_quota_exceeded",
        "review_list_unknown",
        "enrol_code_invalid",
        "enrol_locked",
        "enrol_proof_invalid",
        "key_in_use",
        "forbidden",
        "step_invalid",
        "step_case_changed",
        "step_conflict",
        "office_day_blocked",
        "office_day_closed",
        "office_day_conflict",
    }
)


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_base(url: str) -> str:
    """The city server's base URL (scheme and host). Plain http is refused except on this machine's loopback
    (the practice sandbox, tests): passwords and tokens never cross a network in clear text.

    Raises:
        DomainError: server_url_invalid, server_url_insecure.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DomainError("server_url_invalid", url=url[:100])
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise DomainError("server_url_insecure", url=url[:100])
    return f"{parts.scheme}://{parts.netloc}"


class CityClient:
    """Talks to cityserver's /api/v1.

    Args:
        base_url: e.g. https://city.example/ (no path beyond the host is needed; http only on loopback).
        identity: this enrolled device's id and key, which signs every log-in and refresh (None: not enrolled yet;
            only enrolment and health work then).
        credentials: a callable giving the user's credentials when a (re)log-in is needed; kept in memory only.
        verify: True, or the path of the city's CA bundle (pinned: environment variables cannot swap it).
        timeout: (connect, read) seconds.

    Raises:
        DomainError: server_url_invalid, server_url_insecure.
    """

    def __init__(
        self,
        base_url: str,
        identity: DeviceIdentity | None,
        credentials: Callable[[], Credentials | None],
        verify: bool | str = True,
        timeout: tuple[float, float] = (3.05, 15.0),
        secrets: SecretStore | None = None,
    ) -> None:
        self.base_url = server_base(base_url)
        self.identity = identity
        self.device_id = identity.device_id if identity is not None else ""
        self._credentials = credentials
        self._secrets = secrets  # where the refresh token lives (the OS keyring); None: log in each session
        self._verify = verify
        self._timeout = timeout
        self._session = requests.Session()
        # REQUESTS_CA_BUNDLE, proxies and .netrc from the environment must not change whom we trust.
        self._session.trust_env = False
        self._session.headers["User-Agent"] = USER_AGENT
        self._session.headers[version.VERSION_HEADER] = version.VERSION  # the city may require a newer one
        self._token: str | None = None
        self._lock = threading.Lock()
        self.office_code: str | None = None
        self.role: str | None = None

    def close(self) -> None:
        self._session.close()

    # -- transport -------------------------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: BaseModel | None, auth: bool) -> requests.Response:
        # The id the city logs this request under: the app's lines and the server's name the same request.
        rid = uuid4().hex
        headers: dict[str, str] = {REQUEST_ID_HEADER: rid}
        if auth:
            headers["Authorization"] = f"Bearer {self._ensure_token()}"
        try:
            return self._session.request(
                method,
                self.base_url + wire.API_PREFIX + path,
                data=body.model_dump_json().encode("utf-8") if body is not None else None,
                headers={**headers, "Content-Type": "application/json"} if body is not None else headers,
                timeout=_timeout_for(path, self._timeout),
                verify=self._verify,
                allow_redirects=False,  # a redirect is not an answer from the city server
            )
        except requests.exceptions.SSLError as exc:
            # Untrusted certificate, wrong host name: nothing was sent; never retried as if the network were down.
            log.warning("TLS verification failed for %s", self.base_url)
            raise SyncError(SyncErrorKind.REJECTED, "tls_failed") from exc
        except requests.Timeout as exc:
            log.info("request %s %s timed out (request id %s)", method, path.split("?")[0], rid)
            raise SyncError(SyncErrorKind.TIMEOUT, "net_timeout") from exc
        except requests.ConnectionError as exc:
            raise SyncError(SyncErrorKind.NETWORK, "net_unreachable") from exc
        except requests.RequestException as exc:
            raise SyncError(SyncErrorKind.NETWORK, "net_unreachable") from exc

    def _call(self, method: str, path: str, body: BaseModel | None, model: type[M], auth: bool = True) -> M:
        response = self._send(method, path, body, auth)
        if response.status_code == 401 and auth:
            # The token expired or the server forgot it: log in once more and repeat the same request.
            with self._lock:
                self._token = None
            response = self._send(method, path, body, auth)
        return self._parse(response, model)

    @staticmethod
    def _parse(response: requests.Response, model: type[M]) -> M:
        status = response.status_code
        code, detail = _error(response) if status >= 400 else ("", "")
        if status == 401:
            raise SyncError(SyncErrorKind.AUTH, code if code in AUTH_CODES else "auth_failed")
        if status == 426:
            # Too old for this city: nothing was done; the queue waits for the new version.
            headers = response.headers
            latest = headers.get(version.LATEST_HEADER, "")[:32]
            installer = headers.get(version.INSTALLER_HEADER, "")[:300]
            where = text("client_update_where", latest=latest or "？", installer=installer) if installer else ""
            raise SyncError(
                SyncErrorKind.REJECTED,
                "client_outdated",
                current=version.VERSION,
                required=headers.get(version.MINIMUM_HEADER, "")[:32] or "？",
                where=where,
            )
        if status == 429 and code in REFUSAL_CODES:
            # A lock-out or a quota: not the server being busy (never a reason to work offline instead).
            wait = _retry_after(response)
            minutes = max(1, round((wait or 60) / 60))
            raise SyncError(SyncErrorKind.REJECTED, code, retry_after=wait, minutes=minutes, detail=detail)
        if status == 429 or status >= 500:
            raise SyncError(SyncErrorKind.SERVER, "server_error", retry_after=_retry_after(response), status=status)
        if status == 422 and code == "invalid_request":
            raise SyncError(
                SyncErrorKind.REJECTED, "request_rejected", detail=detail, status=422, items=_items(response)
            )
        if 400 <= status < 500:
            if code in REFUSAL_CODES:
                raise SyncError(SyncErrorKind.REJECTED, code, detail=detail, status=status)
            raise SyncError(
                SyncErrorKind.REJECTED, "request_rejected", detail=detail or f"HTTP {status}", status=status
            )
        if status != 200 or not response.headers.get("Content-Type", "").startswith("application/json"):
            raise SyncError(SyncErrorKind.BAD_RESPONSE, "server_bad_response")
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncError(SyncErrorKind.BAD_RESPONSE, "server_bad_response") from exc

    @property
    def _refresh_key(self) -> str:
        return f"refresh-token:{self.device_id}"

    def _ensure_token(self) -> str:
        """An access token: from memory, else by spending the stored refresh token, else by logging in."""
        with self._lock:
            if self._token is None:
                self._adopt(self._refresh() or self._login())
            assert self._token is not None
            return self._token

    def _identity(self) -> DeviceIdentity:
        if self.identity is None:
            raise SyncError(SyncErrorKind.AUTH, "not_enrolled")
        return self.identity

    def _nonce(self) -> str:
        """A fresh single-use challenge for this device to sign."""
        request = wire.ChallengeRequest(device_id=self._identity().device_id)
        return self._parse(self._send("POST", "/auth/challenge", request, auth=False), wire.ChallengeResponse).nonce

    def _token_request(self, credentials: Credentials) -> wire.TokenRequest:
        identity = self._identity()
        nonce = self._nonce()
        message = wire.auth_message("token", identity.device_id, credentials.username, nonce)
        return wire.TokenRequest(
            username=credentials.username,
            password=credentials.password,
            device_id=identity.device_id,
            nonce=nonce,
            signature=identity.sign(message),
        )

    def login(self, credentials: Credentials) -> None:
        """Log in now with these credentials (the log-in screen); raises SyncError (AUTH: wrong password)."""
        with self._lock:
            request = self._token_request(credentials)
            self._adopt(self._parse(self._send("POST", "/auth/token", request, auth=False), wire.TokenResponse))

    def _adopt(self, answer: wire.TokenResponse) -> None:
        if self._secrets is not None:
            # Keep the rotated refresh token before using the new access token (fhircore #2958): a crash now
            # leaves a usable token behind, never a spent one.
            self._secrets.set(self._refresh_key, answer.refresh_token)
        self._token = answer.access_token
        self.office_code = answer.office_code
        self.role = answer.role

    def _refresh(self) -> wire.TokenResponse | None:
        stored = self._secrets.get(self._refresh_key) if self._secrets is not None else None
        if not stored:
            return None
        identity = self._identity()
        nonce = self._nonce()
        token_hash = hashlib.sha256(stored.encode()).hexdigest()
        request = wire.RefreshRequest(
            refresh_token=stored,
            device_id=identity.device_id,
            nonce=nonce,
            signature=identity.sign(wire.auth_message("refresh", identity.device_id, token_hash, nonce)),
        )
        try:
            return self._parse(self._send("POST", "/auth/refresh", request, auth=False), wire.TokenResponse)
        except SyncError as exc:
            if exc.kind is not SyncErrorKind.AUTH:
                raise
            if exc.code == "device_revoked":
                raise  # no log-in can help a revoked device
            assert self._secrets is not None
            self._secrets.delete(self._refresh_key)  # spent or revoked: only a log-in helps now
            return None

    def _login(self) -> wire.TokenResponse:
        creds = self._credentials()
        if creds is None:
            raise SyncError(SyncErrorKind.AUTH, "login_needed")
        request = self._token_request(creds)
        return self._parse(self._send("POST", "/auth/token", request, auth=False), wire.TokenResponse)

    def enrol(self, request: wire.EnrolRequest) -> wire.EnrolResponse:
        """Present a one-time enrolment code (no log-in: the code is the credential)."""
        return self._call("POST", "/devices/enrol", request, wire.EnrolResponse, auth=False)

    # -- API -------------------------------------------------------------------------------------------------

    def health(self) -> wire.Health:
        return self._call("GET", "/health", None, wire.Health, auth=False)

    def lookup(self, kind: str, request: wire.LookupRequest) -> wire.LookupResponse:
        if kind not in wire.LOOKUP_KINDS:
            raise ValueError(kind)
        answer = self._call("POST", f"/lookups/{kind}", request, wire.LookupResponse)
        if answer.kind != kind or answer.record.kind != kind:
            raise SyncError(SyncErrorKind.BAD_RESPONSE, "server_bad_response")
        return answer

    def lookup_batch(self, request: wire.BatchLookupRequest) -> wire.BatchLookupResponse:
        answer = self._call("POST", "/lookups:batch", request, wire.BatchLookupResponse)
        if [a.ref for a in answer.answers] != [p.ref for p in request.people]:
            raise SyncError(SyncErrorKind.BAD_RESPONSE, "server_bad_response")
        return answer

    def approve(self, request: wire.ApprovalRequest) -> wire.ApprovalResponse:
        return self._call("POST", "/approvals", request, wire.ApprovalResponse)

    def open_cases(self, request: wire.OpenCasesRequest) -> wire.OpenCasesResponse:
        return self._call("POST", "/cases:open", request, wire.OpenCasesResponse)

    def register_key(self, request: wire.ReceiptKey) -> wire.DeviceKeyResponse:
        return self._call("POST", "/devices/keys", request, wire.DeviceKeyResponse)

    def register_supervisor_key(self, request: wire.SupervisorKey) -> wire.SupervisorKeyResponse:
        return self._call("POST", "/supervisor-keys", request, wire.SupervisorKeyResponse)

    def register_review_list(self, request: wire.ReviewListRequest) -> wire.ReviewListResponse:
        return self._call("POST", "/review-lists", request, wire.ReviewListResponse)

    def create_enrolment(self, request: wire.EnrolmentRequest) -> wire.EnrolmentResponse:
        return self._call("POST", "/devices/enrolments", request, wire.EnrolmentResponse)

    def devices(self) -> wire.DevicesResponse:
        return self._call("GET", "/devices", None, wire.DevicesResponse)

    def revoke_device(self, device_id: str) -> wire.DeviceInfo:
        if not device_id.isalnum():
            raise ValueError(device_id)
        return self._call("POST", f"/devices/{device_id}/revoke", None, wire.DeviceInfo)

    def catalog_delta(self, since: int) -> wire.CatalogDelta:
        return self._call("GET", f"/catalog?since={int(since)}", None, wire.CatalogDelta)

    def reference_data(self) -> wire.ReferenceResponse:
        return self._call("GET", "/reference", None, wire.ReferenceResponse)

    def closures(self, since: int) -> wire.ClosuresResponse:
        return self._call("GET", f"/closures?since={int(since)}", None, wire.ClosuresResponse)

    def declare_closure(self, closure: wire.ClosureIn) -> wire.Closure:
        return self._call("POST", "/closures", closure, wire.Closure)

    def status_changes(self, since: int) -> wire.StatusChangesResponse:
        return self._call("GET", f"/status-changes?since={int(since)}", None, wire.StatusChangesResponse)

    def record_step(self, case_uuid: UUID, step: wire.CaseStepIn) -> wire.StatusChange:
        """A step of a case this office decides (safe to retry: the step_uuid is its key)."""
        return self._call("POST", f"/cases/{case_uuid}/steps", step, wire.StatusChange)

    def record_arrival(self, case_uuid: UUID, arrival: wire.ArrivalIn) -> wire.PapersResponse:
        """Mark the paper another office sent on with a case (safe to retry: the arrival_uuid is its key)."""
        return self._call("POST", f"/cases/{case_uuid}/arrivals", arrival, wire.PapersResponse)

    def queue(self) -> wire.QueueResponse:
        """The open cases this office decides."""
        return self._call("GET", "/queue", None, wire.QueueResponse)

    def office_day(self, day: date) -> wire.OfficeDayResponse:
        """Every device of this office on `day`, as the city holds it (a supervisor's)."""
        return self._call("GET", f"/office-days/{day.isoformat()}", None, wire.OfficeDayResponse)

    def sign_office_day(self, body: wire.OfficeCloseIn) -> wire.OfficeClose:
        """Sign the office's day (safe to retry: close_uuid is its key)."""
        return self._call("POST", "/office-days", body, wire.OfficeClose)

    def monthly(self, first: date, last: date) -> wire.MonthlyResponse:
        """月報's cases: those this office received or decides in [first, last], and its open ones from before."""
        return self._call("GET", f"/monthly/{first.isoformat()}/{last.isoformat()}", None, wire.MonthlyResponse)

    def forwarded(self) -> wire.ForwardedResponse:
        return self._call("GET", "/forwarded", None, wire.ForwardedResponse)

    def digest(self, request: wire.DigestRequest) -> wire.DigestResponse:
        return self._call("POST", "/digest", request, wire.DigestResponse)

    def report_marks(self, marks: wire.DeviceMarks) -> wire.CityMarks:
        """Tell the city what this ledger has issued; learn what the city holds of this device."""
        return self._call("POST", "/devices/me/marks", marks, wire.CityMarks)

    def held_cases(self, from_receipt: int) -> wire.HeldCasesResponse:
        """This device's cases the city holds, from a receipt sequence on (a page; `more` says if there is more)."""
        answer = self._call("GET", f"/devices/me/cases?from_receipt={int(from_receipt)}", None, wire.HeldCasesResponse)
        if any(h.case.device_id != self.device_id for h in answer.cases):
            raise SyncError(SyncErrorKind.BAD_RESPONSE, "server_bad_response")  # never another device's cases
        return answer

    def held_records(self, since: date, offset: int = 0) -> wire.HeldRecordsResponse:
        path = f"/devices/me/records?since={since.isoformat()}&offset={int(offset)}"
        return self._call("GET", path, None, wire.HeldRecordsResponse)

    def push_updates(self, batch: wire.CaseUpdatesBatchRequest) -> wire.CasesBatchResponse:
        answer = self._call("POST", "/case-updates:batch", batch, wire.CasesBatchResponse)
        if {r.case_uuid for r in answer.results} - {u.update_uuid for u in batch.updates}:
            raise SyncError(SyncErrorKind.BAD_RESPONSE, "server_bad_response")
        return answer

    def push_records(self, batch: wire.DayRecordsBatchRequest) -> wire.CasesBatchResponse:
        answer = self._call("POST", "/day-records:batch", batch, wire.CasesBatchResponse)
        if {r.case_uuid for r in answer.results} - {r.record_uuid for r in batch.records}:
            raise SyncError(SyncErrorKind.BAD_RESPONSE, "server_bad_response")
        return answer

    def push_cases(self, batch: wire.CasesBatchRequest) -> wire.CasesBatchResponse:
        answer = self._call("POST", "/cases:batch", batch, wire.CasesBatchResponse)
        sent = {c.case_uuid for c in batch.cases}
        if {r.case_uuid for r in answer.results} - sent:
            # An answer about cases we did not send is not an answer to this request.
            raise SyncError(SyncErrorKind.BAD_RESPONSE, "server_bad_response")
        return answer


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (RFC 9110 §10.2.3), at most MAX_RETRY_AFTER_S; None when absent or unreadable.

    delay-seconds is ASCII digits only ("²".isdigit() is true, float("²") fails). An HTTP-date is measured against
    the answer's own Date header, not our clock, which may be wrong on a liaison's laptop."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isascii() and value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER_S))
    try:
        until = parsedate_to_datetime(value)
        sent = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if until.tzinfo is None or sent.tzinfo is None:
        return None  # RFC 9110 dates are GMT; a date without a zone is not one
    return min(max(0.0, (until - sent).total_seconds()), float(MAX_RETRY_AFTER_S))


def _error(response: requests.Response) -> tuple[str, str]:
    """(code, detail) of an error answer in the city's ErrorBody shape; ("", "HTTP n") for anything else."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return "", f"HTTP {response.status_code}"
    code = body.get("code") if isinstance(body.get("code"), str) else ""
    detail = body.get("detail") if isinstance(body.get("detail"), str) else f"HTTP {response.status_code}"
    return str(code)[:64], str(detail)[:200]


def _items(response: requests.Response) -> dict[int, str]:
    """Which items of a batch did not fit the schema, by position (loc: body, <list>, <index>, ...), and why."""
    try:
        errors = response.json().get("errors", [])
    except (ValueError, AttributeError):
        return {}
    found: dict[int, str] = {}
    for error in errors if isinstance(errors, list) else []:
        loc = error.get("loc") if isinstance(error, dict) else None
        if isinstance(loc, list) and len(loc) >= 3 and loc[0] == "body" and isinstance(loc[2], int):
            field = ".".join(str(p) for p in loc[3:]) or str(loc[1])
            found.setdefault(loc[2], f"{field}: {str(error.get('msg', ''))[:120]}")
    return found
