from odoo.tests import Form, tagged

from .common import B2bCommon


@tagged("post_install", "-at_install")
class TestForms(B2bCommon):
    """A B2B seller registers a corporate customer and its contract through
    the screens (views, defaults and modifiers as the web client uses them)."""

    def test_seller_registers_a_customer_with_a_site_and_a_contact(self):
        Partner = self.env["res.partner"].with_user(self.seller_north)
        action_context = {
            "default_is_company": True,
            "default_telecom_b2b_level": "legal_entity",
            "default_telecom_is_subscriber": True,
        }
        form = Form(
            Partner.with_context(**action_context),
            view="telecom_b2b_partner.res_partner_view_form_telecom_b2b",
        )
        form.name = "T Form Entity"
        form.telecom_inn = "7736207543"
        form.telecom_kpp = "773601001"
        form.telecom_region_id = self.zone_north_city
        form.telecom_key_account_manager_id = self.seller_north
        with form.telecom_b2b_company_ids.new() as site:
            site.name = "T Form Site"
            site.telecom_kpp = "773645001"
        with form.telecom_b2b_person_ids.new() as person:
            person.name = "T Form Engineer"
            person.telecom_b2b_contact_role_ids.add(
                self.env.ref("telecom_b2b_partner.telecom_b2b_contact_role_technical")
            )
        entity = form.save()
        site = entity.telecom_b2b_company_ids
        self.assertEqual(site.telecom_b2b_level, "branch")
        self.assertEqual(site.telecom_inn, "7736207543")
        self.assertEqual(site.telecom_region_id, self.zone_north_city)
        self.assertEqual(site.telecom_key_account_manager_id, self.seller_north)
        person = entity.telecom_b2b_person_ids
        self.assertFalse(person.is_company)
        self.assertEqual(
            person.telecom_b2b_contact_role_ids.code, "technical", person.name
        )

    def test_seller_drafts_and_activates_a_contract(self):
        Contract = self.env["telecom.b2b.contract"].with_user(self.seller_north)
        form = Form(Contract)
        form.partner_id = self.entity_north
        self.assertEqual(form.key_account_manager_id, self.seller_north)
        self.assertEqual(form.region_id, self.zone_north_city)
        form.date_start = "2026-01-01"
        form.date_end = "2026-12-31"
        form.auto_renew = True
        with form.price_ids.new() as price:
            price.product_id = self.tariff_basic
            price.quantity = 5
            price.monthly_price = 300
        with form.sla_ids.new() as term:
            term.priority = "3"
            term.first_response_hours = 0.5
            term.resolution_hours = 4
        form.service_ids.add(self.line_north)
        contract = form.save()
        self.assertEqual(contract.monthly_amount, 1500)
        self.assertEqual(contract.state, "draft")
        contract.action_activate()
        self.assertEqual(Form(contract).state, "active")
