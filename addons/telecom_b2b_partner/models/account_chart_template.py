from odoo import models

GENERIC_CHART = "generic_coa"


class AccountChartTemplate(models.AbstractModel):
    """Odoo's generic chart keeps the currency of a company of another country.

    Installing the sales flow installs accounting, which loads a chart of accounts
    for the company. A country without a chart of its own in Odoo Community
    (Russia, for one) gets the generic chart, whose fiscal country is the United
    States: the company would silently switch to US dollars before its first
    invoice. The operator's currency is kept instead.
    """

    _inherit = "account.chart.template"

    def _load(self, template_code, company, install_demo):
        currency_before = company.currency_id
        result = super()._load(template_code, company, install_demo)
        if self._keeps_currency_after(template_code, company, currency_before):
            chart_currency = company.currency_id
            company.currency_id = currency_before
            self._restore_default_pricelists(company, chart_currency, currency_before)
        return result

    def _restore_default_pricelists(self, company, chart_currency, currency):
        """Default pricelists made while the chart had switched the currency."""
        self.env["product.pricelist"].with_context(active_test=False).search(
            [
                ("company_id", "=", company.id),
                ("currency_id", "=", chart_currency.id),
                ("item_ids", "=", False),
            ]
        ).currency_id = currency

    def _keeps_currency_after(self, template_code, company, currency_before):
        country = company.country_id
        return (
            template_code == GENERIC_CHART
            and bool(country)
            and country.code != "US"
            and currency_before == country.currency_id
            and company.currency_id != currency_before
            and not company.root_id._existing_accounting()
        )
