from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

# the generated mobile subscribers of the demo A/B campaign (ref prefix)
DEMO_PREFIX = "DEMO-AB-"
DEMO_SUBSCRIBERS = 480
DEMO_ZONES = (
    "telecom_subscriber.telecom_region_msk_cao",
    "telecom_subscriber.telecom_region_spb_cen",
    "telecom_subscriber.telecom_region_nsk_cen",
    "telecom_subscriber.telecom_region_kzn_vah",
    "telecom_subscriber.telecom_region_ekb_len",
)
DEMO_TARIFFS = (
    ("telecom_subscriber.product_product_mobile_basic", 450),
    ("telecom_subscriber.product_product_mobile_unlimited", 990),
)
# what became of each group, in percent of its members: (accepted of the sent,
# declined of the sent, churned, ARPU change of the accepted, ARPU change of the
# others); fixed figures, no randomness (see _picked)
DEMO_OUTCOMES = {
    "discount": (35, 40, 7, -90.0, -20.0),
    "roaming": (30, 45, 11, 300.0, -10.0),
    "control": (0, 0, 19, 0.0, -25.0),
}


def _picked(rank, percent):
    """Whether the member of this rank is among ``percent`` % of a group: the
    ranks are spread over each hundred (53 is prime to 100), not the first ones."""
    return (rank * 53) % 100 < percent


