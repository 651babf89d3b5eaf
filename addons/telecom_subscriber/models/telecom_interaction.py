from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.numbering import normalize_msisdn
from ..tools.selections import CHANNELS, OUTCOMES


class TelecomInteraction(models.Model):
    """One contact with a subscriber, on any channel: the rows of the timeline.

    Agents record them, integrations create them through :meth:`api_record`,
    and lifecycle requests add their steps (channel ``system``).
    """

    _name = "telecom.interaction"
    _description = "Subscriber Interaction"
    _inherit = ["telecom.personal.data.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # the processing register (152-FZ), reads not journaled
    _telecom_personal_data_defaults = {
        "category": "interaction",
        "purpose": "support",
        "legal_basis": "contract",
    }
    _telecom_personal_data = {
        "summary": {"anonymise": "label"},
        "description": {},
    }

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    service_id = fields.Many2one(
        "telecom.service",
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    service_label = fields.Char(
        related="service_id.name",
        store=True,
        string="Number / Address",
        help="Number or address of the service, kept on the row so that the "
        "timeline reads no other table.",
    )
    request_id = fields.Many2one(
        "telecom.request", index="btree_not_null", ondelete="set null"
    )
    channel = fields.Selection(CHANNELS, required=True, default="call")
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")],
        required=True,
        default="inbound",
    )
    agent_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        index="btree_not_null",
    )
    summary = fields.Char(required=True)
    description = fields.Text()
    outcome = fields.Selection(OUTCOMES)
    duration = fields.Float(string="Duration (min)")
    res_model = fields.Char(string="Source Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Source Record", model_field="res_model", readonly=True
    )
    external_reference = fields.Char(
        index="btree_not_null",
        copy=False,
        help="Identifier in the source system (contact centre, chat platform); "
        "the same reference is recorded once.",
    )
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        compute="_compute_region_id",
        store=True,
        index=True,
        precompute=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    _API_FIELDS = (
        "channel",
        "direction",
        "summary",
        "description",
        "outcome",
        "date",
        "duration",
        "external_reference",
    )

    _sql_constraints = [
        (
            "external_reference_uniq",
            "unique(external_reference, channel)",
            "This interaction was already recorded.",
        ),
    ]

    def init(self):
        # the timeline reads the newest rows of one subscriber
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_interaction_partner_date_idx
               ON telecom_interaction (partner_id, date DESC, id DESC)"""
        )

    @api.model_create_multi
    def create(self, vals_list):
        interactions = super().create(vals_list)
        interactions.filtered(
            lambda interaction: interaction.outcome == "complaint"
        )._emit_complaints()
        return interactions

    def write(self, vals):
        new_complaints = self.browse()
        if vals.get("outcome") == "complaint":
            new_complaints = self.filtered(
                lambda interaction: interaction.outcome != "complaint"
            )
        result = super().write(vals)
        new_complaints._emit_complaints()
        return result

    def _emit_complaints(self):
        """Announce complaints on the business event feed
        (``complaint.registered``, with the subscriber), whoever recorded them:
        an agent, a contact centre through :meth:`api_record`, the timeline row
        of a complaint ticket. The event names the record the contact came from
        (``res_model``/``res_id``), else the interaction itself."""
        if not self:
            return
        self.env["telecom.event"]._emit(
            "complaint.registered",
            [
                {
                    "partner_id": interaction.partner_id.id,
                    "service_id": interaction.service_id.id,
                    "res_model": interaction.res_model or self._name,
                    "res_id": interaction.res_id or interaction.id,
                    "summary": interaction.summary,
                    "company_id": interaction.company_id.id,
                    "payload": {
                        "interaction_id": interaction.id,
                        "channel": interaction.channel,
                        "source_model": interaction.res_model or None,
                    },
                }
                for interaction in self
            ],
        )

    @api.depends("partner_id", "service_id")
    def _compute_region_id(self):
        for interaction in self:
            interaction.region_id = (
                interaction.service_id.region_id
                or interaction.partner_id.telecom_region_id
            )

    @api.model
    def api_record(self, payloads):
        """Record interactions sent by a contact centre, chat or app platform.

        Each payload names the subscriber by ``partner_id`` or by ``msisdn`` (which
        also links the service) and carries ``channel``, ``direction``, ``summary``,
        ``description``, ``outcome``, ``date``, ``duration`` and
        ``external_reference``. Already recorded references are skipped, so a
        platform may resend. Returns the ids, in payload order.
        """
        if isinstance(payloads, dict):
            payloads = [payloads]
        msisdns = [
            self._payload_msisdn(payload, index)
            for index, payload in enumerate(payloads)
        ]
        services = self._services_by_msisdn([msisdn for msisdn in msisdns if msisdn])
        known = self._known_references(payloads)
        vals_list, ids_in_order = [], []
        for index, payload in enumerate(payloads):
            known_id = known.get(
                (payload.get("external_reference"), payload.get("channel"))
            )
            ids_in_order.append(known_id)
            if not known_id:
                service = services.get(msisdns[index], self.env["telecom.service"])
                vals_list.append(self._prepare_api_vals(payload, service, index))
        created_ids = iter(self.create(vals_list).ids)
        return [known_id or next(created_ids) for known_id in ids_in_order]

    def _payload_msisdn(self, payload, index):
        if not payload.get("msisdn"):
            return False
        try:
            return normalize_msisdn(self.env, payload["msisdn"])
        except ValidationError as error:
            raise ValidationError(
                self.env._(
                    "Interaction %(index)s: %(error)s", index=index + 1, error=error
                )
            ) from error

    def _services_by_msisdn(self, msisdns):
        if not msisdns:
            return {}
        services = self.env["telecom.service"].search(
            [("msisdn", "in", msisdns), ("state", "!=", "terminated")]
        )
        return {service.msisdn: service for service in services}

    def _known_references(self, payloads):
        references = [
            p["external_reference"] for p in payloads if p.get("external_reference")
        ]
        if not references:
            return {}
        existing = self.search_fetch(
            [("external_reference", "in", references)],
            ["external_reference", "channel"],
        )
        return {(rec.external_reference, rec.channel): rec.id for rec in existing}

    def _prepare_api_vals(self, payload, service, index):
        partner_id = payload.get("partner_id") or service.partner_id.id
        if not partner_id:
            raise ValidationError(
                self.env._(
                    "Interaction %(index)s: no subscriber found for %(who)s.",
                    index=index + 1,
                    who=payload.get("msisdn") or "-",
                )
            )
        vals = {key: payload[key] for key in self._API_FIELDS if key in payload}
        vals.update(
            {
                "partner_id": partner_id,
                "service_id": service.id,
                "summary": payload.get("summary") or self.env._("Contact"),
            }
        )
        return vals
