from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import BssCommon, make_msisdn


@tagged("post_install", "-at_install")
class TestFrontOfficeOrders(BssCommon):
    """Change of owner, number change, relocation and renewal go to billing
    through the outbox: one order each, completed when billing confirms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Outbox = cls.env["telecom.outbox"]
        cls.new_owner, _account = cls._create_subscriber("Billing New Owner")
        cls.agent_env = cls.env(user=cls.front_office)

    def _orders(self, request):
        return self.Outbox.search([("request_id", "=", request.id)])

    def _deliver(self, request):
        with self.patch_adapter("submit_order", return_value=self.order_answer()):
            request.bss_outbox_ids._bss_deliver()

    def test_owner_change_order_leaves_when_the_supervisor_approves(self):
        service = self._activate_without_billing()
        request = self._new_request(
            "owner_change",
            service,
            env=self.agent_env,
            new_partner_id=self.new_owner.id,
            identity_verified=True,
            new_owner_identity_verified=True,
            owner_consent=True,
        )
        with trap_jobs():
            request.action_submit()
        self.assertFalse(self._orders(request), "nothing leaves before approval")
        with trap_jobs():
            request.with_user(self.supervisor).action_complete()
        order = self._orders(request)
        self.assertEqual(len(order), 1)
        self.assertEqual(order.operation, "owner_change")
        self.assertEqual(order.account_ref, self.account.name)
        self.assertEqual(order.payload["new_owner"]["name"], "Billing New Owner")
        self.assertEqual(order.payload["scope"], "service")
        new_account = request.new_account_id
        self.assertEqual(new_account.partner_id, self.new_owner, "opened at approval")
        self.assertEqual(order.payload["new_account"], new_account.name)
        self.assertEqual(request.fulfilment_status, "waiting")
        self.assertEqual(service.partner_id, self.partner, "billing has not confirmed")
        with trap_jobs():
            request.with_user(self.supervisor).action_complete()
        self.assertEqual(len(self._orders(request)), 1, "the order is sent once")
        self._deliver(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(service.account_id, new_account)
        events = self.env["telecom.event"].search(
            [("request_id", "=", request.id), ("event_type", "=", "request.done")]
        )
        self.assertEqual(len(events), 1)

    def test_number_change_order(self):
        service = self._activate_without_billing()
        old_msisdn = service.msisdn
        request = self._new_request(
            "number_change", service, env=self.agent_env, msisdn=make_msisdn(880001)
        )
        with trap_jobs():
            request.action_submit()
        order = self._orders(request)
        self.assertEqual(len(order), 1)
        self.assertEqual(order.operation, "number_change")
        self.assertEqual(order.msisdn, old_msisdn)
        self.assertEqual(
            order.payload["msisdn"], make_msisdn(880001), "billing learns the new one"
        )
        self.assertEqual(order.payload["previous_msisdn"], old_msisdn)
        self.assertEqual(service.msisdn, old_msisdn)
        self._deliver(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(service.msisdn, make_msisdn(880001))
        self.assertEqual(len(self._orders(request)), 1)

    def test_renewal_order(self):
        service = self._activate_without_billing()
        request = self._new_request(
            "renewal", service, env=self.agent_env, renewal_months=6
        )
        with trap_jobs():
            request.action_submit()
        order = self._orders(request)
        self.assertEqual((len(order), order.operation), (1, "renewal"))
        self.assertEqual(
            order.payload["commitment_end"], str(request.new_commitment_end_date)
        )
        self.assertIsNone(order.payload["tariff_code"])
        self._deliver(request)
        self.assertEqual(service.commitment_end_date, request.new_commitment_end_date)

    def test_relocation_order(self):
        self.env["telecom.coverage.area"].create(
            {
                "address_prefix": "North City",
                "region_id": self.zone_north_city.id,
                "installation_lead_days": 0,
            }
        )
        service = self.env["telecom.service"].create(
            {
                "account_id": self.account.id,
                "service_type": "broadband",
                "tariff_id": self.tariff_home.id,
                "installation_address": "Old Town 1",
            }
        )
        service._apply_state("active")
        request = self._new_request(
            "relocation",
            service,
            env=self.agent_env,
            relocation_address="North City, Lenina st 5",
        )
        with trap_jobs():
            request.action_submit()
        order = self._orders(request)
        self.assertEqual((len(order), order.operation), (1, "relocation"))
        self.assertEqual(order.payload["address"], "North City, Lenina st 5")
        self.assertEqual(order.payload["previous_address"], "Old Town 1")
        self._deliver(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(service.installation_address, "North City, Lenina st 5")
