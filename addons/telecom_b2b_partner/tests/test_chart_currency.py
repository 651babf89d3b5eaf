from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestChartCurrency(TransactionCase):
    """A Russian operator keeps its roubles when accounting loads the generic chart."""

    def _company(self, country_xmlid, currency_xmlid):
        currency = self.env.ref(currency_xmlid)
        currency.active = True
        return self.env["res.company"].create(
            {
                "name": f"Operator {country_xmlid}",
                "country_id": self.env.ref(country_xmlid).id,
                "currency_id": currency.id,
            }
        )

    def test_generic_chart_keeps_the_operator_currency(self):
        company = self._company("base.ru", "base.RUB")
        self.env["account.chart.template"].try_loading("generic_coa", company)
        self.assertEqual(company.chart_template, "generic_coa")
        self.assertEqual(company.currency_id, self.env.ref("base.RUB"))
        # a default pricelist made meanwhile follows the company's currency
        pricelists = self.env["product.pricelist"].search(
            [("company_id", "=", company.id)]
        )
        self.assertFalse(
            pricelists.filtered(lambda p: p.currency_id != company.currency_id)
        )

    def test_default_pricelist_made_in_the_chart_currency_is_restored(self):
        company = self._company("base.ru", "base.RUB")
        usd = self.env.ref("base.USD")
        made_meanwhile = self.env["product.pricelist"].create(
            {"name": "T Default", "company_id": company.id, "currency_id": usd.id}
        )
        self.env["account.chart.template"]._restore_default_pricelists(
            company, usd, company.currency_id
        )
        self.assertEqual(made_meanwhile.currency_id, self.env.ref("base.RUB"))

    def test_a_company_in_another_currency_than_its_country_is_left_to_the_chart(self):
        # only the country's own currency is protected: an operator that chose
        # another one before the chart gets what Odoo gives
        company = self._company("base.ru", "base.EUR")
        self.env["account.chart.template"].try_loading("generic_coa", company)
        self.assertEqual(company.currency_id, self.env.ref("base.USD"))
