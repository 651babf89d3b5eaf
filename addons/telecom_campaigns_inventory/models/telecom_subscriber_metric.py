from odoo import api, models
from odoo.tools import SQL

# device types of a handset: preferred to a router's, as billing's figures do
HANDSET_TYPES = ("smartphone", "feature_phone", "tablet")


class TelecomSubscriberMetric(models.Model):
    """Device figures of the metrics from the devices of ``telecom_inventory``."""

    _inherit = "telecom.subscriber.metric"

    @api.model
    def _refresh_figure_queries(self, partner_ids, now):
        for model in ("telecom.device", "telecom.device.model"):
            self.env[model].flush_model()
        return super()._refresh_figure_queries(partner_ids, now) + [
            self._inventory_device_query(partner_ids)
        ]

    @api.model
    def _inventory_device_query(self, partner_ids):
        """The device type, OS and 5G capability of subscribers billing gave no
        device for, from their devices assigned to a service: a handset before
        a router, then the newest assigned. Billing's figures (the handset seen
        on the network) stay first where it sent them."""
        return SQL(
            """
WITH batch_ids AS (SELECT %(partner_ids)s AS ids)
UPDATE telecom_subscriber_metric m
   SET device_type = device.device_type,
       device_os = device.operating_system,
       device_5g = coalesce(device.is_5g_capable, false)
  FROM (
    SELECT DISTINCT ON (d.partner_id)
           d.partner_id, model.device_type, model.operating_system,
           model.is_5g_capable
      FROM telecom_device d
      JOIN telecom_device_model model ON model.id = d.model_id
     WHERE d.partner_id = ANY(%(partners)s) AND d.state = 'assigned'
     ORDER BY d.partner_id, model.device_type IN %(handsets)s DESC,
              d.date_assigned DESC NULLS LAST, d.id DESC
  ) device
 WHERE m.partner_id = device.partner_id AND m.device_type IS NULL
""",
            partner_ids=self._id_array(partner_ids),
            partners=SQL("(SELECT ids FROM batch_ids)::integer[]"),
            handsets=HANDSET_TYPES,
        )
