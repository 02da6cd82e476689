"""factory-boy factories for the Meraki inventory models."""

from datetime import UTC, datetime

import factory
from django.utils import timezone

from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole


class MerakiOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerakiOrganization

    organization_id = factory.Sequence(lambda n: str(500000 + n))
    name = factory.Sequence(lambda n: f"Organization {n:03d}")
    dashboard_url = factory.LazyAttribute(
        lambda o: f"https://n1.meraki.com/o/{o.organization_id}/manage/organization/overview"
    )
    dashboard = "default"  # the one implicit connection, as a sync without `dashboards` records it
    last_seen = factory.LazyFunction(timezone.now)


class MerakiNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerakiNetwork

    network_id = factory.Sequence(lambda n: f"L_{600000 + n}")
    organization = factory.SubFactory(MerakiOrganizationFactory)
    name = factory.Sequence(lambda n: f"Network {n:03d}")
    product_types = factory.LazyFunction(lambda: ["appliance", "switch"])
    network_tags = factory.LazyFunction(list)
    last_seen = factory.LazyFunction(timezone.now)


class MerakiAdministratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerakiAdministrator

    organization = factory.SubFactory(MerakiOrganizationFactory)
    admin_id = factory.Sequence(lambda n: str(700000 + n))
    email = factory.Sequence(lambda n: f"admin{n:03d}@example.com")
    name = factory.Sequence(lambda n: f"Admin {n:03d}")
    org_access = "read-only"
    account_status = "ok"
    two_factor_auth_enabled = True
    has_api_key = False
    last_active = factory.LazyFunction(timezone.now)
    authentication_method = "Email"
    network_privileges = factory.LazyFunction(list)
    tag_privileges = factory.LazyFunction(list)
    last_seen = factory.LazyFunction(timezone.now)


class MerakiSamlRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerakiSamlRole

    organization = factory.SubFactory(MerakiOrganizationFactory)
    role_id = factory.Sequence(lambda n: str(1400000000000 + n))
    role = factory.Sequence(lambda n: f"Role {n:03d}")
    org_access = "read-only"
    network_privileges = factory.LazyFunction(list)
    tag_privileges = factory.LazyFunction(list)
    last_seen = factory.LazyFunction(timezone.now)


def at(year: int, month: int, day: int):
    """An aware datetime at noon UTC."""
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def create_audit_inventory() -> dict:
    """Three organizations, four networks and six admin rows covering every audit case.

    Jane is an admin of Acme and (spelled with capitals) of Beta; Gamma has no Jane. Acme has SAML on and enforces
    2FA, Beta has SAML off and does not, Gamma's login security was never read. Rows:
    ========  ======================  ==========  ==========  ===  ===========
    key       email                   org         status      2FA  last active
    ========  ======================  ==========  ==========  ===  ===========
    jane_a    jane@example.com        Acme full   ok          yes  2026-01-10
    jane_b    Jane@Example.com        Beta r/o    unverified  no   never
    bob       bob@example.com         Acme r/o    pending     no   2024-01-01
    eve       eve@gmail.com           Beta full   locked      yes  2025-12-01
    carol     carol@example.com       Gamma none  ok          yes  2025-09-01
    dave      dave@corp.example.com   Gamma ent.  ok          yes  2026-01-05
    ========  ======================  ==========  ==========  ===  ===========
    """
    acme = MerakiOrganizationFactory(
        organization_id="100", name="Acme", saml_enabled=True, login_security={"enforceTwoFactorAuth": True}
    )
    beta = MerakiOrganizationFactory(
        organization_id="200", name="Beta", saml_enabled=False, login_security={"enforceTwoFactorAuth": False}
    )
    gamma = MerakiOrganizationFactory(organization_id="300", name="Gamma")
    networks = {
        "hq": MerakiNetworkFactory(organization=acme, network_id="L_1", name="HQ", network_tags=["branch", "east"]),
        "lab": MerakiNetworkFactory(organization=acme, network_id="L_2", name="Lab", network_tags=["lab"]),
        "store": MerakiNetworkFactory(organization=beta, network_id="L_3", name="Store", network_tags=["branch"]),
        "dc": MerakiNetworkFactory(organization=gamma, network_id="L_4", name="DC", network_tags=[]),
    }
    admin = MerakiAdministratorFactory
    admins = {
        "jane_a": admin(
            organization=acme, email="jane@example.com", name="Jane Doe", org_access="full", last_active=at(2026, 1, 10)
        ),
        "jane_b": admin(
            organization=beta,
            email="Jane@Example.com",
            name="Jane Doe",
            account_status="unverified",
            two_factor_auth_enabled=False,
            last_active=None,
        ),
        "bob": admin(
            organization=acme,
            email="bob@example.com",
            name="Bob Smith",
            account_status="pending",
            two_factor_auth_enabled=False,
            last_active=at(2024, 1, 1),
            network_privileges=[{"id": "L_1", "access": "full"}],
        ),
        "eve": admin(
            organization=beta,
            email="eve@gmail.com",
            name="Eve Adams",
            org_access="full",
            account_status="locked",
            last_active=at(2025, 12, 1),
            tag_privileges=[{"tag": "branch", "access": "read-only"}],
        ),
        "carol": admin(
            organization=gamma,
            email="carol@example.com",
            name="Carol King",
            org_access="none",
            last_active=at(2025, 9, 1),
        ),
        "dave": admin(
            organization=gamma,
            email="dave@corp.example.com",
            name="Dave Jones",
            org_access="enterprise",
            has_api_key=True,
            last_active=at(2026, 1, 5),
        ),
    }
    saml_roles = {
        "noc": MerakiSamlRoleFactory(
            organization=acme, role="NOC", tag_privileges=[{"tag": "branch", "access": "full"}]
        ),
    }
    return {
        "organizations": {"acme": acme, "beta": beta, "gamma": gamma},
        "networks": networks,
        "admins": admins,
        "saml_roles": saml_roles,
    }
