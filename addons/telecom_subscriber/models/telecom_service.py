from contextlib import suppress

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.numbering import normalize_iccid, normalize_imsi, normalize_msisdn
from ..tools.selections import (
    ACCESS_TECHNOLOGIES,
    BLOCK_REASONS,
    SERVICE_STATES,
    SERVICE_TYPES,
)


class TelecomService(models.Model):
    """One subscribed service instance: a mobile line, a broadband access, IPTV…

    Its state changes only when a lifecycle request completes
    (see ``telecom.request``); the state log keeps the full history.
    """

    _name = "telecom.service"
    _description = "Subscribed Service"
    _inherit = [
        "telecom.tracking.batch.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "telecom.personal.data.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "msisdn", "iccid", "reference"]
    # the processing register (152-FZ), reads not journaled: the numbers of a
    # line are kept as communication service records (126-FZ art. 64)
    _telecom_personal_data_defaults = {"purpose": "service", "legal_basis": "law"}
    _telecom_personal_data = {
        "msisdn": {"category": "communication"},
        "iccid": {"category": "communication"},
        "imsi": {"category": "communication"},
        "installation_address": {"category": "address", "legal_basis": "contract"},
    }

    name = fields.Char(compute="_compute_name", store=True, index="trigram")
    reference = fields.Char(
        required=True,
        copy=False,
        index=True,
        default=lambda self: self.env["ir.sequence"].next_by_code("telecom.service"),
    )
    service_type = fields.Selection(
        SERVICE_TYPES, required=True, default="mobile", tracking=True
    )
    account_id = fields.Many2one(
        "telecom.account",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        related="account_id.partner_id", string="Subscriber", store=True, index=True
    )
    company_id = fields.Many2one(
        related="account_id.company_id", store=True, index=True
    )
    user_partner_id = fields.Many2one(
        "res.partner",
        string="Line User",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        help="Who uses the line when it is not the account holder (a relative, an "
        "employee). With a portal login they see the line and its requests; "
        "changes stay with the holder.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        required=True,
        index=True,
        compute="_compute_region_id",
        store=True,
        readonly=False,
        precompute=True,
        ondelete="restrict",
    )
    state = fields.Selection(
        SERVICE_STATES,
        required=True,
        default="pending",
        readonly=True,
        index=True,
        tracking=True,
    )
    block_reason = fields.Selection(BLOCK_REASONS, readonly=True, tracking=True)
    # mobile identifiers
    msisdn = fields.Char(
        string="MSISDN", index="btree_not_null", copy=False, tracking=True
    )
    iccid = fields.Char(
        string="ICCID", index="btree_not_null", copy=False, tracking=True
    )
    imsi = fields.Char(string="IMSI", index="btree_not_null", copy=False)
    # fixed identifiers
    installation_address = fields.Char()
    access_technology = fields.Selection(ACCESS_TECHNOLOGIES)
    # offer
    tariff_id = fields.Many2one(
        "product.product",
        string="Tariff Plan",
        required=True,
        domain="[('telecom_kind', '=', 'tariff'), "
        "('telecom_service_type', '=', service_type)]",
        ondelete="restrict",
        tracking=True,
    )
    option_ids = fields.Many2many(
        "product.product",
        "telecom_service_option_rel",
        "service_id",
        "product_id",
        string="Options",
        domain="[('telecom_kind', '=', 'option'), "
        "('telecom_service_type', '=', service_type)]",
    )
    monthly_fee = fields.Monetary(
        compute="_compute_monthly_fee", currency_field="currency_id"
    )
    activation_date = fields.Date(readonly=True, copy=False)
    termination_date = fields.Date(readonly=True, copy=False)
    ported_in = fields.Boolean(readonly=True, copy=False)
    state_log_ids = fields.One2many(
        "telecom.service.state.log", "service_id", string="Status History"
    )
    request_ids = fields.One2many("telecom.request", "service_id", string="Requests")
    usage_monthly_ids = fields.One2many(
        "telecom.usage.monthly", "service_id", string="Monthly Usage"
    )

    # one live service per number and SIM card; a terminated service frees them
    _sql_constraints = [
        (
            "msisdn_live_uniq",
            "EXCLUDE (msisdn WITH =) "
            "WHERE (state != 'terminated' AND msisdn IS NOT NULL)",
            "This MSISDN is already used by another service.",
        ),
        (
            "iccid_live_uniq",
            "EXCLUDE (iccid WITH =) "
            "WHERE (state != 'terminated' AND iccid IS NOT NULL)",
            "This SIM card (ICCID) is already used by another service.",
        ),
    ]

    @api.depends("service_type", "msisdn", "installation_address", "reference")
    def _compute_name(self):
        for service in self:
            service.name = (
                service.msisdn or service.installation_address or service.reference
            )

    @api.depends("account_id")
    def _compute_region_id(self):
        for service in self:
            if not service.region_id:
                service.region_id = service.account_id.region_id

    @api.depends("tariff_id", "option_ids")
    def _compute_monthly_fee(self):
        for service in self:
            service.monthly_fee = service.tariff_id.telecom_monthly_fee + sum(
                service.option_ids.mapped("telecom_monthly_fee")
            )

    @api.constrains("service_type", "msisdn", "iccid")
    def _check_mobile_identifiers(self):
        for service in self:
            if service.service_type == "mobile" and not service.msisdn:
                raise ValidationError(
                    self.env._(
                        "A mobile line needs an MSISDN (%(ref)s).",
                        ref=service.reference,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_identifiers(vals)
        services = super().create(vals_list)
        services._log_states()
        return services

    def write(self, vals):
        if "state" in vals and not self.env.context.get("telecom_request_apply"):
            raise UserError(
                self.env._(
                    "A service changes status through a request (activation, block, "
                    "termination…), not by editing it."
                )
            )
        self._normalize_identifiers(vals)
        return super().write(vals)

    def action_new_request(self):
        """Start the request named by the ``telecom_request_type`` context key."""
        self.ensure_one()
        return self.env["telecom.request"]._action_new(
            self.env.context.get("telecom_request_type"),
            {
                "partner_id": self.partner_id.id,
                "account_id": self.account_id.id,
                "service_id": self.id,
            },
        )

    def _normalize_identifiers(self, vals):
        """Put the MSISDN, ICCID and IMSI of ``vals`` in canonical form, or raise.

        Context key ``telecom_identifiers_normalized``: set by a caller that has
        normalised and validated the identifiers already (the billing import, which
        reports a bad number as a row error) to spare the second check, mostly the
        phonenumbers parsing of the MSISDN (about 130 µs a number). Only values
        already in canonical form (``+`` and digits for the MSISDN, digits for the
        ICCID and IMSI) are kept as given; any other value is still normalised, so
        the key never lets a number in under another spelling, which the
        live-uniqueness constraints would not catch.
        """
        normalizers = {
            "msisdn": (normalize_msisdn, "+"),
            "iccid": (normalize_iccid, ""),
            "imsi": (normalize_imsi, ""),
        }
        trusted = self.env.context.get("telecom_identifiers_normalized")
        for field_name, (normalize, prefix) in normalizers.items():
            value = vals.get(field_name)
            if not value:
                continue
            digits = value[len(prefix) :] if value.startswith(prefix) else None
            if trusted and digits and digits.isascii() and digits.isdigit():
                continue  # canonical already
            vals[field_name] = normalize(self.env, value)

    def _apply_state(self, state, requests=None, block_reason=False, date=None):
        """Move the services to ``state``; only completing ``requests`` call it."""
        date = date or fields.Date.context_today(self)
        services = self.with_context(telecom_request_apply=True)
        services.write(
            {
                "state": state,
                "block_reason": block_reason if state == "blocked" else False,
            }
        )
        if state == "active":
            services.filtered(lambda service: not service.activation_date).write(
                {"activation_date": date}
            )
        elif state == "terminated":
            services.write({"termination_date": date})
        self._log_states(requests)

    def _log_states(self, requests=None):
        """Append the current state of each service to its history."""
        request_by_service = {
            request.service_id.id: request for request in requests or ()
        }
        no_request = self.env["telecom.request"]
        self.env["telecom.service.state.log"].create(
            [
                {
                    "service_id": service.id,
                    "state": service.state,
                    "block_reason": service.block_reason,
                    "request_id": request_by_service.get(service.id, no_request).id,
                    "reason": request_by_service.get(service.id, no_request).reason,
                }
                for service in self
            ]
        )

    @api.model
    def _find_live(self, field_name, values):
        """Live services holding one of ``values`` in ``field_name``, in any zone."""
        values = [value for value in values if value]
        if not values:
            return self.browse()
        # sudo: numbers and SIM cards are unique across zones the user may not see
        return self.sudo().search(
            [(field_name, "in", values), ("state", "!=", "terminated")]
        )

    @api.model
    def _lookup_partner_ids_sql(self, term):
        """SQL selecting the subscribers owning the MSISDN, ICCID or account ``term``.

        Index-backed; used as a sub-query of the subscriber search.
        """
        term = (term or "").strip()
        candidates = {term}
        with suppress(ValidationError):  # not a phone number: an ICCID or account
            candidates.add(normalize_msisdn(self.env, term))
        digits = "".join(char for char in term if char.isdigit())
        if digits:
            candidates.add(digits)
        terms = list(candidates)
        return SQL(
            """(SELECT partner_id FROM telecom_service
                 WHERE msisdn = ANY(%(terms)s) OR iccid = ANY(%(terms)s)
                UNION
                SELECT partner_id FROM telecom_account WHERE name = ANY(%(terms)s))""",
            terms=terms,
        )
