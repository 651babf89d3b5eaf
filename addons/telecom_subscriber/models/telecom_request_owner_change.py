from odoo import fields, models
from odoo.exceptions import UserError

SUPERVISOR_GROUP = "telecom_subscriber.telecom_subscriber_group_supervisor"
# approved by a supervisor: never scheduled for the cron to complete alone
OWNER_CHANGE_TRANSITIONS = {
    "draft": ("submitted", "cancelled"),
    "submitted": ("done", "rejected", "cancelled"),
}


class TelecomRequest(models.Model):
    """Change of owner (переоформление): a line, or its whole account, passes
    from its holder (the request's subscriber) to another subscriber.

    Both parties show their identity document to the agent, the holder signs
    the transfer (consent), and the account the line leaves has no debt. The
    front office submits it; a supervisor approves it (completes it). At
    completion the line joins an account of the new owner (the one chosen, or
    a new one) or, for a whole account, the account changes holder and payer.
    The request stays on the former holder's card, the new owner's timeline
    gets its own row.
    """

    _inherit = "telecom.request"

    request_type = fields.Selection(
        selection_add=[("owner_change", "Change of Owner")],
        ondelete={"owner_change": "cascade"},
    )
    new_partner_id = fields.Many2one(
        "res.partner",
        string="New Owner",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    owner_change_scope = fields.Selection(
        [("service", "This Line"), ("account", "The Whole Account")],
        string="Transfer",
        default="service",
        help="This line: it joins an account of the new owner (a new one unless "
        "one is chosen). The whole account: the account and all its lines change "
        "holder and payer.",
    )
    new_account_id = fields.Many2one(
        "telecom.account",
        string="New Owner's Account",
        ondelete="restrict",
        check_company=True,
        domain="[('partner_id', '=', new_partner_id)]",
        help="Account of the new owner the line joins; left empty, completing "
        "the request opens a new one.",
    )
    previous_account_id = fields.Many2one(
        "telecom.account",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )
    owner_consent = fields.Boolean(
        string="Holder's Consent Signed",
        help="The current holder signed the transfer application.",
    )
    new_owner_identity_verified = fields.Boolean(
        string="New Owner's Identity Checked",
        help="The agent checked the identity document of the new owner.",
    )

    def _check_submitted_owner_change(self):
        self._require_service(("active", "blocked"), self.env._("A change of owner"))
        for request in self:
            request._check_owner_change()

    def _check_done_owner_change(self):
        self._require_service(("active", "blocked"), self.env._("A change of owner"))
        for request in self:
            request._check_owner_change()

    def _on_done_owner_change(self):
        for request in self:
            request._transfer_to_new_owner()

    def _after_done_owner_change(self):
        self._log_owner_change_on_new_cards()

    def _event_payload_owner_change(self):
        return {
            "new_owner": self.new_partner_id.ref or str(self.new_partner_id.id),
            "new_owner_name": self.new_partner_id.name,
            "scope": self.owner_change_scope,
            "previous_account": self.previous_account_id.name or None,
            "new_account": self.new_account_id.name or None,
        }

    def _get_transitions(self):
        if self.request_type == "owner_change":
            return OWNER_CHANGE_TRANSITIONS
        return super()._get_transitions()

    def _is_completed_on_submit(self):
        if self.request_type == "owner_change":
            return False  # a supervisor approves it
        return super()._is_completed_on_submit()

    def action_complete(self):
        self._check_may_approve_owner_change()
        self._open_new_owner_accounts()
        return super().action_complete()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_may_approve_owner_change(self):
        """A supervisor approves the changes of owner (button and RPC alike)."""
        if (
            "owner_change" in self.mapped("request_type")
            and not self.env.su
            and not self.env.user.has_group(SUPERVISOR_GROUP)
        ):
            raise UserError(self.env._("A supervisor approves the changes of owner."))

    def _open_new_owner_accounts(self):
        """Approved changes of a line without a chosen account: the new owner's
        account is opened now, so that billing's order names it."""
        to_open = self.filtered(
            lambda request: (
                request.request_type == "owner_change"
                and request.state == "submitted"
                and request.owner_change_scope == "service"
                and not request.new_account_id
                and request.new_partner_id
            )
        )
        for request in to_open:
            request.new_account_id = self.env["telecom.account"].create(
                request._prepare_new_owner_account_vals()
            )

    def _check_owner_change(self):
        """Both parties identified, the holder's consent, no debt, nothing open."""
        self.ensure_one()
        if not self.new_partner_id or self.new_partner_id == self.partner_id:
            raise UserError(
                self.env._("Choose the new owner: another subscriber than the holder.")
            )
        if not (self.identity_verified and self.new_owner_identity_verified):
            raise UserError(
                self.env._(
                    "Check the identity documents of both the holder and the new owner."
                )
            )
        if not self.owner_consent:
            raise UserError(
                self.env._("The holder has to sign the transfer (consent) first.")
            )
        if self.new_account_id and (
            self.owner_change_scope == "account"
            or self.new_account_id.partner_id != self.new_partner_id
        ):
            raise UserError(
                self.env._(
                    "Account %(account)s is not an account of %(owner)s the line "
                    "can join.",
                    account=self.new_account_id.display_name,
                    owner=self.new_partner_id.display_name,
                )
            )
        self._check_owner_change_debt()
        self._check_no_other_open_request()

    def _check_owner_change_debt(self):
        self.ensure_one()
        service = self.service_id
        if service.block_reason in ("debt", "fraud"):
            raise UserError(
                self.env._(
                    "%(service)s is blocked for debt or fraud: settle it before "
                    "the change of owner.",
                    service=service.display_name,
                )
            )
        debt = service.account_id._get_outstanding_debt()
        if debt > 0:
            raise UserError(
                self.env._(
                    "Account %(account)s has an unpaid debt of %(amount)s %(currency)s:"
                    " it must be paid before the change of owner.",
                    account=service.account_id.display_name,
                    amount=debt,
                    currency=service.account_id.currency_id.name or "",
                )
            )

    def _check_no_other_open_request(self):
        self.ensure_one()
        others = self.search_count(
            [
                ("service_id", "=", self.service_id.id),
                ("is_closed", "=", False),
                ("state", "!=", "draft"),
                ("id", "!=", self.id),
            ]
        )
        if others:
            raise UserError(
                self.env._(
                    "%(service)s has open requests: complete or cancel them before "
                    "the change of owner.",
                    service=self.service_id.display_name,
                )
            )

    def _transfer_to_new_owner(self):
        """Move the line (or its whole account) to the new owner."""
        self.ensure_one()
        service = self.service_id
        account = service.account_id
        self.previous_account_id = account
        if not self.new_partner_id.telecom_is_subscriber:
            self.new_partner_id.telecom_is_subscriber = True
        if self.owner_change_scope == "account":
            account.write(
                {
                    "partner_id": self.new_partner_id.id,
                    "payer_id": self.new_partner_id.id,
                }
            )
            account.service_ids.filtered("user_partner_id").user_partner_id = False
            self.new_account_id = account
            return
        new_account = self.new_account_id or self.env["telecom.account"].create(
            self._prepare_new_owner_account_vals()
        )
        service.write({"account_id": new_account.id, "user_partner_id": False})
        self.new_account_id = new_account

    def _prepare_new_owner_account_vals(self):
        self.ensure_one()
        return {
            "partner_id": self.new_partner_id.id,
            "company_id": self.company_id.id,
            "region_id": (
                self.new_partner_id.telecom_region_id or self.service_id.region_id
            ).id,
            "billing_day": self.service_id.account_id.billing_day,
        }

    def _log_owner_change_on_new_cards(self):
        """The new owners' timelines tell where their line comes from."""
        self.env["telecom.interaction"].create(
            [
                {
                    "partner_id": request.new_partner_id.id,
                    "service_id": request.service_id.id,
                    "request_id": request.id,
                    "channel": "system",
                    "direction": "internal",
                    "summary": self.env._(
                        "%(service)s taken over from %(holder)s (%(name)s)",
                        service=request.service_id.display_name,
                        holder=request.partner_id.display_name,
                        name=request.name,
                    ),
                    "company_id": request.company_id.id,
                }
                for request in self
            ]
        )
