from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

REMINDER_ACTIVITY = "telecom_b2b_partner.mail_activity_type_contract_renewal"


class TelecomB2bContract(models.Model):
    """Renewal of B2B contracts: reminders N days before the end, renewal by
    hand or automatically at the end, termination of the others."""

    _inherit = "telecom.b2b.contract"

    def action_renew(self):
        """Continue the contract with a successor for the renewal term."""
        self._check_state_for(("active", "expiring"), self.env._("renew"))
        self._renew()
        return True

    def _renew(self):
        """Create the successors (active at once), set ``self`` renewed."""
        successors = self.create([c._prepare_renewal_vals() for c in self])
        self.write({"state": "renewed"})
        self._close_renewal_reminders()
        self._journal("b2b_contract.renewed")
        successors.write({"state": "active"})
        successors._journal("b2b_contract.activated")
        return successors

    def _prepare_renewal_vals(self):
        """Values of the contract continuing ``self`` (hook)."""
        self.ensure_one()
        date_start = self.date_end + relativedelta(days=1)
        vals = self.copy_data(
            {
                "renewal_of_id": self.id,
                "date_start": date_start,
                "date_end": date_start
                + relativedelta(months=self.renewal_months, days=-1),
                "region_id": self.region_id.id,
                "key_account_manager_id": self.key_account_manager_id.id,
            }
        )[0]
        vals["site_ids"] = [fields.Command.set(self.site_ids.ids)]
        vals["service_ids"] = [fields.Command.set(self.service_ids.ids)]
        vals["contact_ids"] = [fields.Command.set(self.contact_ids.ids)]
        vals["document_ids"] = [fields.Command.set(self.document_ids.ids)]
        return vals

    # ------------------------------------------------------------------
    # scheduler
    # ------------------------------------------------------------------
    @api.model
    def _get_due_reminder_domain(self):
        """Active contracts whose renewal reminder is due and that have not
        ended yet (hook)."""
        today = fields.Date.context_today(self)
        return [
            ("state", "=", "active"),
            ("reminder_date", "<=", today),
            ("date_end", ">=", today),
        ]

    @api.model
    def _get_due_end_domain(self):
        """Contracts past their end, neither renewed nor terminated (hook)."""
        today = fields.Date.context_today(self)
        return [("state", "in", ("active", "expiring")), ("date_end", "<", today)]

    @api.model
    def _cron_process_renewals(self, batch_size=500):
        """Remind the key account managers of the contracts coming to their end,
        renew the auto-renewed contracts that ended and terminate the others.

        Works in batches and reports its progress; a second run the same day
        finds nothing left to do (the states moved)."""
        due_reminders = self.search(self._get_due_reminder_domain(), limit=batch_size)
        due_reminders._mark_expiring()
        due_ends = self.search(self._get_due_end_domain(), limit=batch_size)
        due_ends.filtered("auto_renew")._renew()
        due_ends.filtered(lambda c: not c.auto_renew)._terminate("expired")
        done = len(due_reminders) + len(due_ends)
        remaining = self.search_count(
            self._get_due_reminder_domain(), limit=1
        ) + self.search_count(self._get_due_end_domain(), limit=1)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _mark_expiring(self):
        """Active → expiring, with a renewal reminder for the key account
        manager of each contract."""
        if not self:
            return
        self.write({"state": "expiring"})
        self._schedule_renewal_reminders()
        self._journal("b2b_contract.expiring")

    def _schedule_renewal_reminders(self):
        activity_type = self.env.ref(REMINDER_ACTIVITY)
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": contract.id,
                    "activity_type_id": activity_type.id,
                    "user_id": (
                        contract.key_account_manager_id or contract.create_uid
                    ).id,
                    "date_deadline": contract.date_end,
                    # closed by activity_feedback() at renewal or termination
                    "automated": True,
                    "summary": self.env._(
                        "Contract %(contract)s ends on %(end)s: renew it or let "
                        "it end.",
                        contract=contract.name,
                        end=contract.date_end,
                    ),
                }
                for contract in self
            ]
        )

    def _close_renewal_reminders(self):
        self.activity_feedback([REMINDER_ACTIVITY])
