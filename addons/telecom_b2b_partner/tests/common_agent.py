from datetime import date

from odoo import Command
from odoo.tests.common import new_test_user

from odoo.addons.telecom_subscriber.tests.common import make_iccid, make_msisdn

from .common import B2bCommon


class B2bAgentCommon(B2bCommon):
    """A dealer (North) and an agent (South) on one commission plan, each with
    a portal user, and builders for their won deals and billed months.

    The plan: 10 % of the first 3 billed months, 1,000 per activation, bonus
    clawed back when the service ends within 6 months; from 3 activations in
    a period, 1,500 per activation and 15 %.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_agents()

    @classmethod
    def _setup_agents(cls):
        cls.plan = cls.env["telecom.b2b.commission.plan"].create(
            {
                "name": "T Agent Plan",
                "revenue_percent": 10.0,
                "revenue_months": 3,
                "activation_bonus": 1000.0,
                "clawback_months": 6,
                "rating_silver_activations": 2,
                "rating_gold_activations": 4,
                "rating_churn_limit": 30.0,
                "tier_ids": [
                    Command.create(
                        {
                            "min_activations": 3,
                            "activation_bonus": 1500.0,
                            "revenue_percent": 15.0,
                        }
                    )
                ],
            }
        )
        cls.dealer = cls._create_agent("T Dealer", "dealer", cls.zone_north)
        cls.agent = cls._create_agent("T Agent", "agent", cls.zone_south)
        cls.dealer_user = cls._create_agent_user("t_dealer_portal", cls.dealer)
        cls.agent_user = cls._create_agent_user("t_agent_portal", cls.agent)

    @classmethod
    def _create_agent(cls, name, agent_type, zone):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "telecom_b2b_agent_type": agent_type,
                "telecom_b2b_commission_plan_id": cls.plan.id,
                "telecom_region_id": zone.id,
            }
        )

    @classmethod
    def _create_agent_user(cls, login, agent):
        """A portal user of the agent: a contact person below its company."""
        person = cls.env["res.partner"].create(
            {"name": f"{agent.name} Person", "parent_id": agent.id}
        )
        return new_test_user(
            cls.env, login=login, groups="base.group_portal", partner_id=person.id
        )

    @classmethod
    def _won_deal(cls, agent, customer, site, count, activated_on):
        """A partner-channel opportunity of ``agent`` for ``customer`` won
        through its quotation of ``count`` lines at ``site``; the activation
        requests are completed and the services dated ``activated_on``."""
        lead = cls.env["crm.lead"].create(
            {
                "name": f"T Deal {agent.name} {customer.name}",
                "type": "opportunity",
                "partner_id": customer.id,
                "telecom_b2b_channel": "partner",
                "telecom_b2b_referrer_id": agent.id,
            }
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "opportunity_id": lead.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.tariff_basic.id,
                            "product_uom_qty": count,
                            "telecom_site_id": site.id,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        requests = order.order_line.telecom_activation_request_ids
        for request in requests:
            serial = cls._next_serial()
            request.write({"msisdn": make_msisdn(serial), "iccid": make_iccid(serial)})
        requests.action_submit()
        services = requests.service_id
        services.write({"activation_date": activated_on})
        return lead, services.sorted("id")

    @classmethod
    def _bill(cls, service, month, amount):
        cls.env["telecom.usage.monthly"]._upsert_monthly(
            [{"service_id": service.id, "month": month, "charged_amount": amount}],
            "import",
        )

    @classmethod
    def _terminate(cls, service, on):
        # the termination request is telecom_subscriber's: only its date matters
        service.write({"termination_date": on})

    @classmethod
    def _generate(cls, date_from, date_to, agents=None):
        return cls.env["telecom.b2b.commission.statement"]._generate_statements(
            date_from, date_to, agents
        )


JAN = (date(2026, 1, 1), date(2026, 1, 31))
FEB = (date(2026, 2, 1), date(2026, 2, 28))
MAR = (date(2026, 3, 1), date(2026, 3, 31))
