"""The number or address of a request's service, kept on the request.

The card lists the open requests with it instead of reading their services (one
query more when they are not among the services it shows). Added and filled
here in one statement: left to the ORM, a new stored related field is computed
request by request, which matters on a large request table.
"""


def migrate(cr, version):
    cr.execute(
        "ALTER TABLE telecom_request ADD COLUMN IF NOT EXISTS service_label varchar"
    )
    cr.execute(
        """UPDATE telecom_request r SET service_label = s.name
             FROM telecom_service s
            WHERE s.id = r.service_id AND r.service_label IS NULL"""
    )
