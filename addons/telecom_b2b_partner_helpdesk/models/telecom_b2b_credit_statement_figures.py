from collections import defaultdict
from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import Command, fields, models
from odoo.tools import SQL

LIVE_SERVICE_STATES = ("active", "blocked")


class TelecomB2bCreditStatement(models.Model):
    """The credits of draft statements, computed set-based: one query for the
    breached tickets of all the statements, one for the incidents that hit
    their services. A month runs from the 1st 00:00 to the next 1st in the
    contract's time zone (``_get_credit_tz``)."""

    _inherit = "telecom.b2b.credit.statement"

    def _compute_credits(self):
        drafts = self.filtered(lambda s: s.state == "draft")
        if not drafts:
            return
        self.env.flush_all()
        breaches = drafts._read_breached_tickets()
        downtime = drafts._read_incident_downtime()
        drafts.line_ids.unlink()
        line_vals = []
        for statement in drafts:
            contract = statement.contract_id
            monthly = contract.monthly_amount
            hours, incident_ids = downtime.get(statement.id, (0.0, []))
            allowed = (
                statement._period_hours()
                * (100.0 - contract.credit_availability_percent)
                / 100.0
            )
            statement.write(
                {
                    "monthly_amount": monthly,
                    "downtime_hours": hours,
                    "allowed_downtime_hours": allowed,
                    "cap_amount": monthly * contract.credit_cap_percent / 100.0,
                }
            )
            statement_lines = statement._prepare_breach_lines(
                breaches.get(statement.id, {})
            ) + statement._prepare_downtime_lines(hours, allowed, incident_ids)
            line_vals += statement_lines + statement._prepare_cap_lines(statement_lines)
        self.env["telecom.b2b.credit.statement.line"].create(line_vals)

    def _period_bounds(self):
        """The month as naive UTC datetimes (as stored): from the 1st 00:00 to
        the next 1st 00:00, local time of the contract."""
        self.ensure_one()
        tz = pytz.timezone(self.contract_id._get_credit_tz())
        start = datetime.combine(self.period_start, time.min)
        return tuple(
            tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
            for local in (start, start + relativedelta(months=1))
        )

    def _periods_sql(self):
        """The statements' months as an SQL relation ``st(id, p_from, p_to)``."""
        bounds = [statement._period_bounds() for statement in self]
        return SQL(
            """SELECT * FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[])
                   AS st(id, p_from, p_to)""",
            self.ids,
            [start for start, __ in bounds],
            [end for __, end in bounds],
        )

    def _period_hours(self):
        start, end = self._period_bounds()
        return (end - start).total_seconds() / 3600.0

    def _read_breached_tickets(self):
        """{statement id: {priority: [ticket ids]}}: the tickets whose first
        SLA breach under a term of the statement's contract falls in its month."""
        self.env.cr.execute(
            SQL(
                """WITH st AS (
                       SELECT p.id, s.contract_id, p.p_from, p.p_to
                         FROM (%(periods)s) AS p
                         JOIN telecom_b2b_credit_statement s ON s.id = p.id),
                   first_breach AS (
                       SELECT term.contract_id, term.priority, l.ticket_id,
                              MIN(l.deadline) AS breached_at
                         FROM telecom_sla_line l
                         JOIN telecom_sla_policy p ON p.id = l.policy_id
                         JOIN telecom_b2b_contract_sla term
                           ON term.id = p.b2b_contract_sla_id
                        WHERE l.breached AND l.status != 'cancelled'
                          AND term.contract_id IN (SELECT contract_id FROM st)
                        GROUP BY term.contract_id, term.priority, l.ticket_id)
                   SELECT st.id, fb.priority,
                          array_agg(fb.ticket_id ORDER BY fb.ticket_id)
                     FROM st
                     JOIN first_breach fb ON fb.contract_id = st.contract_id
                      AND fb.breached_at >= st.p_from AND fb.breached_at < st.p_to
                    GROUP BY st.id, fb.priority""",
                periods=self._periods_sql(),
            )
        )
        result = defaultdict(dict)
        for statement_id, priority, ticket_ids in self.env.cr.fetchall():
            result[statement_id][priority] = ticket_ids
        return result

    def _read_incident_downtime(self):
        """{statement id: (hours, incident ids)}: the time of the month at least
        one incident hit a service the contract covers (its services, else the
        live services of the sites it covers), overlapping incidents counted once."""
        scope_statements, scope_partners = [], []
        service_statements, service_ids = [], []
        covered = self.contract_id._get_covered_partner_ids()
        for statement in self:
            contract = statement.contract_id
            if contract.service_ids:
                service_statements += [statement.id] * len(contract.service_ids)
                service_ids += contract.service_ids.ids
            else:
                partners = covered[contract.id]
                scope_statements += [statement.id] * len(partners)
                scope_partners += list(partners)
        self.env.cr.execute(
            SQL(
                """WITH st AS (%(periods)s),
                   scope AS (
                       SELECT u.statement_id, s.id AS service_id
                         FROM unnest(%(scope_statements)s::int[],
                                     %(scope_partners)s::int[])
                              AS u(statement_id, partner_id)
                         JOIN telecom_service s ON s.partner_id = u.partner_id
                        WHERE s.state IN %(live)s
                        UNION ALL
                       SELECT u.statement_id, u.service_id
                         FROM unnest(%(service_statements)s::int[],
                                     %(service_ids)s::int[])
                              AS u(statement_id, service_id)),
                   -- incidents hit services by company, zone, type and
                   -- technology: match each kind of covered service once,
                   -- not each of a big customer's lines
                   kinds AS (
                       SELECT DISTINCT sc.statement_id, s.company_id,
                              s.region_id, s.service_type, s.access_technology
                         FROM scope sc
                         JOIN telecom_service s ON s.id = sc.service_id)
                   SELECT DISTINCT st.id, i.id,
                          GREATEST(i.date_start, st.p_from),
                          LEAST(COALESCE(i.date_end, %(now)s), st.p_to)
                     FROM kinds k
                     JOIN st ON st.id = k.statement_id
                     JOIN telecom_region sr ON sr.id = k.region_id
                     JOIN telecom_incident i
                       ON i.company_id = k.company_id
                      AND i.state != 'cancelled'
                      AND i.date_start < st.p_to
                      AND COALESCE(i.date_end, %(now)s) > st.p_from
                      AND (i.service_type IS NULL OR i.service_type = k.service_type)
                      AND (i.access_technology IS NULL
                           OR i.access_technology = k.access_technology)
                    WHERE EXISTS (
                          SELECT 1
                            FROM telecom_incident_region_rel rel
                            JOIN telecom_region ir ON ir.id = rel.region_id
                           WHERE rel.incident_id = i.id
                             AND starts_with(sr.parent_path, ir.parent_path))""",
                periods=self._periods_sql(),
                scope_statements=scope_statements,
                scope_partners=scope_partners,
                service_statements=service_statements,
                service_ids=service_ids,
                live=LIVE_SERVICE_STATES,
                now=fields.Datetime.now(),
            )
        )
        intervals = defaultdict(list)
        for statement_id, incident_id, start, end in self.env.cr.fetchall():
            intervals[statement_id].append((start, end, incident_id))
        return {
            statement_id: (_union_hours(rows), sorted({row[2] for row in rows}))
            for statement_id, rows in intervals.items()
        }

    def _prepare_breach_lines(self, tickets_by_priority):
        self.ensure_one()
        rates = {
            term.priority: term.credit_percent for term in self.contract_id.sla_ids
        }
        priorities = dict(
            self.env["telecom.b2b.credit.statement.line"]
            ._fields["priority"]
            ._description_selection(self.env)
        )
        return [
            {
                "statement_id": self.id,
                "sequence": 10 + 4 - int(priority),
                "kind": "breach",
                "priority": priority,
                "quantity": len(ticket_ids),
                "rate_percent": rates.get(priority, 0.0),
                "amount": self._credit(len(ticket_ids), rates.get(priority, 0.0)),
                "description": self.env._(
                    "%(count)s ticket(s) of priority %(priority)s breached their SLA",
                    count=len(ticket_ids),
                    priority=priorities.get(priority, priority),
                ),
                "ticket_ids": [Command.set(ticket_ids)],
            }
            for priority, ticket_ids in sorted(
                tickets_by_priority.items(), reverse=True
            )
        ]

    def _prepare_downtime_lines(self, hours, allowed, incident_ids):
        self.ensure_one()
        excess = max(0.0, hours - allowed)
        if not excess:
            return []
        rate = self.contract_id.credit_downtime_percent
        return [
            {
                "statement_id": self.id,
                "sequence": 20,
                "kind": "downtime",
                "quantity": excess,
                "rate_percent": rate,
                "amount": self._credit(excess, rate),
                "description": self.env._(
                    "%(hours).2f h of incident downtime, %(allowed).2f h allowed: "
                    "%(excess).2f h credited",
                    hours=hours,
                    allowed=allowed,
                    excess=excess,
                ),
                "incident_ids": [Command.set(incident_ids)],
            }
        ]

    def _prepare_cap_lines(self, line_vals):
        """A negative line bringing the total down to the cap, if over it."""
        self.ensure_one()
        total = sum(vals["amount"] for vals in line_vals)
        if total <= self.cap_amount:
            return []
        return [
            {
                "statement_id": self.id,
                "sequence": 30,
                "kind": "cap",
                "rate_percent": self.contract_id.credit_cap_percent,
                "amount": self.currency_id.round(self.cap_amount - total),
                "description": self.env._(
                    "Credits capped at %(percent)s%% of the monthly fee",
                    percent=self.contract_id.credit_cap_percent,
                ),
            }
        ]

    def _credit(self, quantity, rate_percent):
        return self.currency_id.round(
            quantity * rate_percent * self.monthly_amount / 100.0
        )


def _union_hours(rows):
    """Hours covered by the union of (start, end, _) intervals."""
    total, current_start, current_end = 0.0, None, None
    for start, end, _incident in sorted(rows):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total / 3600.0
