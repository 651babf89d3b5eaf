"""The consent register replaces the partners' marketing flags as the source of
truth: each flag set before it becomes a given consent, with the date and
source the flag kept (the text it was given on is unknown: none). The flags
stay as they are (stored, now computed from the consents: same values)."""

from odoo.tools import SQL

# sources of the flags before the register, and what the register calls them
SOURCES = {"front_office": "agent", "phone_call": "call", "unsubscribe": "portal"}


def migrate(cr, version):
    for channel, purpose in (("email", "marketing_email"), ("sms", "marketing_sms")):
        flag = SQL.identifier(f"telecom_consent_{channel}")
        date = SQL.identifier(f"telecom_consent_{channel}_date")
        source = SQL.identifier(f"telecom_consent_{channel}_source")
        for old, new in SOURCES.items():
            cr.execute(
                SQL(
                    "UPDATE res_partner SET %s = %s WHERE %s = %s",
                    source,
                    new,
                    source,
                    old,
                )
            )
        cr.execute(
            SQL(
                """INSERT INTO telecom_consent
                        (partner_id, purpose, state, source, date_given, company_id,
                         region_id, create_uid, create_date, write_uid, write_date)
                   SELECT p.id, %(purpose)s, 'given', COALESCE(p.%(source)s, 'agent'),
                          COALESCE(p.%(date)s, p.write_date, now() AT TIME ZONE 'UTC'),
                          COALESCE(p.company_id,
                                   (SELECT id FROM res_company ORDER BY id LIMIT 1)),
                          p.telecom_region_id, 1, now() AT TIME ZONE 'UTC', 1,
                          now() AT TIME ZONE 'UTC'
                     FROM res_partner p
                    WHERE p.%(flag)s
                      AND NOT EXISTS (SELECT 1 FROM telecom_consent c
                                       WHERE c.partner_id = p.id
                                         AND c.purpose = %(purpose)s
                                         AND c.state = 'given')""",
                purpose=purpose,
                source=source,
                date=date,
                flag=flag,
            )
        )
