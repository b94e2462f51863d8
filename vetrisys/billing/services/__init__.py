"""Writes of billing. Each checks the capability, validates, writes and records the audit
event in one transaction."""

from vetrisys.billing.services.charges import charge_add, charge_cancel

__all__ = ["charge_add", "charge_cancel"]
