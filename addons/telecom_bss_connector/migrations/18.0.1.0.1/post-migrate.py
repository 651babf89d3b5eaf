"""Waiting for billing was a text in completion_error: it is fulfilment_status now.

Runs after telecom_subscriber added the column (default: none). Open requests
whose last billing order is on its way wait for it; those whose last order is in
dead letter failed, with the order's error; the others keep a completion error
only when billing answered and the request could not follow (a real error).
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        WITH last_order AS (
            SELECT DISTINCT ON (request_id) request_id, state, last_error
              FROM telecom_outbox
             WHERE request_id IS NOT NULL
             ORDER BY request_id, id DESC
        )
        UPDATE telecom_request r
           SET fulfilment_status = CASE WHEN o.state = 'pending' THEN 'waiting'
                                        ELSE 'failed' END,
               completion_error = CASE o.state
                   WHEN 'pending' THEN NULL
                   WHEN 'dead' THEN o.last_error
                   ELSE r.completion_error END
          FROM last_order o
         WHERE o.request_id = r.id
           AND r.state NOT IN ('done', 'rejected', 'cancelled')
           AND (o.state IN ('pending', 'dead') OR r.completion_error IS NOT NULL)
        """
    )