class TelecomCampaignDemo(models.AbstractModel):
    """Demo data only: mobile subscribers with their billed months and an A/B
    retention campaign launched two months ago whose offers were sent, answered,
    and followed by churn and a billed month of ARPU changes, so that its
    results show figures.

    Called by ``demo/telecom_campaign_demo.xml``; everything is deterministic
    (the outcomes follow :data:`DEMO_OUTCOMES` over the members in id order).
    """

    _name = "telecom.campaign.demo"
    _description = "Campaign Demo Data"

    @api.model
    def _create_demo_subscribers(self):
        """Mobile subscribers with an active line and two billed months."""
        zones = [self.env.ref(xmlid) for xmlid in DEMO_ZONES]
        tariffs = [(self.env.ref(xmlid), fee) for xmlid, fee in DEMO_TARIFFS]
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Демо-абонент {index:03d}",
                    "ref": f"{DEMO_PREFIX}{index:03d}",
                    "telecom_is_subscriber": True,
                    "telecom_region_id": zones[index % len(zones)].id,
                    "mobile": f"+7916800{index:04d}",
                    "telecom_consent_sms": index % 8 != 0,
                }
                for index in range(DEMO_SUBSCRIBERS)
            ]
        )
        accounts = self.env["telecom.account"].create(
            [{"partner_id": partner.id} for partner in partners]
        )
        today = fields.Date.context_today(self)
        # lines bought long before the campaign (demo: not through requests,
        # which would take minutes for so many subscribers)
        services = self.env["telecom.service"].create(
            [
                {
                    "service_type": "mobile",
                    "account_id": account.id,
                    "msisdn": f"+7916800{index:04d}",
                    "tariff_id": tariffs[index % 2][0].id,
                    "state": "active",
                    "activation_date": today - relativedelta(years=1 + index % 4),
                }
                for index, account in enumerate(accounts)
            ]
        )
        # two months billed before the launch month, and the launch month
        start = today.replace(day=1) - relativedelta(months=4)
        self.env["telecom.usage.monthly"]._upsert_monthly(
            [
                {
                    "service_id": service.id,
                    "month": start + relativedelta(months=month),
                    "charged_amount": tariffs[index % 2][1] + 10 * (index % 7),
                    "paid_amount": tariffs[index % 2][1] + 10 * (index % 7),
                    "data_mb": 4000 + 100 * (index % 30),
                    "voice_minutes": 200 + index % 90,
                    "device_type": "smartphone",
                }
                for index, service in enumerate(services)
                for month in (0, 1, 2)
            ],
            "import",
        )
        self.env["telecom.subscriber.metric"]._refresh(partners.ids)
        return partners

    @api.model
    def _allow_discount_option(self):
        """The demo discount's billing option may be added to the demo tariffs."""
        option = self.env.ref("telecom_campaigns.product_product_option_demo_discount")
        tariffs = self.env["product.product"].browse(
            [self.env.ref(xmlid).id for xmlid, _fee in DEMO_TARIFFS]
        )
        tariffs.product_tmpl_id.write(
            {"telecom_compatible_option_ids": [Command.link(option.product_tmpl_id.id)]}
        )

    @api.model
    def _launch_with_outcomes(self, campaign_id):
        """Launch the campaign as in the month before last, then its outcomes
        and last month's bills (for the generated subscribers only)."""
        campaign = self.env["telecom.campaign"].browse(campaign_id)
        campaign.action_launch()
        self._simulate_sending(campaign)
        responses = campaign.response_ids.filtered(
            lambda response: (response.partner_id.ref or "").startswith(DEMO_PREFIX)
        ).sorted("partner_id")
        kinds = {
            campaign.ab_test_id.variant_ids.sorted("sequence")[0]: "discount",
            campaign.ab_test_id.variant_ids.sorted("sequence")[1]: "roaming",
        }
        month_after = fields.Date.context_today(self).replace(day=1) - relativedelta(
            months=1
        )
        usage_rows, churned = [], self.env["telecom.service"]
        for variant, group in responses.grouped("variant_id").items():
            accepted_pct, declined_pct, churn_pct, arpu_accepted, arpu_other = (
                DEMO_OUTCOMES[kinds.get(variant, "control")]
            )
            sent = group.filtered(lambda response: response.state == "sent")
            for rank, response in enumerate(sent):
                if _picked(rank, accepted_pct):
                    response.action_accept()
                elif _picked(rank, accepted_pct + declined_pct):
                    response.action_decline()
            for rank, response in enumerate(group):
                line = response.partner_id.telecom_service_ids[:1]
                if _picked(rank, churn_pct):
                    churned |= line
                    continue
                before = line.usage_monthly_ids.sorted("month")[-1:].charged_amount
                change = arpu_accepted if response.state == "accepted" else arpu_other
                usage_rows.append(
                    {
                        "service_id": line.id,
                        "month": month_after,
                        "charged_amount": before + change - 5 * (rank % 9),
                        "paid_amount": before + change - 5 * (rank % 9),
                        "data_mb": 4500,
                        "voice_minutes": 220,
                        "device_type": "smartphone",
                    }
                )
        # the subscribers who left during the month (demo: the line is closed
        # directly, as a completed termination request would)
        churned._apply_state("terminated")
        self.env["telecom.usage.monthly"]._upsert_monthly(usage_rows, "import")
        self.env["telecom.subscriber.metric"]._refresh(responses.partner_id.ids)
        launched = fields.Datetime.to_datetime(
            month_after - relativedelta(months=1, days=-9)
        )
        campaign.write({"launch_date": launched, "date_start": launched})
        return campaign

    @api.model
    def _simulate_sending(self, campaign):
        """The mass mailing sent the SMS (those waiting for the end of the quiet
        hours too: the launch was a month ago) and the operator delivered them."""
        messages = self.env["telecom.campaign.message"].search(
            [
                ("res_model", "=", campaign._name),
                ("res_id", "=", campaign.id),
                ("state", "in", ("queued", "scheduled")),
            ]
        )
        messages._mark_sent()
        messages.mailing_id.write({"state": "done"})
        Response = self.env["telecom.offer.response"]
        Response._cron_sync_messages()
        sent = campaign.response_ids.filtered("date_sent").sorted("partner_id")
        # a few numbers were out of reach: no delivery report
        delivered = [
            response.id for rank, response in enumerate(sent) if not _picked(rank, 4)
        ]
        sent.browse(delivered)._mark_delivered()
