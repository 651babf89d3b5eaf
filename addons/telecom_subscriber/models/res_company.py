from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    telecom_auto_complete = fields.Boolean(
        string="Complete Requests at Submission",
        default=True,
        help="Without a billing integration fulfilling them, simple requests (tariff "
        "or option change, block, SIM swap) take effect as soon as they are submitted. "
        "Disable it when a back office confirms them.",
    )
    telecom_mnp_min_days_person = fields.Integer(
        string="MNP Lead Time (individuals)",
        default=8,
        help="Earliest porting date, in days after the application, for an individual.",
    )
    telecom_mnp_min_days_company = fields.Integer(
        string="MNP Lead Time (legal entities)",
        default=29,
        help="Earliest porting date, in days after the application, for a legal "
        "entity.",
    )
    telecom_mnp_max_days = fields.Integer(
        string="MNP Latest Date",
        default=183,
        help="Latest porting date, in days after the application (six months).",
    )
    telecom_claim_days = fields.Integer(
        string="Claim Answer Time",
        default=30,
        help="Days the operator has to answer a claim after its registration "
        "(the Russian communications law allows at most 60).",
    )
    telecom_voluntary_block_max_days = fields.Integer(
        string="Voluntary Block Limit",
        default=90,
        help="Longest voluntary block a subscriber may ask for, in days.",
    )
    # contact policy (telecom.contact.policy): caps on marketing contacts per
    # channel over rolling windows, quiet hours in the subscriber's time zone
    telecom_contact_cap_email_day = fields.Integer(
        string="E-mails per Day",
        help="Most marketing e-mails one subscriber receives in 24 hours "
        "(0: no limit).",
    )
    telecom_contact_cap_email_week = fields.Integer(
        string="E-mails per Week",
        default=3,
        help="Most marketing e-mails one subscriber receives in 7 days (0: no limit).",
    )
    telecom_contact_cap_email_month = fields.Integer(
        string="E-mails per Month",
        default=8,
        help="Most marketing e-mails one subscriber receives in 30 days (0: no limit).",
    )
    telecom_contact_cap_sms_day = fields.Integer(
        string="SMS per Day",
        default=1,
        help="Most marketing SMS one subscriber receives in 24 hours (0: no limit).",
    )
    telecom_contact_cap_sms_week = fields.Integer(
        string="SMS per Week",
        default=2,
        help="Most marketing SMS one subscriber receives in 7 days (0: no limit).",
    )
    telecom_contact_cap_sms_month = fields.Integer(
        string="SMS per Month",
        default=4,
        help="Most marketing SMS one subscriber receives in 30 days (0: no limit).",
    )
    telecom_quiet_hour_start = fields.Float(
        string="Quiet Hours From",
        default=21.0,
        help="Local time of the subscriber from which no message is sent; messages "
        "wait for the end of the quiet hours. Same start and end: no quiet hours.",
    )
    telecom_quiet_hour_end = fields.Float(
        string="Quiet Hours Until",
        default=9.0,
        help="Local time of the subscriber when messages may be sent again.",
    )
    telecom_quiet_hours_service = fields.Boolean(
        string="Service Notices Respect Quiet Hours",
        default=True,
        help="Incident and other service notices also wait for the end of the quiet "
        "hours. Marketing messages always do.",
    )

    # business events billing's figures give (``telecom.service``,
    # ``telecom.usage.monthly``): how far ahead an end is told, what a drop is
    telecom_contract_ending_days = fields.Integer(
        string="Commitment End Notice",
        default=30,
        help="Days before the end of a line's commitment when the business event "
        "Contract ending is recorded (0: never).",
    )
    telecom_promotion_ending_days = fields.Integer(
        string="Promotion End Notice",
        default=14,
        help="Days before the end of a line's promotion when the business event "
        "Promotion ending is recorded (0: never).",
    )
    telecom_usage_drop_percent = fields.Float(
        string="Usage Drop",
        default=30.0,
        help="A month whose data or charges fell by at least this percentage against "
        "the average of the three months before records the business event Usage "
        "drop (0: never).",
    )

    telecom_kpi_go_live_date = fields.Date(
        string="KPI Go-Live Date",
        help="When the suite went live for this branch: the project KPIs compare "
        "the months after it with the baseline months just before it.",
    )

    @api.constrains(
        "telecom_contract_ending_days",
        "telecom_promotion_ending_days",
        "telecom_usage_drop_percent",
    )
    def _check_telecom_billing_events(self):
        for company in self:
            if (
                company.telecom_contract_ending_days < 0
                or company.telecom_promotion_ending_days < 0
            ):
                raise ValidationError(
                    self.env._("A notice period is a number of days, 0 or more.")
                )
            if not 0 <= company.telecom_usage_drop_percent <= 100:
                raise ValidationError(
                    self.env._("A usage drop is a percentage between 0 and 100.")
                )

    @api.constrains(
        "telecom_quiet_hour_start",
        "telecom_quiet_hour_end",
        "telecom_contact_cap_email_day",
        "telecom_contact_cap_email_week",
        "telecom_contact_cap_email_month",
        "telecom_contact_cap_sms_day",
        "telecom_contact_cap_sms_week",
        "telecom_contact_cap_sms_month",
    )
    def _check_telecom_contact_policy(self):
        for company in self:
            if not (
                0 <= company.telecom_quiet_hour_start < 24
                and 0 <= company.telecom_quiet_hour_end < 24
            ):
                raise ValidationError(
                    self.env._("Quiet hours are times of day, between 00:00 and 23:59.")
                )
            caps = company.read(
                [
                    f"telecom_contact_cap_{channel}_{window}"
                    for channel in ("email", "sms")
                    for window in ("day", "week", "month")
                ]
            )[0]
            if any(value < 0 for key, value in caps.items() if key != "id"):
                raise ValidationError(
                    self.env._("Contact limits cannot be negative (0: no limit).")
                )
