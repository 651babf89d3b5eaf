import json
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .sla_selections import ACTIVE_INCIDENT_STATES

LIVE_SERVICE_STATES = ("active", "blocked")


class TelecomIncident(models.Model):
    """The subscribers an incident affects and their notifications."""

    _inherit = "telecom.incident"

    def _affected_partner_sql(self):
        """SQL selecting the subscribers with a live service of the incident's
        service type and technology in its zones (or below)."""
        self.ensure_one()
        conditions = [
            SQL("s.state IN %s", LIVE_SERVICE_STATES),
            SQL("s.company_id = %s", self.company_id.id),
            SQL(
                "r.parent_path LIKE ANY(%s)",
                [f"{region.parent_path}%" for region in self.region_ids],
            ),
        ]
        if self.service_type:
            conditions.append(SQL("s.service_type = %s", self.service_type))
        if self.access_technology:
            conditions.append(SQL("s.access_technology = %s", self.access_technology))
        return SQL(
            """SELECT DISTINCT s.partner_id FROM telecom_service s
                 JOIN telecom_region r ON r.id = s.region_id
                WHERE %s""",
            SQL(" AND ").join(conditions),
        )

    def _emit_to_subscribers(self, event_type):
        """One business event per subscriber the incident hit (a live service
        it affects, or a ticket linked to it), inserted set-based: an incident
        may hit thousands of subscribers. Consumers get the subscriber on the
        event; ``incident.<state>`` events stay one per incident."""
        self.env["helpdesk.ticket"].flush_model(["incident_id", "partner_id"])
        self.env["telecom.service"].flush_model()
        self.env["res.partner"].flush_model(
            ["telecom_is_subscriber", "telecom_region_id"]
        )
        for incident in self.filtered("region_ids"):
            payload = {
                "incident_id": incident.id,
                "reference": incident.reference,
                "severity": incident.severity,
                "service_type": incident.service_type or None,
            }
            self.env.cr.execute(
                SQL(
                    """INSERT INTO telecom_event
                           (date, event_type, user_id, partner_id, res_model,
                            res_id, summary, payload, region_id, company_id)
                       SELECT %(now)s, %(event_type)s, %(uid)s, p.id,
                              'telecom.incident', %(incident)s, %(summary)s,
                              %(payload)s::jsonb, p.telecom_region_id, %(company)s
                         FROM res_partner p
                        WHERE p.telecom_is_subscriber
                          AND p.id IN (%(affected)s
                                       UNION
                                       SELECT t.commercial_partner_id
                                         FROM helpdesk_ticket t
                                        WHERE t.incident_id = %(incident)s)
                        ORDER BY p.id""",
                    now=fields.Datetime.now(),
                    event_type=event_type,
                    uid=self.env.uid,
                    incident=incident.id,
                    summary=incident.display_name,
                    payload=json.dumps(payload),
                    company=incident.company_id.id,
                    affected=incident._affected_partner_sql(),
                )
            )
        self.env["telecom.event"].invalidate_model()

    def _queue_notifications(self, kind):
        """Queue one notification per affected subscriber and channel, one
        INSERT ... SELECT per channel with the contact policy applied: opted-out
        subscribers get a skipped row, those in their quiet hours a later date."""
        Notification = self.env["telecom.incident.notification"]
        now = fields.Datetime.now()
        self.env.flush_all()
        for incident in self:
            channels = [
                channel
                for channel, enabled in (
                    ("email", incident.notify_email),
                    ("sms", incident.notify_sms),
                )
                if enabled
            ]
            if not channels or not incident.region_ids:
                continue
            for channel in channels:
                self.env.cr.execute(
                    SQL(
                        """INSERT INTO telecom_incident_notification
                               (incident_id, partner_id, channel, kind, state,
                                skip_reason, address, scheduled_date, company_id,
                                create_uid, create_date, write_uid, write_date)
                           SELECT %(incident)s, p.id, %(channel)s, %(kind)s,
                                  CASE WHEN x.reason IS NULL THEN 'queued'
                                       ELSE 'skipped' END,
                                  x.reason, %(address)s,
                                  CASE WHEN x.send_at > %(now)s THEN x.send_at END,
                                  %(company)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                             FROM (%(policy)s) AS x(partner_id, reason, send_at)
                             JOIN res_partner p ON p.id = x.partner_id
                            WHERE %(address)s IS NOT NULL""",
                        incident=incident.id,
                        channel=channel,
                        kind=kind,
                        address=SQL(
                            "p.email_normalized"
                            if channel == "email"
                            else "p.phone_sanitized"
                        ),
                        company=incident.company_id.id,
                        uid=self.env.uid,
                        now=now,
                        policy=Notification._skip_reason_sql(
                            incident._affected_partner_sql(),
                            channel,
                            incident.company_id,
                            now,
                        ),
                    )
                )
            Notification.invalidate_model()
        if self:
            cron = self.env.ref(
                "telecom_helpdesk_sla.ir_cron_telecom_incident_notify",
                raise_if_not_found=False,
            )
            if cron:
                cron._trigger()

    @api.model
    def _active_for_partners(self, partners):
        """{partner id: incident ids} of the active incidents affecting each
        subscriber (through its live services or, for incidents on every
        service, its zone), in one query."""
        if not partners:
            return {}
        self.env.flush_all()
        self.env.cr.execute(self._active_for_partners_sql(partners.ids))
        result = defaultdict(list)
        for partner_id, incident_id in self.env.cr.fetchall():
            result[partner_id].append(incident_id)
        return result

    @api.model
    def _active_for_partners_sql(self, partner_ids):
        """``SQL`` of the (partner id, incident id) pairs of
        :meth:`_active_for_partners` (the subscriber card runs it in its own
        statement); the caller flushes."""
        return SQL(
            """SELECT DISTINCT a.partner_id, i.id
                 FROM telecom_incident i
                 JOIN telecom_incident_region_rel rel ON rel.incident_id = i.id
                 JOIN telecom_region ir ON ir.id = rel.region_id
                 JOIN (
                      SELECT s.partner_id, s.region_id, s.service_type,
                             s.access_technology
                        FROM telecom_service s
                       WHERE s.partner_id = ANY(%(partners)s)
                         AND s.state IN ('active', 'blocked')
                       UNION ALL
                      SELECT p.id, p.telecom_region_id, NULL, NULL
                        FROM res_partner p
                       WHERE p.id = ANY(%(partners)s)
                         AND p.telecom_region_id IS NOT NULL
                      ) a ON (a.service_type IS NOT NULL
                              OR (i.service_type IS NULL
                                  AND i.access_technology IS NULL))
                 JOIN telecom_region ar ON ar.id = a.region_id
                WHERE i.state IN %(states)s
                  AND ar.parent_path LIKE ir.parent_path || %(below)s
                  AND (i.service_type IS NULL OR i.service_type = a.service_type)
                  AND (i.access_technology IS NULL
                       OR i.access_technology = a.access_technology)""",
            partners=list(partner_ids),
            states=ACTIVE_INCIDENT_STATES,
            below="%",  # the zone and every zone below it
        )

    def _notification_texts(self, kind):
        """Subject and text of a ``kind`` notification, in the context language."""
        self.ensure_one()
        if kind == "resolved":
            subject = self.env._("Service restored: %(incident)s", incident=self.name)
            text = self.env._(
                "The incident affecting your services in your area is resolved. "
                "%(message)s We apologise for the inconvenience.",
                message=self.public_message or "",
            )
        else:
            if kind == "opened":
                subject = self.env._(
                    "Network incident in your area: %(incident)s", incident=self.name
                )
            else:
                subject = self.env._(
                    "Update on the network incident: %(incident)s", incident=self.name
                )
            estimate = (
                self.env._(
                    " Estimated restoration: %(date)s.",
                    date=fields.Datetime.to_string(
                        fields.Datetime.context_timestamp(self, self.date_estimated_end)
                    )[:16],
                )
                if self.date_estimated_end
                else ""
            )
            text = (self.public_message or "") + estimate
        return subject, text

    @api.model
    def _portal_incidents(self, partner):
        """Active incidents affecting ``partner``, as the current (portal) user
        may read them."""
        incident_ids = self._active_for_partners(partner).get(partner.id, [])
        return self.browse(incident_ids)._filtered_access("read")
