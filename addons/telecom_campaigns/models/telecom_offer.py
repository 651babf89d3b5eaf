from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

OFFER_TYPES = [
    ("tariff", "Tariff Change"),
    ("option", "Option"),
    ("discount", "Discount"),
]


class TelecomOffer(models.Model):
    """What a campaign or a retention agent proposes to a subscriber.

    A tariff offer becomes a tariff change request when accepted, an option
    offer an option change request (add); a discount is the billing catalog's
    discount option added for its duration (an option change with an end date,
    whose removal is scheduled on that day). Who may get it is a segment
    (its conditions are evaluated live, see :meth:`_get_eligible_partner_ids`),
    when it may be accepted is the validity period.
    """

    _name = "telecom.offer"
    _description = "Offer"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        default=10, help="Order of preference when several offers fit: lowest first."
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        default=lambda self: self.env.company,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    offer_type = fields.Selection(
        OFFER_TYPES, string="Type", required=True, default="tariff", tracking=True
    )
    tariff_id = fields.Many2one(
        "product.product",
        string="Tariff Plan",
        domain=[("telecom_kind", "=", "tariff")],
        ondelete="restrict",
        tracking=True,
    )
    option_id = fields.Many2one(
        "product.product",
        domain=[("telecom_kind", "=", "option")],
        ondelete="restrict",
        tracking=True,
        help="The option added; for a discount, the billing catalog's option "
        "that grants it (billing applies the discount while the line has it).",
    )
    discount_percent = fields.Float(string="Discount (%)", tracking=True)
    discount_months = fields.Integer(
        string="Discount Duration (months)", default=3, tracking=True
    )
    eligibility_segment_id = fields.Many2one(
        "telecom.segment",
        string="Eligible Subscribers",
        ondelete="restrict",
        check_company=True,
        help="Only the subscribers matching this segment's conditions (evaluated "
        "when the offer is sent or recommended) may get the offer. Empty: everybody.",
    )
    date_from = fields.Date(string="Valid From", tracking=True)
    date_to = fields.Date(string="Valid To", tracking=True)
    response_days = fields.Integer(
        string="Days to Answer",
        default=14,
        help="An offer sent and not answered within these days counts as no answer.",
    )
    retention_ok = fields.Boolean(
        string="Retention Offer",
        help="May be recommended to the retention team for subscribers who asked "
        "to leave.",
    )
    description = fields.Text(
        translate=True, help="What the agent tells the subscriber."
    )
    email_subject = fields.Char(translate=True)
    email_body = fields.Html(translate=True, sanitize_style=True)
    sms_body = fields.Text(string="SMS Text", translate=True)
    response_ids = fields.One2many("telecom.offer.response", "offer_id")
    response_count = fields.Integer(compute="_compute_response_count")

    def _compute_response_count(self):
        counts = dict(
            self.env["telecom.offer.response"]._read_group(
                [("offer_id", "in", self.ids)], ["offer_id"], ["__count"]
            )
        )
        for offer in self:
            offer.response_count = counts.get(offer, 0)

    @api.constrains(
        "offer_type", "tariff_id", "option_id", "discount_percent", "discount_months"
    )
    def _check_offer_content(self):
        for offer in self:
            if offer.offer_type == "tariff" and not offer.tariff_id:
                raise ValidationError(self.env._("A tariff offer needs a tariff plan."))
            if offer.offer_type in ("option", "discount") and not offer.option_id:
                raise ValidationError(
                    self.env._(
                        "An option or discount offer needs the option of the "
                        "billing catalog it adds."
                    )
                )
            if offer.offer_type == "discount" and not (
                0 < offer.discount_percent <= 100
            ):
                raise ValidationError(
                    self.env._("A discount must be above 0 and at most 100 percent.")
                )
            if offer.offer_type == "discount" and offer.discount_months <= 0:
                raise ValidationError(
                    self.env._("A discount lasts at least one month.")
                )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for offer in self:
            if offer.date_from and offer.date_to and offer.date_from > offer.date_to:
                raise ValidationError(
                    self.env._("The offer cannot end before it starts.")
                )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_view_responses(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_campaigns.telecom_offer_response_action"
        )
        action["domain"] = [("offer_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    def _is_valid(self, date=None):
        """Whether the offer may be sent or accepted on ``date`` (default today)."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        return (
            self.active
            and (not self.date_from or self.date_from <= date)
            and (not self.date_to or date <= self.date_to)
        )

    def _get_deadline(self, date=None):
        """Last day to answer an offer made on ``date``: the response delay, at
        most the end of the validity."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        deadline = date + timedelta(days=self.response_days or 0)
        return min(deadline, self.date_to) if self.date_to else deadline

    def _get_eligible_partner_ids(self, partner_ids):
        """The subscribers of ``partner_ids`` this offer may go to, in one query.

        The eligibility segment's conditions are evaluated now over every zone
        (eligibility is one fact; who sees whom is the record rules' business).
        """
        self.ensure_one()
        partner_ids = list(partner_ids)
        if not partner_ids:
            return set()
        segment = self.eligibility_segment_id
        if not segment:
            partners = self.env["res.partner"].sudo()  # eligibility of every zone
            query = partners._search(
                [("id", "in", partner_ids), ("telecom_is_subscriber", "=", True)]
            )
        else:
            self.env["telecom.subscriber.metric"].flush_model()
            query = segment.sudo()._get_member_query(all_zones=True)
            query.add_where(SQL("res_partner.id = ANY(%s)", partner_ids))
        self.env.cr.execute(query.select(SQL("res_partner.id")))
        return {row[0] for row in self.env.cr.fetchall()}

    def _get_request_vals(self, service):
        """Values of the lifecycle request that fulfils this offer on ``service``:
        a tariff change, an option added, or a discount option added until the
        end of the discount."""
        self.ensure_one()
        base = {
            "partner_id": service.partner_id.id,
            "service_id": service.id,
            "channel": "portal",
            "reason": self.env._("Accepted offer: %s", self.name),
        }
        if self.offer_type == "tariff":
            return dict(
                base,
                request_type="tariff_change",
                tariff_id=self.tariff_id.id,
                remove_incompatible_options=True,
            )
        vals = dict(
            base,
            request_type="option_change",
            option_action="add",
            option_id=self.option_id.id,
        )
        if self.offer_type == "discount":
            vals["option_date_end"] = self._get_option_date_end()
        return vals

    def _get_option_date_end(self):
        """Last day of a discount accepted today (``False`` for other offers)."""
        self.ensure_one()
        if self.offer_type != "discount":
            return False
        return fields.Date.context_today(self) + relativedelta(
            months=self.discount_months
        )

    def _find_service(self, partner):
        """The subscriber's active line the offer applies to (most recent first)."""
        self.ensure_one()
        services = partner.telecom_service_ids.filtered(
            lambda service: service.state == "active"
        ).sorted(
            lambda service: (
                service.activation_date or fields.Date.today(),
                service.id,
            ),
            reverse=True,
        )
        if self.offer_type == "tariff":
            return services.filtered(
                lambda service: (
                    service.service_type == self.tariff_id.telecom_service_type
                    and service.tariff_id != self.tariff_id
                )
            )[:1]
        if self.offer_type in ("option", "discount"):
            return services.filtered(
                lambda service: (
                    service.service_type == self.option_id.telecom_service_type
                    and self.option_id not in service.option_ids
                    and service.tariff_id.product_tmpl_id._telecom_allows_option(
                        self.option_id.product_tmpl_id
                    )
                )
            )[:1]
        return services[:0]

    def _send_to_partners(self, partner_ids, campaign=None, channel=None):
        """ "Send offer": one queued response per eligible subscriber, handed to
        the sending queue. The offer must be valid today."""
        self.ensure_one()
        return self.env["telecom.offer.response"]._create_for_offer(
            self, partner_ids, campaign=campaign, channel=channel
        )
