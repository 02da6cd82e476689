"""The only module that talks to Meraki: builds the `meraki` client from settings, reads and writes admins.

Every SDK or transport failure leaves this module as a DashboardError whose message says what happened
and what to do; the API key is never part of a message.
"""

from __future__ import annotations

import email.utils
import functools
import math
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

import httpx
import meraki
from meraki.exceptions import APIError, APIResponseError

from nautobot_meraki_users import __version__
from nautobot_meraki_users.dashboard.fanout import fan_out
from nautobot_meraki_users.dashboard.ratelimit import RateLimiter, organization_of
from nautobot_meraki_users.dashboard.types import IMPLICIT_DASHBOARD, DashboardConnection, Organization
from nautobot_meraki_users.errors import DashboardError
from nautobot_meraki_users.settings import AppSettings

# Meraki's User-Agent rule: `Name[/version] Vendor`.
CALLER = f"NautobotMerakiUsers/{__version__} NautobotApp"
NETWORKS_PER_PAGE = 1000


def normalize_retry_after(value: str, now: float | None = None) -> str | None:
    """Turn a Retry-After header into whole seconds, the only form the `meraki` SDK accepts.

    Example:
        >>> normalize_retry_after("1.5")
        '2'
    """
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        seconds = when - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return str(max(0, math.ceil(seconds)))


def relative_link_header(value: str, base_url: str) -> str:
    """Rewrite absolute Link URLs under `base_url` to paths relative to it.

    The SDK follows absolute `next` links only for Meraki's own hosts and prefixes anything else with the base
    URL; a relative link works for every host (Meraki's clouds, a proxy, a test stand-in).
    """
    base = base_url.rstrip("/")
    return value.replace(f"<{base}/", "</")


class _MerakiTransport(httpx.BaseTransport):
    """Wraps the real transport: waits for the shared rate budget, makes answers safe for the SDK.

    A 429 with Retry-After pushes the shared budget back, so other threads, jobs and workers wait as well.

    The SDK needs a whole-second Retry-After and, off Meraki's own hosts, relative Link URLs.
    """

    def __init__(self, inner: httpx.BaseTransport, base_url: str, limiter: RateLimiter | None = None):
        self._inner = inner
        self._base_url = base_url
        self._limiter = limiter
        self._walled = threading.local()  # per thread: the organization whose 429 this thread's SDK waits out

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        organization_id = organization_of(request.url.path)
        if self._limiter is not None:  # every attempt, retries included, spends from the shared budget
            waited_out = getattr(self._walled, "organization", False) == organization_id
            self._walled.organization = False
            self._limiter.acquire(organization_id, past_wall=waited_out)
        response = self._inner.handle_request(request)
        if "Retry-After" in response.headers:
            fixed = normalize_retry_after(response.headers["Retry-After"])
            if fixed is None:
                del response.headers["Retry-After"]
            else:
                response.headers["Retry-After"] = fixed
                if response.status_code == 429 and self._limiter is not None:
                    # Every caller of this organization waits too, not only this one (whose SDK sleeps Retry-After
                    # before its retry, so that retry may pass the wall).
                    self._limiter.push_back(organization_id, float(fixed))
                    self._walled.organization = organization_id
        if "Link" in response.headers:
            response.headers["Link"] = relative_link_header(response.headers["Link"], self._base_url)
        return response

    def forget_wall(self) -> None:
        """The SDK call is over (answered or given up): its next request waits for every wall again."""
        self._walled.organization = False

    def close(self) -> None:
        self._inner.close()


def describe_api_error(
    err: Exception, app_settings: AppSettings, connection: DashboardConnection | None = None
) -> DashboardError:
    """Turn an SDK or transport exception into a DashboardError with a clear message.

    With a `labelled` connection (one of several), the message starts with `dashboard <name>: `.
    """
    described = _describe(err, app_settings, connection)
    if connection is not None and connection.labelled and not isinstance(err, DashboardError):
        return DashboardError(f"dashboard {connection.name}: {described.message}", described.status)
    return described


