"""Capabilities and the built-in roles: the one place that says who may do what."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Capability(StrEnum):
    """A named thing a staff member may do at a location."""

    ORGANIZATION_MANAGE = "organization.manage"
    LOCATIONS_MANAGE = "locations.manage"
    STAFF_VIEW = "staff.view"
    STAFF_MANAGE = "staff.manage"
    ROLES_MANAGE = "roles.manage"
    AUDIT_VIEW = "audit.view"
    CLIENTS_VIEW = "clients.view"
    CLIENTS_MANAGE = "clients.manage"
    PATIENTS_VIEW = "patients.view"
    PATIENTS_MANAGE = "patients.manage"
    APPOINTMENTS_VIEW = "appointments.view"
    APPOINTMENTS_MANAGE = "appointments.manage"
    APPOINTMENTS_OVERBOOK = "appointments.overbook"
    RECORDS_VIEW = "records.view"
    RECORDS_WRITE = "records.write"
    RECORDS_SIGN = "records.sign"
    VACCINATIONS_GIVE = "vaccinations.give"
    PRESCRIPTIONS_WRITE = "prescriptions.write"
    PHARMACY_DISPENSE = "pharmacy.dispense"
    CONTROLLED_REGISTER = "pharmacy.controlled_register"
    INVENTORY_VIEW = "inventory.view"
    INVENTORY_MANAGE = "inventory.manage"
    PRICES_MANAGE = "prices.manage"
    BILLING_VIEW = "billing.view"
    BILLING_INVOICE = "billing.invoice"
    BILLING_PAYMENTS = "billing.payments"
    BILLING_VOID = "billing.void"
    BILLING_DAY_CLOSE = "billing.day_close"
    REPORTS_VIEW = "reports.view"
    REPORTS_CHAIN = "reports.chain"
    MESSAGES_VIEW = "messages.view"
    MESSAGES_MANAGE = "messages.manage"


CAPABILITY_LABELS: dict[Capability, Promise] = {
    Capability.ORGANIZATION_MANAGE: _("Manage organization settings"),
    Capability.LOCATIONS_MANAGE: _("Manage locations and rooms"),
    Capability.STAFF_VIEW: _("See staff"),
    Capability.STAFF_MANAGE: _("Manage staff and memberships"),
    Capability.ROLES_MANAGE: _("Manage roles"),
    Capability.AUDIT_VIEW: _("Read the audit log"),
    Capability.CLIENTS_VIEW: _("See owners"),
    Capability.CLIENTS_MANAGE: _("Register and edit owners"),
    Capability.PATIENTS_VIEW: _("See patients"),
    Capability.PATIENTS_MANAGE: _("Register and edit patients"),
    Capability.APPOINTMENTS_VIEW: _("See the calendar"),
    Capability.APPOINTMENTS_MANAGE: _("Book and manage appointments"),
    Capability.APPOINTMENTS_OVERBOOK: _("Overbook deliberately"),
    Capability.RECORDS_VIEW: _("Read medical records"),
    Capability.RECORDS_WRITE: _("Write medical records"),
    Capability.RECORDS_SIGN: _("Sign medical records"),
    Capability.VACCINATIONS_GIVE: _("Record vaccinations"),
    Capability.PRESCRIPTIONS_WRITE: _("Prescribe"),
    Capability.PHARMACY_DISPENSE: _("Dispense"),
    Capability.CONTROLLED_REGISTER: _("Keep the controlled-drug register"),
    Capability.INVENTORY_VIEW: _("See stock"),
    Capability.INVENTORY_MANAGE: _("Receive, adjust, transfer and order stock"),
    Capability.PRICES_MANAGE: _("Manage prices"),
    Capability.BILLING_VIEW: _("See invoices and payments"),
    Capability.BILLING_INVOICE: _("Create and issue invoices"),
    Capability.BILLING_PAYMENTS: _("Take payments"),
    Capability.BILLING_VOID: _("Void invoices and issue credit notes"),
    Capability.BILLING_DAY_CLOSE: _("Close the day"),
    Capability.REPORTS_VIEW: _("See reports of a location"),
    Capability.REPORTS_CHAIN: _("See reports of the whole organization"),
    Capability.MESSAGES_VIEW: _("See messages sent to owners"),
    Capability.MESSAGES_MANAGE: _("Manage message templates, reminder rules and retries"),
}

C = Capability

_FRONT_DESK = {
    C.CLIENTS_VIEW, C.CLIENTS_MANAGE, C.PATIENTS_VIEW, C.PATIENTS_MANAGE,
    C.APPOINTMENTS_VIEW, C.APPOINTMENTS_MANAGE, C.MESSAGES_VIEW,
}  # fmt: skip

_CLINICAL = {
    C.CLIENTS_VIEW, C.PATIENTS_VIEW, C.PATIENTS_MANAGE, C.APPOINTMENTS_VIEW,
    C.RECORDS_VIEW, C.RECORDS_WRITE, C.VACCINATIONS_GIVE, C.INVENTORY_VIEW,
}  # fmt: skip


class BuiltinRole(StrEnum):
    """The roles every organization starts with."""

    ADMIN = "admin"
    MANAGER = "manager"
    VET = "vet"
    TECHNICIAN = "technician"
    RECEPTIONIST = "receptionist"
    PHARMACIST = "pharmacist"
    CASHIER = "cashier"


BUILTIN_ROLE_NAMES: dict[BuiltinRole, Promise] = {
    BuiltinRole.ADMIN: _("Administrator"),
    BuiltinRole.MANAGER: _("Clinic manager"),
    BuiltinRole.VET: _("Veterinarian"),
    BuiltinRole.TECHNICIAN: _("Technician"),
    BuiltinRole.RECEPTIONIST: _("Receptionist"),
    BuiltinRole.PHARMACIST: _("Pharmacist"),
    BuiltinRole.CASHIER: _("Cashier"),
}

BUILTIN_ROLE_CAPABILITIES: dict[BuiltinRole, frozenset[Capability]] = {
    BuiltinRole.ADMIN: frozenset(Capability),
    BuiltinRole.MANAGER: frozenset(Capability)
    - {C.ORGANIZATION_MANAGE, C.ROLES_MANAGE, C.REPORTS_CHAIN, C.RECORDS_SIGN, C.AUDIT_VIEW},
    BuiltinRole.VET: frozenset(
        _CLINICAL
        | _FRONT_DESK
        | {C.RECORDS_SIGN, C.PRESCRIPTIONS_WRITE, C.APPOINTMENTS_OVERBOOK, C.BILLING_VIEW}
        | {C.CONTROLLED_REGISTER}
    ),
    # Stock moves by the hands of pharmacists, technicians and managers; vets prescribe and
    # administer (a vaccine given from stock is used under vaccinations.give).
    BuiltinRole.TECHNICIAN: frozenset(_CLINICAL | {C.PHARMACY_DISPENSE, C.INVENTORY_MANAGE}),
    BuiltinRole.RECEPTIONIST: frozenset(
        _FRONT_DESK | {C.BILLING_VIEW, C.BILLING_INVOICE, C.BILLING_PAYMENTS}
    ),
    BuiltinRole.PHARMACIST: frozenset(
        {C.CLIENTS_VIEW, C.PATIENTS_VIEW, C.RECORDS_VIEW, C.PHARMACY_DISPENSE}
        | {C.CONTROLLED_REGISTER, C.INVENTORY_VIEW, C.INVENTORY_MANAGE}
    ),
    BuiltinRole.CASHIER: frozenset(
        {C.CLIENTS_VIEW, C.PATIENTS_VIEW, C.BILLING_VIEW, C.BILLING_INVOICE}
        | {C.BILLING_PAYMENTS, C.BILLING_DAY_CLOSE, C.MESSAGES_VIEW}
    ),
}

# Capabilities over the whole organization: only an administrator hands them out.
ADMIN_ONLY_CAPABILITIES = frozenset(
    {C.ORGANIZATION_MANAGE, C.ROLES_MANAGE, C.AUDIT_VIEW, C.REPORTS_CHAIN}
)

# Roles whose capabilities apply at every location of the organization.
ORGANIZATION_WIDE_ROLES = frozenset({BuiltinRole.ADMIN})
