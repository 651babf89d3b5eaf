import tempfile

from werkzeug.wsgi import wrap_file

from odoo import http
from odoo.http import content_disposition, request

from ..tools.segment_xlsx import write_members_xlsx


class TelecomCampaignsController(http.Controller):
    @http.route(
        "/telecom_campaigns/segment/<int:segment_id>/members.xlsx",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def segment_members_xlsx(self, segment_id):
        """The members of a segment the user may see, as an XLSX file streamed
        from a temporary file (large segments never sit in memory)."""
        segment = request.env["telecom.segment"].browse(segment_id).exists()
        if not segment:
            raise request.not_found()
        segment.check_access("read")
        spool = tempfile.TemporaryFile()
        write_members_xlsx(segment, spool)
        size = spool.tell()
        spool.seek(0)
        filename = request.env._("Members of %s", segment.name) + ".xlsx"
        response = request.make_response(
            wrap_file(request.httprequest.environ, spool),
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Length", str(size)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
        response.direct_passthrough = True
        return response

    @http.route(
        "/telecom_campaigns/campaign/<int:campaign_id>/results.xlsx",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def campaign_results_xlsx(self, campaign_id):
        """The results of a campaign the user may read, as an XLSX file."""
        campaign = request.env["telecom.campaign"].browse(campaign_id).exists()
        if not campaign:
            raise request.not_found()
        campaign.check_access("read")
        content = campaign._export_results_xlsx()
        filename = request.env._("Campaign %s results.xlsx", campaign.name)
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
