"""The erasure ledger: which owners were anonymized, when, by whom and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vetrisys.core.models import BaseModel


class ErasureRecord(BaseModel):
    """One erasure of an owner's identity. Its id is also written to the journal file outside
    the database, so that a restore of an older backup can apply it again."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(_("erased at"))
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    # Set when a restore applied the erasure again from the journal.
    reapplied_at = models.DateTimeField(_("applied again at"), null=True, blank=True)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        constraints = [
            models.UniqueConstraint(fields=["client"], name="erasure_once_per_client"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.erased_at:%Y-%m-%d}"
