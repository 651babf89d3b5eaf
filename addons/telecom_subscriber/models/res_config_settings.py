from odoo import api, fields, models
from odoo.tools import config

from .telecom_residency import (
    ALLOWED_JURISDICTIONS_OPTION,
    ALLOWED_JURISDICTIONS_PARAM,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_kpi_go_live_date = fields.Date(
        related="company_id.telecom_kpi_go_live_date", readonly=False
    )
    telecom_auto_complete = fields.Boolean(
        related="company_id.telecom_auto_complete", readonly=False
    )
    telecom_mnp_min_days_person = fields.Integer(
        related="company_id.telecom_mnp_min_days_person", readonly=False
    )
    telecom_mnp_min_days_company = fields.Integer(
        related="company_id.telecom_mnp_min_days_company", readonly=False
    )
    telecom_mnp_max_days = fields.Integer(
        related="company_id.telecom_mnp_max_days", readonly=False
    )
    telecom_claim_days = fields.Integer(
        related="company_id.telecom_claim_days", readonly=False
    )
    telecom_voluntary_block_max_days = fields.Integer(
        related="company_id.telecom_voluntary_block_max_days", readonly=False
    )
    telecom_contact_cap_email_day = fields.Integer(
        related="company_id.telecom_contact_cap_email_day", readonly=False
    )
    telecom_contact_cap_email_week = fields.Integer(
        related="company_id.telecom_contact_cap_email_week", readonly=False
    )
    telecom_contact_cap_email_month = fields.Integer(
        related="company_id.telecom_contact_cap_email_month", readonly=False
    )
    telecom_contact_cap_sms_day = fields.Integer(
        related="company_id.telecom_contact_cap_sms_day", readonly=False
    )
    telecom_contact_cap_sms_week = fields.Integer(
        related="company_id.telecom_contact_cap_sms_week", readonly=False
    )
    telecom_contact_cap_sms_month = fields.Integer(
        related="company_id.telecom_contact_cap_sms_month", readonly=False
    )
    telecom_quiet_hour_start = fields.Float(
        related="company_id.telecom_quiet_hour_start", readonly=False
    )
    telecom_quiet_hour_end = fields.Float(
        related="company_id.telecom_quiet_hour_end", readonly=False
    )
    telecom_quiet_hours_service = fields.Boolean(
        related="company_id.telecom_quiet_hours_service", readonly=False
    )
    telecom_contract_ending_days = fields.Integer(
        related="company_id.telecom_contract_ending_days", readonly=False
    )
    telecom_promotion_ending_days = fields.Integer(
        related="company_id.telecom_promotion_ending_days", readonly=False
    )
    telecom_usage_drop_percent = fields.Float(
        related="company_id.telecom_usage_drop_percent", readonly=False
    )
    telecom_allowed_jurisdictions = fields.Char(
        string="Jurisdictions Stored Here",
        config_parameter=ALLOWED_JURISDICTIONS_PARAM,
        help="Comma-separated jurisdictions (RU, or RU-MOW for one subject) whose "
        "personal data this database may store; creating or moving a subscriber "
        "of another one is refused and journaled. Empty: no restriction. The "
        "telecom_allowed_jurisdictions option of odoo.conf, when set, wins.",
    )
    telecom_jurisdictions_from_config = fields.Char(
        string="Jurisdictions Set by the Server",
        compute="_compute_telecom_jurisdictions_from_config",
        help="Value of telecom_allowed_jurisdictions in odoo.conf, which wins over "
        "this setting.",
    )

    @api.depends("company_id")
    def _compute_telecom_jurisdictions_from_config(self):
        self.telecom_jurisdictions_from_config = (
            config.get(ALLOWED_JURISDICTIONS_OPTION) or False
        )
