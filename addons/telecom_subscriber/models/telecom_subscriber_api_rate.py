import math
import time
from datetime import datetime, timezone

from odoo import api, fields, models
from odoo.tools import SQL


class TelecomSubscriberApiRate(models.Model):
    """How many calls each user made to the subscriber API in the current window.

    One row per user, a fixed window: the counter restarts when a call falls
    in a new window. It lives in PostgreSQL, so every HTTP worker and node
    shares it.
    """

    _name = "telecom.subscriber.api.rate"
    _description = "Subscriber API Rate Counter"
    _rec_name = "user_id"

    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, ondelete="cascade"
    )
    window_start = fields.Datetime(required=True, readonly=True)
    hits = fields.Integer(readonly=True)

    _sql_constraints = [
        ("user_uniq", "unique(user_id)", "One rate counter per user."),
    ]

    @api.model
    def _api_count_hit(self, user_id, limit, period):
        """Count one call of ``user_id``; the seconds to wait when over ``limit``.

        :return: 0 when the call may proceed, else the seconds until the window
            of ``period`` seconds ends (the Retry-After of a 429)
        """
        now = time.time()
        window_start = math.floor(now / period) * period
        if self._api_upsert_hit(user_id, window_start) <= limit:
            return 0
        return max(1, math.ceil(window_start + period - now))

    @api.model
    def _api_upsert_hit(self, user_id, window_start):
        """Add one hit to the counter of ``user_id``, in the call's transaction.

        The controller counts before the call's savepoint, so a refused call
        still counts. Two calls of the same user at once wait for each other on
        the row; one that loses the race gets PostgreSQL's serialization
        failure, on which Odoo replays the whole call, as for any concurrent
        update.
        """
        start = datetime.fromtimestamp(window_start, timezone.utc).replace(tzinfo=None)
        self.env.cr.execute(
            SQL(
                """INSERT INTO telecom_subscriber_api_rate AS rate
                       (user_id, window_start, hits, create_uid, create_date,
                        write_uid, write_date)
                   VALUES (%(user)s, %(start)s, 1, %(user)s,
                           now() at time zone 'utc', %(user)s,
                           now() at time zone 'utc')
                   ON CONFLICT (user_id) DO UPDATE SET
                       hits = CASE WHEN rate.window_start = EXCLUDED.window_start
                                   THEN rate.hits + 1 ELSE 1 END,
                       window_start = EXCLUDED.window_start,
                       write_date = EXCLUDED.write_date
                   RETURNING hits""",
                user=user_id,
                start=start,
            )
        )
        return self.env.cr.fetchone()[0]
