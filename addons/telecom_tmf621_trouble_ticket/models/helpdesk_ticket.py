from datetime import timezone

from markupsafe import escape

from odoo import api, fields, models
from odoo.tools import html2plaintext

from odoo.addons.telecom_bss_connector.tools.api_schema import (
    ApiError,
    parse_datetime,
    parse_id,
)

# TMF621 severity -> urgency of the priority matrix (telecom_helpdesk_sla)
SEVERITY_URGENCY = {"critical": "1", "major": "2", "minor": "3"}
PARTY_TYPES = ("Individual", "Organization", "Customer", "Party", "PartyRole")
FILTERS = {
    "status": "stage_id.tmf_status",
    "severity": "tmf_severity",
    "ticketType": "tmf_ticket_type",
    "externalId": "tmf_external_id",
    "priority": "tmf_priority",
}


class HelpdeskTicket(models.Model):
    """Helpdesk tickets as TMF621 Trouble Tickets, for partners and the OSS."""

    _inherit = "helpdesk.ticket"

    tmf_external_id = fields.Char(
        string="External ID", index="btree_not_null", copy=False
    )
    tmf_ticket_type = fields.Char(string="Ticket Type")
    tmf_severity = fields.Char(string="Severity (TMF)")
    tmf_priority = fields.Char(string="Priority (TMF)")
    tmf_requested_resolution_date = fields.Datetime(
        string="Requested Resolution", copy=False
    )
    tmf_status = fields.Selection(related="stage_id.tmf_status", string="TMF Status")
    tmf_status_changes = fields.Json(
        string="Status Changes (TMF)", readonly=True, copy=False
    )
    tmf_notes = fields.Json(string="Notes (TMF)", readonly=True, copy=False)
    tmf_related_parties = fields.Json(
        string="Related Parties (TMF)", readonly=True, copy=False
    )
    tmf_related_entities = fields.Json(
        string="Related Entities (TMF)", readonly=True, copy=False
    )

    # ------------------------------------------------------------------
    # API (called by the TMF621 controller as the integration user)
    # ------------------------------------------------------------------
    @api.model
    def _api_tmf_create(self, payload):
        values = self._tmf_values(payload, creating=True)
        ticket = self.create(values)
        ticket._tmf_apply_status(
            payload.get("status"), payload.get("statusChangeReason")
        )
        ticket._tmf_add_notes(payload.get("note") or [])
        return ticket

    def _api_tmf_update(self, payload):
        self.ensure_one()
        self.write(self._tmf_values(payload, creating=False))
        if payload.get("status"):
            self._tmf_apply_status(payload["status"], payload.get("statusChangeReason"))
        self._tmf_add_notes(payload.get("note") or [])
        return self

    @api.model
    def _api_tmf_search(self, filters, offset=0, limit=100):
        Api = self.env["telecom.api"]
        domain = Api._api_filter_domain(filters, FILTERS)
        party = filters.get("relatedParty.id")
        if party:
            domain.append(("partner_id", "in", self._tmf_partner_ids([party])))
        for param, operator in (("creationDate.gt", ">"), ("creationDate.lt", "<")):
            if filters.get(param):
                moment = parse_datetime(filters[param])
                if not moment:
                    raise ApiError(
                        400,
                        "INVALID_QUERY",
                        self.env._("Invalid query parameter"),
                        self.env._(
                            "%(name)s must be an ISO 8601 date-time.", name=param
                        ),
                    )
                domain.append(("create_date", operator, self._utc(moment)))
        return Api._api_search_page(self, domain, offset, limit)

    # ------------------------------------------------------------------
    # mapping TMF -> ticket
    # ------------------------------------------------------------------
    @api.model
    def _tmf_values(self, payload, creating):
        values = {}
        if "name" in payload or creating:
            values["name"] = (
                payload.get("name")
                or (payload.get("description") or "").strip()[:80]
                or self.env._("Trouble ticket")
            )
        if "description" in payload:
            values["description"] = escape(payload["description"]).replace(
                "\n", "<br/>"
            )
        simple = {
            "externalId": "tmf_external_id",
            "ticketType": "tmf_ticket_type",
            "severity": "tmf_severity",
            "priority": "tmf_priority",
        }
        for key, field_name in simple.items():
            if key in payload:
                values[field_name] = payload[key]
        if payload.get("severity") in SEVERITY_URGENCY:
            values["telecom_urgency"] = SEVERITY_URGENCY[payload["severity"]]
        if payload.get("requestedResolutionDate"):
            values["tmf_requested_resolution_date"] = self._utc(
                parse_datetime(payload["requestedResolutionDate"])
            )
        if "relatedParty" in payload:
            values.update(self._tmf_party_values(payload["relatedParty"]))
        if "relatedEntity" in payload:
            values.update(self._tmf_entity_values(payload["relatedEntity"]))
        if payload.get("channel", {}).get("name"):
            channel = self.env["helpdesk.ticket.channel"].search(
                [("name", "=ilike", payload["channel"]["name"])], limit=1
            )
            if channel:
                values["channel_id"] = channel.id
        if payload.get("ticketType"):
            category = self.env["helpdesk.ticket.category"].search(
                [("name", "=ilike", payload["ticketType"])], limit=1
            )
            if category:
                values["category_id"] = category.id
        return values

    @api.model
    def _tmf_party_values(self, parties):
        partner_ids = self._tmf_partner_ids(
            [party.get("id") for party in parties if party.get("id")]
        )
        values = {"tmf_related_parties": parties}
        if partner_ids:
            values["partner_id"] = partner_ids[0]
        return values

    @api.model
    def _tmf_partner_ids(self, references):
        """Subscribers named by id (Odoo id or customer reference)."""
        ids = [number for ref in references if (number := parse_id(ref))]
        partners = self.env["res.partner"].search(
            [
                ("telecom_is_subscriber", "=", True),
                "|",
                ("id", "in", ids),
                ("ref", "in", [str(ref) for ref in references]),
            ]
        )
        return partners.ids

    @api.model
    def _tmf_entity_values(self, entities):
        values = {"tmf_related_entities": entities}
        keys = [
            entity.get("id")
            for entity in entities
            if entity.get("@referredType") in ("Service", "Product", "Resource")
            and entity.get("id")
        ]
        if keys:
            service = self.env["telecom.service"].search(
                [
                    "|",
                    "|",
                    ("msisdn", "in", keys),
                    ("reference", "in", keys),
                    ("name", "in", keys),
                ],
                limit=1,
            )
            if service:
                values["telecom_service_id"] = service.id
                values.setdefault("partner_id", service.partner_id.id)
        return values

    def _tmf_apply_status(self, status, reason=None):
        """Move to the first stage of ``status``; journal the change (TMF621)."""
        self.ensure_one()
        if status and status != self.stage_id.tmf_status:
            stage = self.env["helpdesk.ticket.stage"].search(
                [
                    ("tmf_status", "=", status),
                    "|",
                    ("team_ids", "=", False),
                    ("team_ids", "in", self.team_id.ids),
                ],
                order="sequence, id",
                limit=1,
            )
            if not stage:
                # a valid status no stage offers: the ticket cannot take it
                # (409: the specification's answer to a state conflict)
                raise ApiError(
                    409,
                    "INVALID_STATUS",
                    self.env._("Status not available"),
                    self.env._("No stage has the status %(status)s.", status=status),
                )
            self.stage_id = stage
        changes = list(self.tmf_status_changes or [])
        change = {
            "status": self.stage_id.tmf_status,
            "changeDate": fields.Datetime.now().isoformat() + "Z",
        }
        if reason:
            change["changeReason"] = reason
        changes.append(change)
        self.tmf_status_changes = changes

    def _tmf_add_notes(self, notes):
        if not notes:
            return
        self.ensure_one()
        stored = list(self.tmf_notes or [])
        for note in notes:
            entry = {
                "id": str(len(stored) + 1),
                "author": note.get("author") or self.env.user.name,
                "date": note.get("date") or fields.Datetime.now().isoformat() + "Z",
                "text": note.get("text") or "",
            }
            stored.append(entry)
            # logged, not posted: the partner's note notifies nobody and needs no
            # sender address of the integration user
            self._message_log(
                body=self.env._(
                    "%(author)s: %(text)s", author=entry["author"], text=entry["text"]
                ),
                message_type="comment",
            )
        self.tmf_notes = stored

    @api.model
    def _utc(self, moment):
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment

    # ------------------------------------------------------------------
    # ticket -> TMF
    # ------------------------------------------------------------------
    def _tmf_dict(self, base_url, fields_filter=None):
        self.ensure_one()

        def iso(value):
            return value.isoformat() + "Z" if value else None

        data = {
            "id": str(self.id),
            "href": f"{base_url}/tmf-api/troubleTicketManagement/v4/troubleTicket/"
            f"{self.id}",
            "@type": "TroubleTicket",
            "name": self.name,
            "description": html2plaintext(self.description or ""),
            "severity": self.tmf_severity or None,
            "ticketType": self.tmf_ticket_type or None,
            "priority": self.tmf_priority or None,
            "status": self.stage_id.tmf_status or None,
            "externalId": self.tmf_external_id or None,
            "creationDate": iso(self.create_date),
            "lastUpdate": iso(self.write_date),
            "statusChangeDate": iso(self.last_stage_update),
            "resolutionDate": iso(self.closed_date),
            "requestedResolutionDate": iso(self.tmf_requested_resolution_date),
            "expectedResolutionDate": iso(self.sla_deadline),
            "relatedParty": self._tmf_parties(),
            "relatedEntity": self._tmf_entities(),
            "note": self.tmf_notes or [],
            # null is no string: a status without a reason omits the key
            "statusChange": [
                {key: value for key, value in change.items() if value is not None}
                for change in self.tmf_status_changes or []
            ],
        }
        data = {key: value for key, value in data.items() if value not in (None, "")}
        if fields_filter:
            keep = set(fields_filter) | {"id", "href"}
            data = {key: value for key, value in data.items() if key in keep}
        return data

    def _tmf_parties(self):
        parties = list(self.tmf_related_parties or [])
        if self.partner_id and not any(
            str(party.get("id")) == str(self.partner_id.id) for party in parties
        ):
            parties.append(
                {
                    "id": str(self.partner_id.id),
                    "name": self.partner_id.name,
                    "role": "customer",
                    "@referredType": "Individual"
                    if not self.partner_id.is_company
                    else "Organization",
                }
            )
        return parties

    def _tmf_entities(self):
        entities = list(self.tmf_related_entities or [])
        service_key = (
            self.telecom_service_id.msisdn or self.telecom_service_id.reference
        )
        if service_key and not entities:
            entities.append(
                {
                    "id": service_key,
                    "name": self.telecom_service_id.display_name,
                    "role": "affectedService",
                    "@referredType": "Service",
                }
            )
        if self.incident_id.reference:
            entities.append(
                {
                    "id": self.incident_id.reference,
                    "name": self.incident_id.name,
                    "role": "massIncident",
                    "@referredType": "Incident",
                }
            )
        return entities
