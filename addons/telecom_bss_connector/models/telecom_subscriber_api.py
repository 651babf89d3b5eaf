from odoo import api, models

from odoo.addons.telecom_subscriber.tools.subscriber_api import API_BASE


class TelecomSubscriberApi(models.AbstractModel):
    """``GET /product/{id}/balance`` of the subscriber API: the billing figures
    of one of the caller's lines, as the portal shows them."""

    _inherit = "telecom.subscriber.api"

    @api.model
    def _api_balance(self, line_id, base_url):
        """The balance and usage of the line ``line_id`` (the caller's rights:
        another subscriber's line is the 404 of an absent one). Billing down or
        slow gives the last snapshot with ``isStale``; the user of a line (not
        its holder) gets ``billing: null``."""
        line = self._api_line(line_id)
        summary = line._portal_billing_summary(refresh=True)
        return {
            "id": str(line.id),
            "product": {
                "id": str(line.id),
                "href": f"{base_url}{API_BASE}/product/{line.id}",
                "name": line.display_name,
                "@referredType": "Product",
            },
            "billing": self._api_billing_dict(summary["billing"]),
            "usage": self._api_billing_usage_dict(summary["usage"]),
            "@type": "ProductBalance",
        }

    @api.model
    def _api_billing_dict(self, billing):
        if billing is None:
            return None

        def money(value):
            if value is None:
                return None
            return {"unit": billing["currency"] or "", "value": value}

        return {
            "account": billing["account"] or "",
            "balance": money(billing["balance"]),
            "debt": money(billing["debt"]),
            "creditLimit": money(billing["credit_limit"]),
            "fetchedAt": (
                billing["fetched_at"].replace(" ", "T") + "Z"
                if billing["fetched_at"]
                else None
            ),
            "isStale": billing["is_stale"],
            "ageLabel": billing["age_label"] or "",
            "charge": [
                {
                    "date": charge["date"] or None,
                    "amount": money(charge["amount"]),
                    "description": charge["description"] or "",
                    "msisdn": charge["msisdn"] or "",
                }
                for charge in billing["charges"]
            ],
        }

    @api.model
    def _api_billing_usage_dict(self, usage):
        if usage is None:
            return None
        return {
            "month": usage["month"],
            "isCurrentMonth": usage["is_current_month"],
            "item": [
                {
                    "kind": item["kind"],
                    "used": item["used"],
                    "included": item["included"],
                    "percent": item["percent"],
                }
                for item in usage["items"]
            ],
        }
