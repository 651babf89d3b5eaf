import psycopg2

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import mute_logger


class TelecomInventoryItem(models.AbstractModel):
    """Shared behaviour of the stock items (numbers, SIM cards): row locks."""

    _name = "telecom.inventory.item"
    _description = "Telecom Inventory Item"

    def _lock(self):
        """Lock the rows of ``self`` or raise at once: another agent moves them.

        ``NOWAIT``: the second of two agents taking the same item gets a clear
        error instead of waiting and failing on a serialization error.
        """
        if not self:
            return
        self.flush_recordset()
        try:
            # a refused lock is an expected outcome, not a bad query to log
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    f"SELECT id FROM {self._table} WHERE id = ANY(%s) "  # noqa: S608
                    "FOR UPDATE NOWAIT",
                    [self.ids],
                )
        except psycopg2.errors.LockNotAvailable as error:
            raise UserError(
                self.env._(
                    "Another agent is taking %(items)s right now; try again.",
                    items=", ".join(self.mapped("display_name")),
                )
            ) from error
        # what another transaction committed before our lock
        self.invalidate_recordset()
