import logging

from odoo import api, models

from ..adapters.base import BssError

_logger = logging.getLogger(__name__)


class TelecomBackend(models.Model):
    """Catalog synchronisation: tariffs and options from a system's catalog."""

    _inherit = "telecom.backend"

    def action_sync_catalog(self):
        """Bring tariffs and options from this system's catalog."""
        self.ensure_one()
        # it writes the catalog (as the system would): configuring users only
        self.check_access("write")
        try:
            counts = self._bss_sync_catalog()
        except BssError as error:
            return self._notify(
                self.env._("Catalog not synchronised: %(error)s", error=error.message),
                "danger",
            )
        return self._notify(
            self.env._(
                "Catalog synchronised: %(created)s new, %(updated)s updated, "
                "%(archived)s archived, %(invalid)s invalid offers skipped.",
                **counts,
            ),
            "success",
        )

    def _bss_sync_catalog(self):
        self.ensure_one()
        offers = self._bss_call("list_offers")
        counts = self.env["product.template"]._bss_sync_offers(self, offers)
        self._message_log(
            body=self.env._(
                "Catalog synchronised: %(created)s new, %(updated)s updated, "
                "%(archived)s archived, %(unchanged)s unchanged, %(invalid)s invalid.",
                **counts,
            )
        )
        return counts

    @api.model
    def _cron_sync_catalog(self):
        """Synchronise every catalog system, one per run (progress reported)."""
        backends = self.search([("kind", "=", "catalog")])
        done = 0
        for backend in backends:
            try:
                backend._bss_sync_catalog()
            except BssError as error:
                _logger.warning(
                    "catalog sync of backend %s failed: %s", backend.id, error.message
                )
            done += 1
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(backends) - done
            )
