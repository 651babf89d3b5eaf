from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tests.common_workspace import (
    WorkspaceAssertions,
)

from .common import B2bCommon

WORKSPACE = "telecom_subscriber.telecom_workspace_b2b"


@tagged("post_install", "-at_install")
class TestB2bWorkspace(WorkspaceAssertions, B2bCommon):
    """The B2B workspace: pipeline per stage and renewals due, as a seller of
    one zone; every figure is the records its drill opens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env["telecom.b2b.contract"])

        def contract(partner, days_left):
            record = cls._create_contract(
                partner,
                date_start=today - relativedelta(months=11),
                date_end=today + relativedelta(days=days_left),
                reminder_days=30,
            )
            record.action_activate()
            return record

        cls.due_north = contract(cls.entity_north, 20)
        contract(cls.entity_south, 20)
        contract(cls.site_north, 200)
        cls.opportunity = cls.env["crm.lead"].create(
            {
                "name": "Fibre for North",
                "type": "opportunity",
                "partner_id": cls.entity_north.id,
                "user_id": cls.seller_north.id,
            }
        )

    def test_seller_sees_the_renewals_and_pipeline_of_their_zone(self):
        data, widgets = self._workspace_widgets(self.seller_north)
        self.assertEqual(data["id"], self.env.ref(WORKSPACE).id)
        self.assertWidgetsMatchDrill(self.seller_north)
        self.assertEqual(
            self._drilled(self.seller_north, widgets["Renewals Due"]), self.due_north
        )
        pipeline = widgets["Pipeline"]
        self.assertIn(self.opportunity, self._drilled(self.seller_north, pipeline))
        stage = next(
            group
            for group in pipeline["groups"]
            if group["key"] == self.opportunity.stage_id.id
        )
        self.assertIn(
            self.opportunity, self._drilled(self.seller_north, pipeline, stage)
        )

    def test_supervisor_sees_the_b2b_widgets_too(self):
        self.assertWidgetsMatchDrill(self.supervisor, WORKSPACE)
