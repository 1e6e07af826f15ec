"""The city-server client: one requests.Session, explicit timeouts, typed errors, validated answers.

This is the only module that imports requests. Every answer is parsed with the shared wire models, so a
200 from something that is not our server (a captive portal's HTML page) is an error, never a success.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

import requests
from pydantic import BaseModel, ValidationError

from sync import wire
from sync.errors import SyncError, SyncErrorKind
from sync.secrets import SecretStore

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

USER_AGENT = "Counterdesk/0.1"


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


class CityClient:
    """Talks to cityserver's /api/v1.

    Args:
        base_url: e.g. https://city.example/ (no path beyond the host is needed).
        device_id: this device's code, sent at log-in.
        credentials: a callable giving the user's credentials when a (re)log-in is needed; kept in memory only.
        verify: True, or the path of the city's CA bundle (pinned: environment variables cannot swap it).
        timeout: (connect, read) seconds.
    """

    def __init__(
        self,
        base_url: str,
        device_id: str,
        credentials: Callable[[], Credentials | None],
        verify: bool | str = True,
        timeout: tuple[float, float] = (3.05, 15.0),
        secrets: SecretStore | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"not a server URL: {base_url!r}")
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        self.device_id = device_id
        self._credentials = credentials
        self._secrets = secrets  # where the refresh token lives (the OS keyring); None: log in each session
        self._verify = verify
        self._timeout = timeout
        self._session = requests.Session()
        # REQUESTS_CA_BUNDLE, proxies and .netrc from the environment must not change whom we trust.
        self._session.trust_env = False
        self._session.headers["User-Agent"] = USER_AGENT
        self._token: str | None = None
        self._lock = threading.Lock()
        self.office_code: str | None = None
        self.role: str | None = None

    def close(self) -> None:
        self._session.close()

    # -- transport -------------------------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: BaseModel | None, auth: bool) -> requests.Response:
        headers: dict[str, str] = {}
        if auth:
            headers["Authorization"] = f"Bearer {self._ensure_token()}"
        try:
            return self._session.request(
                method,
                self.base_url + wire.API_PREFIX + path,
                data=body.model_dump_json().encode("utf-8") if body is not None else None,
                headers={**headers, "Content-Type": "application/json"} if body is not None else headers,
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=False,  # a redirect is not an answer from the city server
            )
        except requests.exceptions.SSLError as exc:
            # Untrusted certificate, wrong host name: nothing was sent; never retried as if the network were down.
            log.warning("TLS verification failed for %s", self.base_url)
            raise SyncError(SyncErrorKind.REJECTED, "tls_failed") from exc
        except requests.Timeout as exc:
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
        if status == 401:
            raise SyncError(SyncErrorKind.AUTH, "auth_failed")
        if status == 429 or status >= 500:
            raise SyncError(SyncErrorKind.SERVER, "server_error", retry_after=_retry_after(response), status=status)
        if 400 <= status < 500:
            raise SyncError(SyncErrorKind.REJECTED, "request_rejected", detail=_detail(response))
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

    def login(self, credentials: Credentials) -> None:
        """Log in now with these credentials (the log-in screen); raises SyncError (AUTH: wrong password)."""
        with self._lock:
            request = wire.TokenRequest(
                username=credentials.username, password=credentials.password, device_id=self.device_id
            )
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
        request = wire.RefreshRequest(refresh_token=stored, device_id=self.device_id)
        try:
            return self._parse(self._send("POST", "/auth/refresh", request, auth=False), wire.TokenResponse)
        except SyncError as exc:
            if exc.kind is not SyncErrorKind.AUTH:
                raise
            assert self._secrets is not None
            self._secrets.delete(self._refresh_key)  # spent or revoked: only a log-in helps now
            return None

    def _login(self) -> wire.TokenResponse:
        creds = self._credentials()
        if creds is None:
            raise SyncError(SyncErrorKind.AUTH, "login_needed")
        request = wire.TokenRequest(username=creds.username, password=creds.password, device_id=self.device_id)
        return self._parse(self._send("POST", "/auth/token", request, auth=False), wire.TokenResponse)

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

    def register_key(self, request: wire.DeviceKeyRequest) -> wire.DeviceKeyResponse:
        return self._call("POST", "/devices/keys", request, wire.DeviceKeyResponse)

    def catalog_delta(self, since: int) -> wire.CatalogDelta:
        return self._call("GET", f"/catalog?since={int(since)}", None, wire.CatalogDelta)

    def status_changes(self, since: int) -> wire.StatusChangesResponse:
        return self._call("GET", f"/status-changes?since={int(since)}", None, wire.StatusChangesResponse)

    def set_status(self, case_uuid: UUID, request: wire.StatusUpdateRequest) -> wire.StatusChange:
        return self._call("POST", f"/cases/{case_uuid}/status", request, wire.StatusChange)

    def forwarded(self) -> wire.ForwardedResponse:
        return self._call("GET", "/forwarded", None, wire.ForwardedResponse)

    def digest(self, request: wire.DigestRequest) -> wire.DigestResponse:
        return self._call("POST", "/digest", request, wire.DigestResponse)

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
    """Retry-After in seconds (RFC 9110: delay-seconds; an HTTP-date is rare from our server and read as absent)."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _detail(response: requests.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])[:200]
    return f"HTTP {response.status_code}"
