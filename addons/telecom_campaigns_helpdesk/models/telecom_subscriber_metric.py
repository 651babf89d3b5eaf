from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# churn-risk points of the ticket reasons
SLA_BREACH_POINTS = 10  # per SLA breach suffered in the last 90 days...
SLA_BREACH_MAX = 20  # ...at most
INCIDENT_POINTS = 5  # per incident that hit the subscriber in the last 90 days...
INCIDENT_MAX = 15  # ...at most
LIVE_STATES = ("active", "blocked")


class TelecomSubscriberMetric(models.Model):
    """Ticket figures of the metrics, from ``telecom_helpdesk_sla``."""

    _inherit = "telecom.subscriber.metric"

    open_ticket_count = fields.Integer(
        string="Open Tickets", readonly=True, help="Service desk tickets not closed."
    )
    sla_breach_count_90d = fields.Integer(
        string="SLA Breaches Suffered (90 days)",
        readonly=True,
        help="SLA targets (first response, update, resolution) of the subscriber's "
        "tickets breached in the last 90 days.",
    )
    incident_count_90d = fields.Integer(
        string="Incidents Suffered (90 days)",
        readonly=True,
        help="Mass incidents of the last 90 days (not cancelled) that hit the "
        "subscriber: a ticket linked to it, a notification about it, or a live "
        "service it affects.",
    )

    @api.model
    def _refresh_figure_queries(self, partner_ids, now):
        for model in (
            "helpdesk.ticket",
            "helpdesk.ticket.stage",
            "telecom.sla.event",
            "telecom.incident",
            "telecom.incident.notification",
        ):
            self.env[model].flush_model()
        return super()._refresh_figure_queries(partner_ids, now) + [
            self._ticket_figures_query(partner_ids, now)
        ]

    @api.model
    def _ticket_figures_query(self, partner_ids, now):
        partners = SQL("(SELECT ids FROM batch_ids)::integer[]")
        return SQL(
            """
WITH batch_ids AS (SELECT %(partner_ids)s AS ids)
UPDATE telecom_subscriber_metric m
   SET open_ticket_count = figures.open_tickets,
       sla_breach_count_90d = figures.breaches,
       incident_count_90d = figures.incidents
  FROM (
    WITH recent_incident AS (
        SELECT id, company_id, service_type, access_technology
          FROM telecom_incident
         WHERE state != 'cancelled' AND date_start <= %(now)s
           AND (date_end IS NULL OR date_end >= %(since_90)s)
    ), hit AS (
        -- a ticket of the subscriber linked to the incident
        SELECT t.commercial_partner_id AS partner_id, t.incident_id
          FROM helpdesk_ticket t
         WHERE %(ticket_in_batch)s
           AND t.incident_id IN (SELECT id FROM recent_incident)
        UNION
        -- a notification the subscriber was sent (or skipped) about it
        SELECT n.partner_id, n.incident_id
          FROM telecom_incident_notification n
         WHERE n.partner_id = ANY(%(partners)s)
           AND n.incident_id IN (SELECT id FROM recent_incident)
        UNION
        -- a live service in its zones, of its service type and technology
        SELECT s.partner_id, i.id
          FROM recent_incident i
          JOIN telecom_incident_region_rel rel ON rel.incident_id = i.id
          JOIN telecom_region zone ON zone.id = rel.region_id
          JOIN telecom_service s ON s.company_id = i.company_id
          JOIN telecom_region service_zone ON service_zone.id = s.region_id
         WHERE s.partner_id = ANY(%(partners)s) AND s.state IN %(live)s
           AND service_zone.parent_path LIKE zone.parent_path || %(anything)s
           AND (i.service_type IS NULL OR i.service_type = s.service_type)
           AND (i.access_technology IS NULL
                OR i.access_technology = s.access_technology)
    )
    SELECT batch.partner_id,
           coalesce(open_ticket.total, 0) AS open_tickets,
           coalesce(breach.total, 0) AS breaches,
           coalesce(incident.total, 0) AS incidents
      FROM unnest(%(partners)s::integer[]) AS batch(partner_id)
      LEFT JOIN (
           SELECT t.commercial_partner_id AS partner_id, count(*) AS total
             FROM helpdesk_ticket t
             JOIN helpdesk_ticket_stage stage ON stage.id = t.stage_id
            WHERE %(ticket_in_batch)s
              AND t.active AND NOT coalesce(stage.closed, false)
            GROUP BY t.commercial_partner_id
           ) open_ticket ON open_ticket.partner_id = batch.partner_id
      LEFT JOIN (
           SELECT t.commercial_partner_id AS partner_id, count(*) AS total
             FROM telecom_sla_event e
             JOIN helpdesk_ticket t ON t.id = e.ticket_id
            WHERE %(ticket_in_batch)s
              AND e.event_type = 'breached'
              AND e.date >= %(since_90)s AND e.date <= %(now)s
            GROUP BY t.commercial_partner_id
           ) breach ON breach.partner_id = batch.partner_id
      LEFT JOIN (
           SELECT partner_id, count(*) AS total FROM hit GROUP BY partner_id
           ) incident ON incident.partner_id = batch.partner_id
  ) figures
 WHERE m.partner_id = figures.partner_id
   -- unchanged rows are not rewritten: most of them, every day
   AND (m.open_ticket_count, m.sla_breach_count_90d, m.incident_count_90d)
       IS DISTINCT FROM (figures.open_tickets, figures.breaches, figures.incidents)
""",
            partner_ids=self._id_array(partner_ids),
            # the ids once: planning "= ANY(<50,000 constants>)" five times cost
            # more than the statement (see telecom_subscriber_metric._refresh_query)
            partners=partners,
            # tickets have no index on the subscriber: a dense batch is read
            # as a range (a test per row), not as 50,000 array members per row
            ticket_in_batch=self._batch_filter(
                SQL("t.commercial_partner_id"), partner_ids, partners
            ),
            now=now,
            since_90=now - timedelta(days=90),
            live=LIVE_STATES,
            anything="%",
        )

    @api.model
    def _churn_extra_points(self, now):
        return super()._churn_extra_points(now) + [
            (
                "sla_breach",
                SQL(
                    "least(m.sla_breach_count_90d * %s, %s)",
                    SLA_BREACH_POINTS,
                    SLA_BREACH_MAX,
                ),
            ),
            (
                "incident",
                SQL(
                    "least(m.incident_count_90d * %s, %s)",
                    INCIDENT_POINTS,
                    INCIDENT_MAX,
                ),
            ),
        ]

    def _churn_reason_labels(self):
        return {
            **super()._churn_reason_labels(),
            "sla_breach": self.env._("SLA breached on their tickets (90 days)"),
            "incident": self.env._("Hit by network incidents (90 days)"),
        }
