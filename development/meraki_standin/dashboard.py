"""``FakeDashboard``: a stateful, spec-checked stand-in for the Meraki Dashboard API v1, with no sockets."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import respx

from . import spec
from .faults import Fault, FaultQueue, make_fault
from .operations import HANDLERS, Call
from .records import ApiError, RecordedRequest, not_found, parse_query, redacted_headers
from .state import (
    DEFAULT_ACCOUNT,
    DashboardState,
    Organization,
    admin_record,
    apply_login_security,
    default_owner_email,
    default_owner_name,
    iso,
    network_record,
    organization_record,
    saml_role_record,
)

LinkStyle = Literal["absolute", "api-relative"]


class FakeDashboard:
    """In-memory Meraki Dashboard behind a spec-validated request handler.

    It keeps organizations with their networks, admins, SAML settings and roles, login security and change log, and
    the owner of each account's API key (GET /administered/identities/me; the change log names them).

    ``handle`` is the single entry point; ``mock`` routes httpx traffic to it and ``server.StandinServer`` serves it
    over HTTP. All public methods are thread-safe.

    Several accounts (named API keys) may share one dashboard, each seeing its own organizations: the constructor's
    key is the account ``default``, ``add_account`` registers more, and ``add_organization(accounts=...)``,
    ``grant`` and ``revoke`` decide who sees what.
    """

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        api_root: str = "/api/v1",
        link_style: LinkStyle = "absolute",
        strict: bool = True,
        clock: Callable[[], datetime] | None = None,
        owner_email: str | None = None,
        owner_name: str | None = None,
    ) -> None:
        """Create an empty dashboard.

        Args:
            api_key: The key of the account ``default`` (sent as ``Authorization: Bearer`` or
                ``X-Cisco-Meraki-API-Key``); ``add_account`` registers more.
            api_root: Path prefix of the API.
            link_style: ``absolute`` Link URLs like Meraki, or ``api-relative`` (``/organizations/...``), which the
                meraki SDK needs when its base_url is not a meraki.com host (it prefixes base_url to any other URL).
            strict: Treat body keys the spec does not list as violations (the spec has no additionalProperties).
            clock: Returns the current time (UTC); defaults to the wall clock.
            owner_email: Email of the owner of ``api_key`` (default ``api-owner@default.example``).
            owner_name: Name of that owner (default ``API key owner (default)``).
        """
        self._keys: dict[str, str] = {DEFAULT_ACCOUNT: api_key}  # account name -> API key
        self.api_root = api_root.rstrip("/")
        self.link_style = link_style
        self.strict = strict
        self._clock = clock or (lambda: datetime.now(UTC))
        self._state = DashboardState()
        self._faults = FaultQueue()
        self._requests: list[RecordedRequest] = []
        self._violations: list[str] = []
        self._lock = threading.RLock()
        self._add_owner(DEFAULT_ACCOUNT, owner_email, owner_name)

    # ----------------------------------------------------------------- setup helpers (no API call, no change log)

    @property
    def api_key(self) -> str:
        """The key of the account ``default``; assigning it replaces that key."""
        with self._lock:
            return self._keys[DEFAULT_ACCOUNT]

    @api_key.setter
    def api_key(self, value: str) -> None:
        with self._lock:
            if any(key == value for name, key in self._keys.items() if name != DEFAULT_ACCOUNT):
                raise ValueError("that API key already belongs to another account")
            self._keys[DEFAULT_ACCOUNT] = value

    def add_account(
        self, name: str, api_key: str, owner_email: str | None = None, owner_name: str | None = None
    ) -> None:
        """Register another account: a named API key that sees the organizations granted to ``name``.

        Args:
            name: The account name, as given to ``add_organization(accounts=...)``, ``grant`` and ``revoke``.
            api_key: Its key.
            owner_email: Email of the key's owner (GET /administered/identities/me, the change log); default
                ``api-owner@<name>.example``.
            owner_name: Name of the key's owner; default ``API key owner (<name>)``.

        Raises:
            ValueError: The name or the key is already registered, or either is empty.
        """
        if not name or not api_key:
            raise ValueError("an account needs a name and an API key")
        with self._lock:
            if name in self._keys:
                raise ValueError(f"account {name!r} already exists")
            if api_key in self._keys.values():
                raise ValueError("that API key already belongs to another account")
            self._keys[name] = api_key
            self._add_owner(name, owner_email, owner_name)

    def _add_owner(self, account: str, email: str | None, name: str | None) -> None:
        """The key's owner last used the Dashboard UI when the account was registered (they made the key there)."""
        self._state.add_owner(
            account, email or default_owner_email(account), name or default_owner_name(account), iso(self._now())
        )

    @property
    def accounts(self) -> list[str]:
        """The registered account names, ``default`` first (never the keys)."""
        with self._lock:
            return list(self._keys)

    def identity(self, account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
        """What GET /administered/identities/me answers the account's key.

        Raises:
            KeyError: No such account.
        """
        with self._lock:
            return self._state.owners[account].identity()

    def _org(self, org_id: str) -> Organization:
        try:
            return self._state.org(org_id, visible=False)
        except ApiError:
            raise KeyError(f"no organization {org_id!r}") from None

    def add_organization(
        self,
        org_id: str,
        name: str | None = None,
        accessible: bool = True,
        api_enabled: bool = True,
        accounts: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Add an organization.

        Args:
            org_id: Its id.
            name: Its name (default ``Organization <id>``).
            accessible: False makes it invisible to every key: not listed, and every call on it answers 404.
            api_enabled: False disables its Dashboard API access: listed with ``api.enabled`` false, and every
                call into it answers 404.
            accounts: Names of the accounts that see it (registered yet or not); None means ``("default",)``.
                To every other account it is invisible, like an inaccessible one.

        Returns:
            A copy of the organization record.
        """
        with self._lock:
            org = Organization(organization_record(org_id, name or f"Organization {org_id}"), accessible=accessible)
            org.record["api"] = {"enabled": api_enabled}
            self._state.add_org(org, accounts)
            return copy.deepcopy(org.record)

    def set_accessible(self, org_id: str, accessible: bool) -> None:
        """Give or take every key's access to an organization (as when an admin removes the keys' owner)."""
        with self._lock:
            self._org(org_id).accessible = accessible

    def grant(self, org_id: str, account: str) -> None:
        """Let an account (registered yet or not) see an organization."""
        with self._lock:
            self._org(org_id).accounts.add(account)

    def revoke(self, org_id: str, account: str) -> None:
        """Hide an organization from an account; nothing happens if the account did not see it."""
        with self._lock:
            self._org(org_id).accounts.discard(account)

    def set_api_enabled(self, org_id: str, enabled: bool) -> None:
        """Enable or disable an organization's Dashboard API access (Organization > Settings)."""
        with self._lock:
            self._org(org_id).record["api"] = {"enabled": enabled}

    def add_network(
        self,
        org_id: str,
        network_id: str | None = None,
        name: str | None = None,
        tags: list[str] | None = None,
        product_types: list[str] | None = None,
        time_zone: str = "America/Los_Angeles",
        notes: str = "",
    ) -> dict[str, Any]:
        """Add a network to an organization.

        Args:
            org_id: The organization.
            network_id: Its id (generated when omitted).
            name: Its name (default ``Network <id>``).
            tags: Network tags.
            product_types: Default ``["appliance", "switch", "wireless"]``.
            time_zone: IANA time zone.
            notes: Free text.

        Returns:
            A copy of the network record.
        """
        with self._lock:
            org = self._org(org_id)
            network_id = network_id or self._state.new_network_id()
            if any(network_id in other.networks for other in self._state.orgs.values()):
                raise ValueError(f"network {network_id!r} already exists")
            types = product_types if product_types is not None else ["appliance", "switch", "wireless"]
            record = network_record(
                org_id, network_id, name or f"Network {network_id}", tags or [], types, time_zone, notes
            )
            org.networks[network_id] = record
            return copy.deepcopy(record)

    def add_admin(
        self,
        org_id: str,
        email: str,
        name: str,
        org_access: str = "read-only",
        networks: list[dict[str, str]] | None = None,
        tags: list[dict[str, str]] | None = None,
        account_status: str = "ok",
        two_factor: bool = False,
        has_api_key: bool = False,
        last_active: datetime | str | None = None,
        authentication_method: str = "Email",
        admin_id: str | None = None,
    ) -> dict[str, Any]:
        """Add an admin directly (no validation of business rules beyond the ones below, no change log entry).

        Args:
            org_id: The organization.
            email: Unique (case-insensitively) within the organization.
            name: Display name.
            org_access: ``full``, ``read-only``, ``enterprise`` or ``none``.
            networks: Network privileges ``[{"id": ..., "access": ...}]``; the networks must exist.
            tags: Tag privileges ``[{"tag": ..., "access": ...}]``.
            account_status: ``ok``, ``pending``, ``unverified`` or ``locked``.
            two_factor: twoFactorAuthEnabled.
            has_api_key: hasApiKey.
            last_active: datetime or ISO string; None leaves lastActive out.
            authentication_method: ``Email`` or ``Cisco SecureX Sign-On``.
            admin_id: Explicit id; by default one id per email across all organizations.

        Returns:
            A copy of the admin record, including its generated string ``id``.

        Raises:
            ValueError: Duplicate email, unknown network, or a value the spec does not allow.
        """
        with self._lock:
            org = self._org(org_id)
            if org.admin_by_email(email) is not None:
                raise ValueError(f"{email} is already an admin of organization {org_id}")
            try:
                org.check_privileges(networks)
            except ApiError as error:
                raise ValueError(error.messages[0]) from None
            if admin_id is not None:
                self._state.claim_admin_id(email, admin_id)
            if isinstance(last_active, datetime):
                last_active = iso(last_active)
            record = admin_record(
                admin_id or self._state.admin_id_for(email),
                email,
                name,
                org_access,
                tags=tags,
                networks=networks,
                account_status=account_status,
                two_factor=two_factor,
                has_api_key=has_api_key,
                last_active=last_active,
                authentication_method=authentication_method,
            )
            problems = spec.validate_response_body("getOrganizationAdmins", 200, [record], self.strict)
            if problems:
                raise ValueError(f"invalid admin: {problems}")
            org.admins[record["id"]] = record
            return copy.deepcopy(record)

    def patch_admin(self, org_id: str, admin_id: str, **fields: Any) -> dict[str, Any]:
        """Change an admin's record directly, e.g. ``patch_admin("1", admin_id, accountStatus="ok")``.

        Args:
            org_id: The organization.
            admin_id: The admin.
            **fields: Record keys in Meraki's spelling.

        Returns:
            A copy of the updated record.
        """
        with self._lock:
            admin = self._org(org_id).admins[admin_id]
            candidate = {**admin, **copy.deepcopy(fields)}
            problems = spec.validate_response_body("getOrganizationAdmins", 200, [candidate], self.strict)
            if problems:
                raise ValueError(f"invalid admin: {problems}")
            admin.update(candidate)
            return copy.deepcopy(admin)

    def set_saml(self, org_id: str, enabled: bool) -> None:
        """Turn SAML SSO of an organization on or off (GET /organizations/{id}/saml; off in a new organization)."""
        with self._lock:
            self._org(org_id).saml_enabled = enabled

    def add_saml_role(
        self,
        org_id: str,
        role: str,
        org_access: str,
        networks: list[dict[str, str]] | None = None,
        tags: list[dict[str, str]] | None = None,
        role_id: str | None = None,
    ) -> dict[str, Any]:
        """Add a SAML role directly (the API's rules apply, no change log entry).

        Args:
            org_id: The organization.
            role: The role name (the value of the identity provider's role attribute); unique case-insensitively.
            org_access: ``none``, ``read-only``, ``full`` or ``enterprise``.
            networks: Network privileges ``[{"id": ..., "access": ...}]``; the networks must exist; access as for
                admins, or ``ssid-admin``.
            tags: Tag privileges ``[{"tag": ..., "access": ...}]``.
            role_id: Explicit id, unique across organizations; generated (digits) when omitted.

        Returns:
            A copy of the SAML role record.

        Raises:
            ValueError: Duplicate name or id, unknown network, or a value the spec does not allow.
        """
        body: dict[str, Any] = {"role": role, "orgAccess": org_access, "networks": networks or [], "tags": tags or []}
        problems = spec.validate_request_body("createOrganizationSamlRole", body, self.strict)
        if problems:
            raise ValueError(f"invalid SAML role: {problems}")
        with self._lock:
            org = self._org(org_id)
            try:
                org.check_saml_role(role, networks)
            except ApiError as error:
                raise ValueError(error.messages[0]) from None
            if role_id is not None and self._state.saml_role_id_taken(role_id):
                raise ValueError(f"SAML role id {role_id!r} already exists")
            record = saml_role_record(role_id or self._state.new_saml_role_id(), role, org_access, networks, tags)
            org.saml_roles[record["id"]] = record
            return copy.deepcopy(record)

    def set_login_security(self, org_id: str, **fields: Any) -> dict[str, Any]:
        """Change an organization's login security directly, as a PUT would (only the fields given; no change log).

        Example: ``set_login_security("1", enforceTwoFactorAuth=True, enforceIdleTimeout=True, idleTimeoutMinutes=30)``.

        Args:
            org_id: The organization.
            **fields: Fields of the PUT body in Meraki's spelling; ``apiAuthentication`` merges key by key.

        Returns:
            A copy of the resulting login security.

        Raises:
            ValueError: A field the spec does not allow, or a value the Dashboard rejects.
        """
        problems = spec.validate_request_body("updateOrganizationLoginSecurity", fields, self.strict)
        if problems:
            raise ValueError(f"invalid login security: {problems}")
        with self._lock:
            org = self._org(org_id)
            try:
                org.login_security = apply_login_security(org.login_security, fields)
            except ApiError as error:
                raise ValueError(f"invalid login security: {error.messages}") from None
            return copy.deepcopy(org.login_security)

    # ----------------------------------------------------------------------------------------- inspection

    def organizations(self) -> list[dict[str, Any]]:
        """Copies of all organization records, whoever sees them, inaccessible ones included."""
        with self._lock:
            return [copy.deepcopy(org.record) for org in self._state.orgs.values()]

    def admins(self, org_id: str) -> list[dict[str, Any]]:
        """Copies of an organization's admin records, in Meraki's response shape."""
        with self._lock:
            return copy.deepcopy(list(self._org(org_id).admins.values()))

    def networks(self, org_id: str) -> list[dict[str, Any]]:
        """Copies of an organization's network records."""
        with self._lock:
            return copy.deepcopy(list(self._org(org_id).networks.values()))

    def saml_roles(self, org_id: str) -> list[dict[str, Any]]:
        """Copies of an organization's SAML role records, in Meraki's response shape."""
        with self._lock:
            return copy.deepcopy(list(self._org(org_id).saml_roles.values()))

    def saml_enabled(self, org_id: str) -> bool:
        """Whether SAML SSO is on in an organization."""
        with self._lock:
            return self._org(org_id).saml_enabled

    def login_security(self, org_id: str) -> dict[str, Any]:
        """A copy of an organization's login security, in Meraki's response shape."""
        with self._lock:
            return copy.deepcopy(self._org(org_id).login_security)

    def configuration_changes(self, org_id: str) -> list[dict[str, Any]]:
        """Copies of an organization's change log entries (one per successful API write), oldest first."""
        with self._lock:
            return copy.deepcopy(self._org(org_id).changes)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order (faulted ones included)."""
        with self._lock:
            return list(self._requests)

    @property
    def writes(self) -> list[RecordedRequest]:
        """The POST/PUT/PATCH/DELETE requests received, in order."""
        with self._lock:
            return [request for request in self._requests if request.is_write]

    @property
    def spec_violations(self) -> list[str]:
        """Violations seen, each starting with ``request`` (a client bug) or ``response`` (a bug of the fake)."""
        with self._lock:
            return list(self._violations)

    def clear_records(self) -> None:
        """Forget recorded requests and spec violations (state and faults are kept)."""
        with self._lock:
            self._requests.clear()
            self._violations.clear()

    # ---------------------------------------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str = "*",
        path: str = ".*",
        status: int | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
        exception: type[BaseException] | BaseException | None = None,
        after: bool = False,
    ) -> None:
        """Make the next ``times`` matching requests fail.

        Args:
            method: HTTP method to match, ``*`` for any, or ``WRITE`` for any write.
            path: Regex fully matched against the path relative to the API root.
            status: Answer with this status (give this or ``exception``).
            headers: Response headers; a 429 gets ``Retry-After: 1`` when None.
            body: Response body; None means ``{"errors": [<reason>]}``.
            times: Number of matching requests affected.
            exception: Raise this instead, e.g. ``httpx.ConnectTimeout`` (class or instance).
            after: Process the request first (state changes happen), then fail it; models a timeout after the
                Dashboard already applied a write.
        """
        fault = make_fault(method, path, status, headers, body, exception, times, after)
        with self._lock:
            self._faults.add(fault)

    def lose_replies(
        self,
        method: str = "WRITE",
        path: str = ".*",
        times: int = 1,
        status: int = 502,
        exception: type[BaseException] | BaseException | None = None,
    ) -> None:
        """Apply the next ``times`` matching requests, then lose their replies: a gateway answers ``status``
        (502 Bad Gateway by default) or, with ``exception`` (e.g. ``httpx.ReadTimeout``), no answer arrives.

        The Dashboard really changed (change log included); the client cannot know. A retry then meets the
        changed state, exactly as with Meraki: a repeated POST is "Email has already been taken", a repeated
        DELETE is 404, a repeated PUT applies again.

        Args:
            method: ``WRITE`` (any of POST, PUT, PATCH, DELETE), ``*``, or one method.
            path: Regex fully matched against the path relative to the API root.
            times: Number of matching requests whose reply is lost.
            status: The gateway's status when ``exception`` is None.
            exception: Raise this instead of answering.
        """
        self.fail_next(method, path, status=None if exception else status, exception=exception, times=times, after=True)

    def clear_faults(self) -> None:
        """Drop faults that have not fired yet."""
        with self._lock:
            self._faults.clear()

    # -------------------------------------------------------------------------------------------- handling

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as the Dashboard would.

        Args:
            request: The request; its URL must be under ``api_root``.

        Returns:
            The response.

        Raises:
            BaseException: Whatever an injected fault's ``exception`` is.
        """
        with self._lock:
            record = self._record(request)
            fault = self._faults.take(record.method, record.path)
            if fault is not None and not fault.after:
                return self._fail(fault, request, record)
            response = self._respond(request, record)
            if fault is not None:
                return self._fail(fault, request, record)
            return response

    @staticmethod
    def _fail(fault: Fault, request: httpx.Request, record: RecordedRequest) -> httpx.Response:
        if fault.exception is not None:
            record.status = None
            fault.raise_for(request)
        reply = fault.reply()
        record.status = reply.status
        return reply.to_response(request)

    def _record(self, request: httpx.Request) -> RecordedRequest:
        """Record the request, naming the account its key belongs to (never the key)."""
        path = request.url.path
        if path.startswith(self.api_root + "/"):
            path = path[len(self.api_root) :]
        try:
            body = json.loads(request.content) if request.content else None
        except ValueError:
            body = None
        record = RecordedRequest(
            method=request.method.upper(),
            path=path,
            query=parse_query(request.url),
            json=body,
            headers=redacted_headers(request.headers),
            url=str(request.url),
            account=self._account(request),
        )
        self._requests.append(record)
        return record

    def _respond(self, request: httpx.Request, record: RecordedRequest) -> httpx.Response:
        operation_id = ""
        try:
            if record.account is None:
                raise ApiError(401, "Invalid API key")
            operation_id, call = self._prepare(request, record, record.account)
            reply = HANDLERS[operation_id](self._state, call)
        except ApiError as error:
            reply = error.reply()
        if operation_id and 200 <= reply.status < 300:
            for problem in spec.validate_response_body(operation_id, reply.status, reply.body, self.strict):
                self._violations.append(f"response {reply.status} {record.method} {record.path}: {problem}")
        record.status = reply.status
        return reply.to_response(request)

    def _account(self, request: httpx.Request) -> str | None:
        """The account whose key the request carries (either header), or None when no account has it."""
        bearer = request.headers.get("Authorization", "")
        keys = {request.headers.get("X-Cisco-Meraki-API-Key"), bearer[7:] if bearer.startswith("Bearer ") else None}
        return next((name for name, key in self._keys.items() if key in keys), None)

    def _prepare(self, request: httpx.Request, record: RecordedRequest, account: str) -> tuple[str, Call]:
        """Route and validate a request by ``account``; raises ApiError with the Dashboard's answer when it cannot
        proceed (404 for an organization the account does not see)."""
        if not request.url.path.startswith(self.api_root + "/"):
            raise not_found()
        found = spec.match_operation(record.method, record.path)
        if found is None or found[0].operation_id not in HANDLERS:
            raise not_found()
        operation, params = found
        org = self._state.org(params["organizationId"], account=account) if "organizationId" in params else None
        query, problems = spec.validate_query(operation.operation_id, record.query)
        if request.content and record.json is None:
            problems.append("the request body is not valid JSON")
        else:
            problems += spec.validate_request_body(operation.operation_id, record.json, self.strict)
        if problems:
            self._violations.extend(f"request {record.method} {record.path}: {problem}" for problem in problems)
            raise ApiError(400, *problems)
        endpoint = record.path if self.link_style == "api-relative" else self._absolute(request, record.path)
        call = Call(
            operation_id=operation.operation_id,
            params=params,
            query=query,
            raw_query=record.query,
            body=copy.deepcopy(record.json),
            org=org,
            endpoint=endpoint,
            label=f"{record.method} {self.api_root}{record.path}",
            now=self._now(),
            account=account,
            owner=self._state.owners[account],
        )
        return operation.operation_id, call

    def _absolute(self, request: httpx.Request, path: str) -> str:
        return f"{request.url.scheme}://{request.url.netloc.decode('ascii')}{self.api_root}{path}"

    def _now(self) -> datetime:
        moment = self._clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    # ------------------------------------------------------------------------------------------------ mock

    def mock(self, base_url: str = "https://api.meraki.com/api/v1") -> respx.MockRouter:
        """A respx router sending every request under ``base_url`` to ``handle`` and refusing all others.

        Use as a context manager: ``with fake.mock(): ...``. ``assert_all_called`` is off; any request outside
        ``base_url`` raises ``respx.models.AllMockedAssertionError``.

        Args:
            base_url: Scheme, host and API root the client uses; its path must equal ``api_root``.

        Returns:
            The router.
        """
        if httpx.URL(base_url).path.rstrip("/") != self.api_root:
            raise ValueError(f"base_url path must be the API root {self.api_root!r}")
        router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True, base_url=base_url)
        router.route(name="meraki-standin").mock(side_effect=self.handle)
        return router
