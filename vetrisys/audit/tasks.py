"""Scheduled check of the audit chain: a broken link is logged as an error every night."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vetrisys.audit.services import verify

logger = logging.getLogger("vetrisys.audit")


@db_periodic_task(crontab(hour="3", minute="17"))  # type: ignore[untyped-decorator]
def audit_chain_verify() -> str:
    """Walk every chain; log and return the first broken link, or "intact"."""
    broken = verify()
    if broken is None:
        logger.info("audit chain intact")
        return "intact"
    logger.error("audit chain broken: %s", broken)
    return str(broken)