def _describe(err: Exception, app_settings: AppSettings, connection: DashboardConnection | None) -> DashboardError:
    if isinstance(err, DashboardError):
        return err
    if isinstance(err, APIError):
        if isinstance(err.response, APIResponseError):
            return _describe_transport_error(err.response.obj_name, app_settings)
        status = err.status
        detail = _error_detail(err.message)
        request_id = ""
        headers = getattr(err.response, "headers", None)
        if headers is not None and headers.get("X-Request-Id"):
            request_id = f" (X-Request-Id {headers.get('X-Request-Id')})"
        if status == 401:
            source = (connection or DashboardConnection("", "", 0)).key_source
            return DashboardError(
                f"Meraki rejected the API key (401 Unauthorized). Check the key in {source}, and that API access is "
                "enabled for the organization.",
                status,
            )
        if status == 403:
            return DashboardError(
                f"Meraki refused the request (403 Forbidden{': ' + detail if detail else ''}). The API key's "
                "owner needs full organization access to manage admins.",
                status,
            )
        if status == 404:
            return DashboardError(
                f"Meraki answered 404 Not Found{': ' + detail if detail else ''}. The organization or admin does "
                "not exist, or this API key cannot see it.",
                status,
            )
        if status == 429:
            return DashboardError(
                f"Meraki kept answering 429 Too Many Requests after {app_settings.maximum_retries} attempts. "
                "Other API clients share this organization's rate limit; try again later.",
                status,
            )
        if status is not None and status >= 500:
            return DashboardError(
                f"Meraki answered {status} {err.reason or ''}".rstrip()
                + f" after {app_settings.maximum_retries} attempts{request_id}. The Dashboard API is having "
                "trouble; try again later.",
                status,
            )
        return DashboardError(
            f"Meraki rejected the request ({status} {err.reason or ''}".rstrip() + f"): {detail or 'no details'}.",
            status,
        )
    if isinstance(err, httpx.HTTPError):
        return _describe_transport_error(type(err).__name__, app_settings)
    return DashboardError(f"unexpected error talking to Meraki: {type(err).__name__}.")


def _error_detail(message: object) -> str:
    if isinstance(message, dict):
        errors = message.get("errors")
        if isinstance(errors, list):
            return "; ".join(str(item) for item in errors)
        return ", ".join(f"{k}: {v}" for k, v in message.items())
    return str(message or "").strip()


def _describe_transport_error(kind: str, app_settings: AppSettings) -> DashboardError:
    host = urlsplit(app_settings.base_url).netloc
    attempts = f"after {app_settings.maximum_retries} attempts"
    if "Timeout" in kind:
        return DashboardError(
            f"no answer from {host} within {app_settings.request_timeout:g} s ({kind}) {attempts}. Check the "
            "network path to the Meraki API (firewall, proxy setting) or raise request_timeout.",
        )
    if kind in ("ConnectError", "ProxyError"):
        return DashboardError(
            f"could not connect to {host} ({kind}: connection refused or host unreachable) {attempts}. Check "
            "base_url, DNS, the firewall and the proxy setting.",
        )
    return DashboardError(f"the connection to {host} failed ({kind}) {attempts}. Check the network and try again.")


