"""Subscriber portal: my personal data requests (152-FZ).

The pages only parse, check access and render; a subscriber files requests
through ``telecom.subject.request._portal_create`` with their own rights (the
portal record rule keeps them to their own requests).
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from .portal import TelecomCustomerPortal

SUBJECT_REQUEST_MODEL = "telecom.subject.request"


class TelecomSubjectRequestPortal(TelecomCustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "telecom_subject_request_count" in counters:
            SubjectRequest = request.env[SUBJECT_REQUEST_MODEL]
            values["telecom_subject_request_count"] = (
                SubjectRequest.search_count(self._get_telecom_subject_request_domain())
                if SubjectRequest.has_access("read")
                else 0
            )
        return values

    def _get_telecom_subject_request_domain(self):
        return [("partner_id", "=", request.env.user.partner_id.id)]

    @http.route(
        ["/my/pd-requests", "/my/pd-requests/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_subject_requests(self, page=1, sortby=None, **kw):
        env = request.env
        return self._render_telecom_list(
            SUBJECT_REQUEST_MODEL,
            "/my/pd-requests",
            page,
            sortby,
            None,
            {
                "domain": self._get_telecom_subject_request_domain(),
                "sortings": {
                    "date": {"label": env._("Newest"), "order": "id desc"},
                    "deadline": {"label": env._("Deadline"), "order": "deadline, id"},
                },
                "filters": {"all": {"label": env._("All"), "domain": []}},
                "template": "telecom_subscriber.portal_my_telecom_subject_requests",
                "key": "telecom_subject_requests",
                "history": "my_telecom_subject_requests_history",
            },
        )

    @http.route(
        ["/my/pd-requests/new"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_my_telecom_subject_request_new(self, **post):
        SubjectRequest = request.env[SUBJECT_REQUEST_MODEL]
        if request.httprequest.method != "POST":
            return self._render_telecom_subject_request_form({})
        try:
            subject_request = SubjectRequest._portal_create(post)
        except UserError as error:  # AccessError too
            return self._render_telecom_subject_request_form(post, error=error.args[0])
        return request.redirect(
            f"/my/pd-requests/{subject_request.id}?telecom_created=1"
        )

    def _render_telecom_subject_request_form(self, form, error=None):
        SubjectRequest = request.env[SUBJECT_REQUEST_MODEL]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_subject_request_new",
                "telecom_form": form,
                "telecom_request_types": SubjectRequest._portal_request_types(),
                "telecom_correction_fields": (
                    SubjectRequest._selection_correction_field()
                ),
                "error": error,
            }
        )
        return request.render(
            "telecom_subscriber.portal_my_telecom_subject_request_new", values
        )

    @http.route(
        ["/my/pd-requests/<int:request_id>"], type="http", auth="user", website=True
    )
    def portal_my_telecom_subject_request(self, request_id, telecom_created=None, **kw):
        try:
            request_sudo = self._document_check_access(
                SUBJECT_REQUEST_MODEL, request_id
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = {
            "page_name": "telecom_subject_request",
            "telecom_subject_request": request_sudo,
            "telecom_created": bool(telecom_created),
        }
        values = self._get_page_view_values(
            request_sudo, None, values, "my_telecom_subject_requests_history", False
        )
        return request.render(
            "telecom_subscriber.portal_my_telecom_subject_request", values
        )

    @http.route(
        ["/my/pd-requests/<int:request_id>/export.<string:file_format>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_subject_request_export(self, request_id, file_format, **kw):
        """The answer to an access request, as JSON or as the printable PDF."""
        try:
            request_sudo = self._document_check_access(
                SUBJECT_REQUEST_MODEL, request_id
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not request_sudo.export_file or file_format not in ("json", "pdf"):
            return request.redirect(f"/my/pd-requests/{request_id}")
        subject_request = request.env[SUBJECT_REQUEST_MODEL].browse(request_id)
        subject_request._log_export_download()
        if file_format == "pdf":
            return self._show_report(
                model=request_sudo,
                report_type="pdf",
                report_ref=(
                    "telecom_subscriber.telecom_subject_request_action_report_export"
                ),
                download=True,
            )
        content = request_sudo._telecom_export_json()
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/json; charset=utf-8"),
                (
                    "Content-Disposition",
                    http.content_disposition(request_sudo.export_filename),
                ),
            ],
        )
