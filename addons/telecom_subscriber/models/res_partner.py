from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.numbering import normalize_msisdn
from ..tools.selections import SERVICE_STATES
from ..tools.sql import card_count, card_counts, card_ranked_ids, card_rows

CARD_SERVICE_LIMIT = 50
CARD_TIMELINE_LIMIT = 80
CARD_REQUEST_LIMIT = 50
PERSONAL_DATA_GROUP = "telecom_subscriber.telecom_subscriber_group_personal_data"


class ResPartner(models.Model):
    """A subscriber: a partner (person or company) with ``telecom_is_subscriber``."""

    _name = "res.partner"
    _inherit = ["res.partner", "telecom.personal.data.mixin"]
    _telecom_personal_fields = (
        "telecom_birthdate",
        "telecom_document_type",
        "telecom_document_number",
        "telecom_document_issue_date",
        "telecom_document_issuer",
    )
    # the processing register (152-FZ): see telecom.personal.data.mixin
    _telecom_personal_subject_field = "id"
    _telecom_personal_data_defaults = {"purpose": "service", "legal_basis": "contract"}
    _telecom_personal_data = {
        "name": {"category": "identity", "anonymise": "label"},
        "telecom_birthdate": {"category": "identity"},
        "telecom_document_type": {
            "category": "document",
            "purpose": "identification",
            "legal_basis": "law",
        },
        "telecom_document_number": {
            "category": "document",
            "purpose": "identification",
            "legal_basis": "law",
        },
        "telecom_document_issue_date": {
            "category": "document",
            "purpose": "identification",
            "legal_basis": "law",
        },
        "telecom_document_issuer": {
            "category": "document",
            "purpose": "identification",
            "legal_basis": "law",
        },
        "email": {"category": "contact"},
        "phone": {"category": "contact"},
        "mobile": {"category": "contact"},
        "street": {"category": "address"},
        "street2": {"category": "address"},
        "zip": {"category": "address"},
        "city": {"category": "address"},
    }

    telecom_is_subscriber = fields.Boolean(string="Subscriber", index=True)
    telecom_region_id = fields.Many2one(
        "telecom.region", string="Zone", index=True, ondelete="restrict"
    )
    telecom_segment = fields.Selection(
        [("mass", "Mass Market"), ("vip", "VIP"), ("b2b", "Business")],
        string="Segment",
        compute="_compute_telecom_segment",
        store=True,
        readonly=False,
        index=True,
    )
    telecom_customer_since = fields.Date(string="Customer Since")
    telecom_account_ids = fields.One2many(
        "telecom.account", "partner_id", string="Accounts"
    )
    telecom_service_ids = fields.One2many(
        "telecom.service", "partner_id", string="Services"
    )
    telecom_request_ids = fields.One2many(
        "telecom.request", "partner_id", string="Requests"
    )
    telecom_open_request_ids = fields.One2many(
        "telecom.request",
        "partner_id",
        string="Open Requests",
        domain=[("is_closed", "=", False)],
    )
    telecom_interaction_ids = fields.One2many(
        "telecom.interaction", "partner_id", string="Timeline"
    )
    # bounded lists of the card: its cost does not grow with the history
    telecom_card_service_ids = fields.Many2many(
        "telecom.service",
        string="Services on the Card",
        compute="_compute_telecom_card",
    )
    telecom_card_request_ids = fields.Many2many(
        "telecom.request",
        string="Open Requests on the Card",
        compute="_compute_telecom_card",
    )
    telecom_timeline_ids = fields.Many2many(
        "telecom.interaction",
        string="Recent Timeline",
        compute="_compute_telecom_card",
    )
    telecom_service_count = fields.Integer(
        string="Service Count", compute="_compute_telecom_card"
    )
    telecom_active_service_count = fields.Integer(
        string="Active Services", compute="_compute_telecom_card"
    )
    telecom_open_request_count = fields.Integer(
        string="Open Requests Count", compute="_compute_telecom_card"
    )
    telecom_lookup = fields.Char(
        string="MSISDN / ICCID / Account",
        compute="_compute_telecom_lookup",
        search="_search_telecom_lookup",
        help="Find the subscriber by phone number, SIM card number or account number.",
    )
    # personal data, readable by the groups that need it only
    telecom_birthdate = fields.Date(string="Birth Date", groups=PERSONAL_DATA_GROUP)
    telecom_document_type = fields.Selection(
        [
            ("passport", "National Passport"),
            ("foreign_passport", "Foreign Passport"),
            ("residence_permit", "Residence Permit"),
            ("military_id", "Military ID"),
            ("company_registration", "Company Registration"),
        ],
        string="Identity Document",
        groups=PERSONAL_DATA_GROUP,
    )
    telecom_document_number = fields.Char(
        string="Document Number", groups=PERSONAL_DATA_GROUP
    )
    telecom_document_issue_date = fields.Date(
        string="Document Issue Date", groups=PERSONAL_DATA_GROUP
    )
    telecom_document_issuer = fields.Char(
        string="Issued By", groups=PERSONAL_DATA_GROUP
    )

    @api.depends("company_name", "parent_id", "type")
    def _compute_display_name(self):
        # what the name reads besides Odoo's declared dependencies: fetched with
        # the partner rather than by a query of its own (one more on the card)
        return super()._compute_display_name()

    @api.depends("is_company")
    def _compute_telecom_segment(self):
        for partner in self:
            if not partner.telecom_segment:
                partner.telecom_segment = "b2b" if partner.is_company else "mass"

    def _compute_telecom_card(self):
        """The card's lists and figures, in one query whatever the history size.

        Every field computed by this method (addons add theirs, with this
        compute) is filled from the rows of :meth:`_telecom_card_parts`, run as
        one statement within the user's record rules, by
        :meth:`_telecom_card_assign`.
        """
        parts = self._telecom_card_parts() if self._origin.ids else []
        self._telecom_card_assign(card_rows(self.env.cr, parts))

    def _telecom_card_parts(self):
        """``SQL`` parts of the card's statement, each returning
        ``(key, partner id, value, position)`` rows (see ``tools/sql.py``);
        extend to show more on the card with no query of its own."""
        partners = [("partner_id", "in", self._origin.ids)]
        Service = self.env["telecom.service"]
        Request = self.env["telecom.request"]
        return [
            card_ranked_ids(
                "services",
                Service,
                partners,
                "partner_id",
                lambda alias: SQL(
                    "%s = 'terminated', %s DESC",
                    SQL.identifier(alias, "state"),
                    SQL.identifier(alias, "id"),
                ),
                CARD_SERVICE_LIMIT,
            ),
            card_ranked_ids(
                "timeline",
                self.env["telecom.interaction"],
                partners,
                "partner_id",
                lambda alias: SQL(
                    "%s DESC, %s DESC",
                    SQL.identifier(alias, "date"),
                    SQL.identifier(alias, "id"),
                ),
                CARD_TIMELINE_LIMIT,
            ),
            card_ranked_ids(
                "open_requests",
                Request,
                partners + [("is_closed", "=", False)],
                "partner_id",
                lambda alias: SQL("%s DESC", SQL.identifier(alias, "id")),
                CARD_REQUEST_LIMIT,
            ),
            card_counts("services", Service, partners, "partner_id", "state"),
            card_counts(
                "open_request_count",
                Request,
                partners + [("is_closed", "=", False)],
                "partner_id",
            ),
        ]

    def _telecom_card_assign(self, rows):
        """Fill the card's fields from ``rows`` ({(key, partner id): values})."""
        Service = self.env["telecom.service"]
        Interaction = self.env["telecom.interaction"]
        Request = self.env["telecom.request"]
        for partner in self:
            partner_id = partner._origin.id
            counts = {
                state: card_count(rows, f"services:{state}", partner_id)
                for state, _label in SERVICE_STATES
            }
            partner.telecom_service_count = sum(counts.values())
            partner.telecom_active_service_count = counts["active"]
            partner.telecom_open_request_count = card_count(
                rows, "open_request_count", partner_id
            )
            partner.telecom_card_request_ids = Request.browse(
                rows.get(("open_requests", partner_id), [])
            )
            partner.telecom_card_service_ids = Service.browse(
                rows.get(("services", partner_id), [])
            )
            partner.telecom_timeline_ids = Interaction.browse(
                rows.get(("timeline", partner_id), [])
            )

    def _compute_telecom_lookup(self):
        self.telecom_lookup = False

    def _search_telecom_lookup(self, operator, value):
        if operator not in ("=", "ilike") or not isinstance(value, str):
            return [("id", "=", 0)]
        return [
            ("id", "in", self.env["telecom.service"]._lookup_partner_ids_sql(value))
        ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._telecom_normalize_phones(vals, vals.get("telecom_is_subscriber"))
        return super().create(vals_list)

    def write(self, vals):
        if {"phone", "mobile"} & set(vals):
            is_subscriber = vals.get(
                "telecom_is_subscriber", any(self.mapped("telecom_is_subscriber"))
            )
            self._telecom_normalize_phones(vals, is_subscriber)
        return super().write(vals)

    def _telecom_normalize_phones(self, vals, is_subscriber):
        """Store subscriber phone numbers in E.164; bad numbers raise a clear error."""
        if not is_subscriber:
            return
        for field_name in ("phone", "mobile"):
            if vals.get(field_name):
                vals[field_name] = normalize_msisdn(self.env, vals[field_name])

    def _telecom_audited_records(self):
        return self.filtered("telecom_is_subscriber")

    def action_telecom_open_card(self):
        """Open the 360° subscriber card."""
        self.ensure_one()
        card = self.env.ref("telecom_subscriber.res_partner_view_form_telecom_card")
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.id,
            "view_mode": "form",
            "views": [(card.id, "form")],
        }

    def action_telecom_new_request(self):
        """Start the request named by the ``telecom_request_type`` context key."""
        self.ensure_one()
        return self.env["telecom.request"]._action_new(
            self.env.context.get("telecom_request_type"),
            {
                "partner_id": self.id,
                "account_id": self.telecom_account_ids[:1].id,
            },
        )

    def action_telecom_record_interaction(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Contact"),
            "res_model": "telecom.interaction",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def action_telecom_view_services(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_service_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def action_telecom_view_timeline(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_interaction_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_telecom_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_request_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {
            "default_partner_id": self.id,
            "search_default_filter_open": 1,
        }
        return action
