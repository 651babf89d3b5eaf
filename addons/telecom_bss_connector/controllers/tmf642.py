from odoo import http

from ..models.telecom_api import ALARM_PATH, SCOPE_TMF642
from .common import TMF_ROUTE_OPTIONS, TelecomApiController, api_endpoint

# the contract's path and the spec's basePath (/tmf-api/alarm/v4/)
ALARM_ROUTES = [ALARM_PATH, "/tmf-api/alarm/v4/alarm"]


class Tmf642AlarmController(TelecomApiController):
    """TMF642 Alarm Management v4: raise, list, read, update / clear alarms."""

    @http.route(ALARM_ROUTES, **TMF_ROUTE_OPTIONS)
    @api_endpoint(SCOPE_TMF642, ("GET", "POST"))
    def alarms(self, **params):
        return self._tmf_collection(
            "telecom.alarm", "Alarm_Create", "_api_raise", "_api_search"
        )

    @http.route(
        [route + "/<string:alarm_id>" for route in ALARM_ROUTES], **TMF_ROUTE_OPTIONS
    )
    @api_endpoint(SCOPE_TMF642, ("GET", "PATCH"))
    def alarm(self, alarm_id, **params):
        return self._tmf_resource(
            "telecom.alarm", alarm_id, "Alarm_Update", "_api_update"
        )