def _tls(verify: bool | str) -> bool | ssl.SSLContext:
    """The transport's `verify`: httpx's default context, False, or a context trusting the CA bundle at the path."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return _default_tls() if verify else False


_UNUSED_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates, and trusts none


@functools.cache
def _default_tls() -> ssl.SSLContext:
    """The context httpx builds for `verify=True` (certifi's CA bundle), built once per process, not once per job.

    Loading the bundle takes about 20 ms, before the job's first request could go.
    """
    return httpx.create_ssl_context()


def pause(seconds: float) -> None:
    """Wait between retries (a module function so tests can record waits instead of sleeping)."""
    time.sleep(seconds)


class Dashboard:
    """A small client for the admin-related parts of the Meraki Dashboard API v1."""

    def __init__(
        self,
        app_settings: AppSettings,
        api_key: str,
        sleep: Callable[[float], None] | None = None,
        limiter: RateLimiter | None = None,
        connection: DashboardConnection | None = None,
    ):
        """Build the `meraki` client: no log files, no console output, smart flow off, our caller string.

        Every request waits for `limiter` (the rate budget shared with other jobs and workers) when given.
        `connection` (one Dashboard account) gives the base URL, timeout and TLS check; without it, the settings'.
        """
        if connection is None:
            connection = DashboardConnection(IMPLICIT_DASHBOARD, app_settings.base_url, app_settings.request_timeout)
        self.connection = connection
        self.name = connection.name
        app_settings = replace(app_settings, base_url=connection.base_url, request_timeout=connection.request_timeout)
        self.settings = app_settings
        try:
            self._api = meraki.DashboardAPI(
                api_key=api_key,
                base_url=app_settings.base_url,
                single_request_timeout=app_settings.request_timeout,
                requests_proxy=app_settings.proxy or "",
                # The SDK's own HTTP client is replaced below, unused: a context without a CA bundle (it would refuse
                # every certificate) spares it loading one (about 20 ms per connection per job).
                certificate_path=_UNUSED_TLS,
                wait_on_rate_limit=True,
                maximum_retries=app_settings.maximum_retries,
                output_log=False,
                print_console=False,
                suppress_logging=True,
                caller=CALLER,
                smart_flow_enabled=False,
                use_iterator_for_get_pages=False,
            )
        except Exception as err:  # noqa: BLE001 - the SDK raises bare errors for bad settings
            raise DashboardError(
                f"could not set up the Meraki client ({type(err).__name__}). Check the settings."
            ) from None
        session = self._api._session
        old_client = session._client
        pool = httpx.Limits(
            max_connections=app_settings.concurrency + 5, max_keepalive_connections=app_settings.concurrency
        )
        inner = httpx.HTTPTransport(proxy=app_settings.proxy or None, limits=pool, verify=_tls(connection.verify))
        self._transport = _MerakiTransport(inner, app_settings.base_url, limiter)
        session._client = httpx.Client(
            transport=self._transport,
            timeout=app_settings.request_timeout,
            headers=old_client.headers,
            trust_env=False,
        )
        old_client.close()
        # The SDK sleeps through this hook between retries (429 Retry-After, 5xx, network errors).
        session._sleep = sleep or (lambda seconds: pause(seconds))

    def close(self) -> None:
        """Release the HTTP connections."""
        self._api._session.close()

    def __enter__(self) -> Dashboard:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, func: Callable, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (APIError, httpx.HTTPError) as err:
            raise describe_api_error(err, self.settings, self.connection) from None
        finally:
            self._transport.forget_wall()  # a 429 the SDK gave up on must not let this thread's next call pass

    def organizations(self) -> list[Organization]:
        """Every organization the API key can see, in the Dashboard's order."""
        orgs = self._call(self._api.organizations.getOrganizations, total_pages="all") or []
        return [
            Organization(
                id=str(o.get("id")),
                name=str(o.get("name", "")),
                url=str(o.get("url", "")),
                api_enabled=not (isinstance(o.get("api"), dict) and o["api"].get("enabled") is False),
                dashboard=self.name,
            )
            for o in orgs
        ]

    def admins(self, organization_id: str) -> list[dict]:
        """The organization's dashboard administrators."""
        return list(self._call(self._api.organizations.getOrganizationAdmins, organization_id) or [])

    def networks(self, organization_id: str) -> list[dict]:
        """All networks of the organization (every page)."""
        return list(
            self._call(
                self._api.organizations.getOrganizationNetworks,
                organization_id,
                total_pages="all",
                perPage=NETWORKS_PER_PAGE,
            )
            or []
        )

    def organization_state(self, organization_id: str, with_networks: bool = True) -> tuple[list[dict], list[dict]]:
        """One organization's admins and (when asked) every page of its networks: the one reader of that state.

        The engine plans from it and the inventory sync stores it.
        """
        if not with_networks:
            return self.admins(organization_id), []
        # Both at once: one round trip of waiting instead of two.
        admins, networks = fan_out(lambda read: read(organization_id), (self.admins, self.networks), 2)
        for done in (admins, networks):
            if done.error is not None:
                raise done.error
        return admins.value, networks.value

    def create_admin(self, organization_id: str, body: dict) -> dict:
        """POST a new admin; returns Meraki's record of it."""
        fields = dict(body)
        return (
            self._call(
                self._api.organizations.createOrganizationAdmin,
                organization_id,
                fields.pop("email"),
                fields.pop("name"),
                fields.pop("orgAccess"),
                **fields,
            )
            or {}
        )

    def update_admin(self, organization_id: str, admin_id: str, body: dict) -> dict:
        """PUT the given parts of an admin; returns Meraki's record of it."""
        return self._call(self._api.organizations.updateOrganizationAdmin, organization_id, admin_id, **body) or {}

    def delete_admin(self, organization_id: str, admin_id: str) -> None:
        """DELETE an admin from the organization."""
        self._call(self._api.organizations.deleteOrganizationAdmin, organization_id, admin_id)

    def saml_enabled(self, organization_id: str) -> bool:
        """Whether SAML single sign-on is on for the organization."""
        return bool((self._call(self._api.organizations.getOrganizationSaml, organization_id) or {}).get("enabled"))

    def saml_roles(self, organization_id: str) -> list[dict]:
        """The organization's SAML roles."""
        return list(self._call(self._api.organizations.getOrganizationSamlRoles, organization_id) or [])

    def create_saml_role(self, organization_id: str, body: dict) -> dict:
        """POST a new SAML role; returns Meraki's record of it."""
        fields = dict(body)
        create = self._api.organizations.createOrganizationSamlRole
        return self._call(create, organization_id, fields.pop("role"), fields.pop("orgAccess"), **fields) or {}

    def update_saml_role(self, organization_id: str, role_id: str, body: dict) -> dict:
        """PUT the given parts of a SAML role; returns Meraki's record of it."""
        update = self._api.organizations.updateOrganizationSamlRole
        return self._call(update, organization_id, role_id, **body) or {}

    def delete_saml_role(self, organization_id: str, role_id: str) -> None:
        """DELETE a SAML role."""
        self._call(self._api.organizations.deleteOrganizationSamlRole, organization_id, role_id)

    def login_security(self, organization_id: str) -> dict:
        """The organization's login security settings (2FA, idle timeout, lockout, passwords, IP restrictions)."""
        return dict(self._call(self._api.organizations.getOrganizationLoginSecurity, organization_id) or {})

    def update_login_security(self, organization_id: str, body: dict) -> dict:
        """PUT the given login security fields; returns Meraki's record."""
        update = self._api.organizations.updateOrganizationLoginSecurity
        return dict(self._call(update, organization_id, **body) or {})

    def identity(self) -> dict:
        """Who owns the API key in use (`GET /administered/identities/me`): name, email, authentication."""
        return dict(self._call(self._api.administered.getAdministeredIdentitiesMe) or {})
