from odoo import models

DEFERRED_LOGS = "telecom_tracking_batch_logs"  # key of the cursor's cache


class TelecomTrackingBatchMixin(models.AbstractModel):
    """Tracked changes of many records logged in one ``mail.message`` create.

    mail logs each record's tracked changes by a create of its own (a message and
    its tracking values: two statements a record): moving 50 requests, and the 50
    lines they move, wrote 200 rows one statement at a time. Here the log
    messages of one tracking pass (changes without a subtype; those are posted
    and notify followers, as in mail) are created together. The messages are
    the same. List it before ``mail.thread`` in ``_inherit``.
    """

    _name = "telecom.tracking.batch.mixin"
    _description = "Tracking Messages Logged Together"

    def _message_track(self, fields_iter, initial_values_dict):
        if len(self) < 2:
            return super()._message_track(fields_iter, initial_values_dict)
        stack = self.env.cr.cache.setdefault(DEFERRED_LOGS, [])
        stack.append([])
        try:
            tracking = super()._message_track(fields_iter, initial_values_dict)
        finally:
            values_list = stack.pop()
        if values_list:
            self._message_create_logged(values_list)
        return tracking

    def _message_create_logged(self, values_list):
        """Create the deferred log messages, then all their tracking values at
        once (mail.message creates those message by message)."""
        tracked = []
        for values in values_list:
            commands = values.get("tracking_value_ids") or []
            if all(len(command) == 3 and command[0] == 0 for command in commands):
                tracked.append([command[2] for command in commands])
                values.pop("tracking_value_ids", None)
            else:
                tracked.append([])  # mail.message writes the other commands
        # sudo: as mail's _message_log_batch, which built these values
        messages = self.sudo()._message_create(values_list)
        self.env["mail.tracking.value"].sudo().create(
            [
                {**tracking_values, "mail_message_id": message.id}
                for message, values_of_message in zip(messages, tracked, strict=True)
                for tracking_values in values_of_message
            ]
        )

    def _message_log(self, **kwargs):
        if not self.env.cr.cache.get(DEFERRED_LOGS):
            return super()._message_log(**kwargs)
        return super(
            TelecomTrackingBatchMixin,
            self.with_context(telecom_tracking_batch_defer=True),
        )._message_log(**kwargs)

    def _message_create(self, values_list):
        stack = self.env.cr.cache.get(DEFERRED_LOGS)
        if not (stack and self.env.context.get("telecom_tracking_batch_defer")):
            return super()._message_create(values_list)
        stack[-1].extend(values_list)
        return self.env["mail.message"]
