import pytz

from odoo import api, fields, models
from odoo.tools import SQL

CONTACT_BLOCK_REASONS = [
    ("no_address", "No e-mail address or mobile number"),
    ("email_blacklist", "E-mail blacklisted"),
    ("phone_blacklist", "Phone number blacklisted"),
    ("no_consent", "No marketing consent on this channel"),
    ("cap_day", "Daily contact limit reached"),
    ("cap_week", "Weekly contact limit reached"),
    ("cap_month", "Monthly contact limit reached"),
]
CAP_WINDOWS = (("day", 1), ("week", 7), ("month", 30))


class TelecomContactPolicy(models.AbstractModel):
    """The contact policy every sender of the suite applies, set-based in SQL.

    Who may be contacted on a channel, now or when: e-mail and phone blacklists
    (Odoo's ``mail.blacklist`` / ``phone.blacklist``, fed by the unsubscribe
    links), marketing consent per channel, frequency caps on the marketing
    contacts of the ``telecom.contact.log`` and quiet hours in the subscriber's
    time zone (the subscriber's, else its zone's, else the company's).
    Settings are per company (Telecom settings, "Contact Policy").
    """

    _name = "telecom.contact.policy"
    _description = "Contact Policy"

    @api.model
    def _company_tz(self, company):
        tz = company.partner_id.tz
        return tz if tz in pytz.all_timezones_set else "UTC"

    @api.model
    def _policy_sql(self, partners_sql, channel, category, company, at=None):
        """SQL ``SELECT partner_id, reason, send_at, email, phone, region_id``
        for each partner selected by ``partners_sql`` (an SQL selecting one
        column of partner ids; duplicates are ignored). The audience is joined
        (not a semi-join), to the partners and to their contact log: PostgreSQL
        then estimates its size and hashes a large one rather than probing an
        index once per partner.

        ``reason`` is NULL when the partner may be contacted, else a code of
        ``CONTACT_BLOCK_REASONS``; ``send_at`` (UTC) is ``at`` (default: now) or
        the end of the quiet hours the subscriber is in; ``email``, ``phone``
        (normalised) and ``region_id`` spare the sender another join.
        """
        at = at or fields.Datetime.now()
        marketing = category == "marketing"
        caps = {
            window: (company[f"telecom_contact_cap_{channel}_{window}"] or 0)
            if marketing
            else 0
            for window, _days in CAP_WINDOWS
        }
        if channel == "email":
            address = SQL("p.email_normalized")
            blacklist_join = SQL(
                """LEFT JOIN mail_blacklist bl
                          ON bl.email = p.email_normalized AND bl.active"""
            )
            blacklist_reason = "email_blacklist"
            consent = SQL("COALESCE(p.telecom_consent_email, false)")
        else:
            address = SQL("p.phone_sanitized")
            blacklist_join = SQL(
                """LEFT JOIN phone_blacklist bl
                          ON bl.number = p.phone_sanitized AND bl.active"""
            )
            blacklist_reason = "phone_blacklist"
            consent = SQL("COALESCE(p.telecom_consent_sms, false)")
        reasons = [
            SQL("WHEN %s IS NULL THEN 'no_address'", address),
            SQL("WHEN bl.id IS NOT NULL THEN %s", blacklist_reason),
        ]
        if marketing:
            reasons.append(SQL("WHEN NOT %s THEN 'no_consent'", consent))
        cap_join = SQL()
        if any(caps.values()):
            counts = SQL(", ").join(
                SQL(
                    "count(*) FILTER"
                    " (WHERE l.date > %s::timestamp - %s * interval '1 day') AS n_%s",
                    at,
                    days,
                    SQL(window),
                )
                for window, days in CAP_WINDOWS
            )
            cap_join = SQL(
                """LEFT JOIN (SELECT l.partner_id, %(counts)s
                                FROM telecom_contact_log l
                                JOIN src ON src.partner_id = l.partner_id
                               WHERE l.channel = %(channel)s
                                 AND l.category = 'marketing'
                                 AND l.date > %(at)s::timestamp - interval '30 days'
                                 AND l.date <= %(at)s
                               GROUP BY l.partner_id) c ON c.partner_id = p.id""",
                counts=counts,
                channel=channel,
                at=at,
            )
            for window, _days in CAP_WINDOWS:
                if caps[window]:
                    reasons.append(
                        SQL(
                            "WHEN COALESCE(c.n_%s, 0) >= %s THEN %s",
                            SQL(window),
                            caps[window],
                            f"cap_{window}",
                        )
                    )
        start = company.telecom_quiet_hour_start or 0.0
        end = company.telecom_quiet_hour_end or 0.0
        if start == end or (
            category == "service" and not company.telecom_quiet_hours_service
        ):
            send_at = SQL("%s::timestamp", at)
        else:
            if start < end:
                quiet = SQL("(lt.hour >= %s AND lt.hour < %s)", start, end)
            else:
                quiet = SQL("(lt.hour >= %s OR lt.hour < %s)", start, end)
            send_at = SQL(
                """CASE WHEN %(quiet)s
                        THEN ((date_trunc('day', lt.local) + %(end)s * interval '1 hour'
                               + CASE WHEN lt.hour >= %(end)s THEN interval '1 day'
                                      ELSE interval '0' END)
                              AT TIME ZONE lt.tz) AT TIME ZONE 'UTC'
                        ELSE %(at)s::timestamp END""",
                quiet=quiet,
                end=end,
                at=at,
            )
        return SQL(
            """WITH src(partner_id) AS MATERIALIZED (
                        SELECT DISTINCT audience.id FROM (%(partners)s) AS audience(id)
                    ),
                    tz_names AS MATERIALIZED (SELECT name FROM pg_timezone_names)
               SELECT p.id AS partner_id,
                      CASE %(reasons)s END AS reason,
                      %(send_at)s AS send_at,
                      p.email_normalized AS email,
                      p.phone_sanitized AS phone,
                      p.telecom_region_id AS region_id
                 FROM src
                 JOIN res_partner p ON p.id = src.partner_id
                 LEFT JOIN telecom_region r ON r.id = p.telecom_region_id
                 LEFT JOIN tz_names tzn ON tzn.name = COALESCE(p.tz, r.tz)
                 %(blacklist_join)s
                 %(cap_join)s
                 CROSS JOIN LATERAL (
                      SELECT t.tz, t.local,
                             extract(hour FROM t.local)
                             + extract(minute FROM t.local) / 60.0
                             + extract(second FROM t.local) / 3600.0 AS hour
                        FROM (SELECT x.tz,
                                     (%(at)s::timestamp AT TIME ZONE 'UTC')
                                         AT TIME ZONE x.tz AS local
                                FROM (SELECT COALESCE(tzn.name, %(company_tz)s) AS tz) x
                             ) t
                 ) lt""",
            partners=partners_sql,
            reasons=SQL(" ").join(reasons),
            send_at=send_at,
            blacklist_join=blacklist_join,
            cap_join=cap_join,
            at=at,
            company_tz=self._company_tz(company),
        )

    @api.model
    def _filter_contactable(
        self, partner_ids, channel, category, at=None, company=None
    ):
        """The policy for a few partners, in Python terms:
        ``{"allowed": {partner_id: send_at}, "blocked": {partner_id: reason}}``."""
        result = {"allowed": {}, "blocked": {}}
        if not partner_ids:
            return result
        self.env.flush_all()
        self.env.cr.execute(
            self._policy_sql(
                SQL("SELECT unnest(%s::int[])", list(partner_ids)),
                channel,
                category,
                company or self.env.company,
                at=at,
            )
        )
        for partner_id, reason, send_at, *_partner_data in self.env.cr.fetchall():
            if reason:
                result["blocked"][partner_id] = reason
            else:
                result["allowed"][partner_id] = send_at
        return result
