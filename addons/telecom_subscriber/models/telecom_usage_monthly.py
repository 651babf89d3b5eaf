import json
from datetime import date

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.selections import DEVICE_TYPES

# figures of a month, as the upsert takes them (name -> SQL type of the column)
FIGURE_COLUMNS = {
    "data_mb": "double precision",
    "voice_minutes": "double precision",
    "sms_count": "integer",
    "roaming_mb": "double precision",
    "charged_amount": "numeric",
    "paid_amount": "numeric",
    "debt_amount": "numeric",
    "paid_late": "boolean",
    "device_type": "varchar",
    "device_os": "varchar",
    "device_5g": "boolean",
}
DEVICE_TYPE_KEYS = tuple(key for key, _label in DEVICE_TYPES)


def _sql_value(value, kind):
    """The JSON value of a figure: Odoo's False is NULL but for a boolean."""
    if kind == "boolean":
        return bool(value)
    if value is False or value == "":
        return None
    return value


def month_start(value):
    """The first day of the month of ``value`` (a date or an ISO text)."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:7] + "-01")
    return value.replace(day=1)


class TelecomUsageMonthly(models.Model):
    """One closed month of one service as billing bills it: usage, charges, payment.

    Filled by billing only, never typed in: the connector's pull
    (``telecom_bss_connector``) and the usage import of ``telecom.import`` both call
    :meth:`_upsert_monthly`, one statement per batch, so receiving a month again
    updates its row instead of adding one. Marketing metrics read this table.
    """

    _name = "telecom.usage.monthly"
    _description = "Monthly Usage and Charges"
    _order = "month desc, service_id"
    _rec_name = "service_id"

    month = fields.Date(required=True, readonly=True, index=True, help="First day.")
    service_id = fields.Many2one(
        "telecom.service", required=True, readonly=True, ondelete="cascade"
    )
    account_id = fields.Many2one(
        "telecom.account", readonly=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Subscriber", readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    region_id = fields.Many2one("telecom.region", string="Zone", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    data_mb = fields.Float(string="Data (MB)", readonly=True)
    voice_minutes = fields.Float(string="Voice (min)", readonly=True)
    sms_count = fields.Integer(string="SMS", readonly=True)
    roaming_mb = fields.Float(string="Roaming Data (MB)", readonly=True)
    charged_amount = fields.Monetary(string="Charged", readonly=True)
    paid_amount = fields.Monetary(string="Amount Paid", readonly=True)
    debt_amount = fields.Monetary(
        string="Debt", readonly=True, help="Left unpaid of the month at its close."
    )
    paid_late = fields.Boolean(
        readonly=True, help="The month's bill was paid after its due date, or not yet."
    )
    device_type = fields.Selection(DEVICE_TYPES, readonly=True)
    device_os = fields.Char(string="Device OS", readonly=True)
    device_5g = fields.Boolean(string="5G-Capable Device", readonly=True)
    source = fields.Selection(
        [("billing", "Billing Interface"), ("import", "Billing CSV Import")],
        readonly=True,
    )
    received_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "service_month_uniq",
            "unique(service_id, month)",
            "One row per service and month.",
        ),
    ]

    def _auto_init(self):
        res = super()._auto_init()
        # metrics read the months of many subscribers at once
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_usage_monthly_partner_month_idx
                   ON telecom_usage_monthly (partner_id, month)"""
        )
        return res

    @api.model
    def _upsert_monthly(self, rows, source):
        """Write ``rows`` (dicts: ``service_id``, ``month`` and the figures of
        :data:`FIGURE_COLUMNS`) in one statement; an existing (service, month) is
        updated. Subscriber, account, branch and zone come from the service.
        Returns the number of rows written."""
        if not rows:
            return 0
        payload = []
        for row in rows:
            item = {
                name: _sql_value(row.get(name), kind)
                for name, kind in FIGURE_COLUMNS.items()
            }
            if item["device_type"] not in DEVICE_TYPE_KEYS:
                item["device_type"] = "other" if item["device_type"] else None
            item["service_id"] = row["service_id"]
            item["month"] = month_start(row["month"]).isoformat()
            payload.append(item)
        # the last figures of a (service, month) given twice win
        payload = list({(i["service_id"], i["month"]): i for i in payload}.values())
        self.env["telecom.service"].flush_model(
            ["account_id", "partner_id", "company_id", "region_id"]
        )
        record_type = SQL(
            ", ".join(
                ["service_id integer", "month date"]
                + [f"{name} {kind}" for name, kind in FIGURE_COLUMNS.items()]
            )
        )
        columns = SQL(", ".join(FIGURE_COLUMNS))
        figures = SQL(", ".join(f"r.{name}" for name in FIGURE_COLUMNS))
        updates = SQL(", ".join(f"{name} = EXCLUDED.{name}" for name in FIGURE_COLUMNS))
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO telecom_usage_monthly
                       (service_id, month, account_id, partner_id, company_id,
                        region_id, %(columns)s, source, received_at,
                        create_uid, create_date, write_uid, write_date)
                   SELECT s.id, r.month, s.account_id, s.partner_id, s.company_id,
                          s.region_id, %(figures)s, %(source)s, %(now)s,
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(%(record_type)s)
                     JOIN telecom_service s ON s.id = r.service_id
                   ON CONFLICT (service_id, month) DO UPDATE SET
                       account_id = EXCLUDED.account_id,
                       partner_id = EXCLUDED.partner_id,
                       company_id = EXCLUDED.company_id,
                       region_id = EXCLUDED.region_id,
                       %(updates)s,
                       source = EXCLUDED.source,
                       received_at = EXCLUDED.received_at,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date""",
                columns=columns,
                figures=figures,
                updates=updates,
                source=source,
                now=now,
                uid=self.env.uid,
                rows=json.dumps(payload),
                record_type=record_type,
            )
        )
        written = self.env.cr.rowcount
        self.invalidate_model()
        return written
