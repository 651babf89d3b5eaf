from odoo import http
from odoo.http import request

from ..models.telecom_api import ALARM_PATH, SCOPE_TMF642
from .common import (
    TMF_ROUTE_OPTIONS,
    TelecomApiController,
    api_endpoint,
    base_url,
    get_record,
    json_response,
    read_json_body,
)

# the contract's path and the spec's basePath (/tmf-api/alarm/v4/)
ALARM_ROUTES = [ALARM_PATH, "/tmf-api/alarm/v4/alarm"]


class Tmf642AlarmController(TelecomApiController):
    """TMF642 Alarm Management v4: raise, list, read, update / clear alarms."""

    @http.route(ALARM_ROUTES, **TMF_ROUTE_OPTIONS)
    @api_endpoint(SCOPE_TMF642, ("GET", "POST"))
    def alarms(self, **params):
        if request.httprequest.method == "POST":
            payload = read_json_body()
            request.env["telecom.api"]._api_validate("Alarm_Create", payload)
            alarm = request.env["telecom.alarm"]._api_raise(payload)
            return json_response(alarm._tmf_dict(base_url()), status=201)
        offset, limit = self._page()
        alarms, total = request.env["telecom.alarm"]._api_search(
            request.httprequest.args, offset=offset, limit=limit
        )
        return self._list_response(alarms, total)

    @http.route(
        [route + "/<string:alarm_id>" for route in ALARM_ROUTES], **TMF_ROUTE_OPTIONS
    )
    @api_endpoint(SCOPE_TMF642, ("GET", "PATCH"))
    def alarm(self, alarm_id, **params):
        alarm = self._get_alarm(alarm_id)
        if request.httprequest.method == "PATCH":
            payload = read_json_body()
            request.env["telecom.api"]._api_validate("Alarm_Update", payload)
            alarm._api_update(payload)
        return json_response(alarm._tmf_dict(base_url(), self._fields_filter()))

    def _get_alarm(self, alarm_id):
        return get_record(request.env["telecom.alarm"], alarm_id)
