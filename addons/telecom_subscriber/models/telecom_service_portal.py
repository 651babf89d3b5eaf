from odoo import models
from odoo.exceptions import AccessError, UserError


class TelecomService(models.Model):
    """What a subscriber may do on their own lines from the portal."""

    _inherit = "telecom.service"

    def _portal_request_block_lost_sim(self):
        """Block this mobile line because its SIM card is lost, for its portal holder.

        The caller must be the holder of the line (or a contact of the holding
        company). A ``block`` request with reason ``lost_sim`` is created through
        the portal channel and submitted: it completes at once when the company
        completes requests at submission, otherwise the back office confirms it.
        A portal contact row is added to the timeline.

        :return: the block request, with the caller's access rights
        :raise AccessError: the line is not the caller's
        :raise UserError: the line is not an active mobile line
        """
        self.ensure_one()
        service = self.sudo(False)  # the checks run with the caller's rights
        user = self.env.user
        owned = service.search_count(
            [
                ("id", "=", service.id),
                ("partner_id", "child_of", user.commercial_partner_id.id),
            ],
            limit=1,
        )
        if not owned:
            raise AccessError(self.env._("You can only block your own lines."))
        if service.service_type != "mobile":
            raise UserError(self.env._("Only a mobile line has a SIM card to block."))
        if service.state != "active":
            raise UserError(
                self.env._(
                    "%(line)s cannot be blocked: it is not active.",
                    line=service.display_name,
                )
            )
        # sudo: portal users may only read requests and have no access to the
        # timeline; the line was checked above to be the caller's own active line
        Request = self.env["telecom.request"].sudo()
        Interaction = self.env["telecom.interaction"].sudo()
        # all or nothing: a refused submission leaves no draft block behind
        with self.env.cr.savepoint():
            block = Request.create(service._prepare_lost_sim_block_vals())
            Interaction.create(service._prepare_lost_sim_interaction_vals(block))
            block.action_submit()
        return block.sudo(False)

    def _prepare_lost_sim_block_vals(self):
        self.ensure_one()
        return {
            "request_type": "block",
            "block_reason": "lost_sim",
            "partner_id": self.partner_id.id,
            "account_id": self.account_id.id,
            "service_id": self.id,
            "channel": "portal",
            "user_id": False,
            "reason": self.env._(
                "Lost or stolen SIM card, reported by the subscriber online."
            ),
        }

    def _prepare_lost_sim_interaction_vals(self, block):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "service_id": self.id,
            "request_id": block.id,
            "channel": "portal",
            "direction": "inbound",
            "agent_id": False,
            "outcome": "request_created",
            "summary": self.env._(
                "Lost SIM reported from the portal: %(line)s", line=self.name
            ),
            "company_id": self.company_id.id,
        }
