"""The monthly usage and charges import: one line and month per row.

Same job, states, chunks and error records as the subscriber import; the file
format is in ``tools/usage_csv.py``. Each chunk resolves its services with one
search, then writes its months with one upsert (``telecom.usage.monthly``): a
month imported again is updated, never doubled.
"""

from odoo import models

from ..tools import usage_csv


class TelecomImport(models.Model):
    _inherit = "telecom.import"

    def _prepare_usage_run(self):
        # the figures are written for the services the user may read (zones)
        self.env["telecom.service"].check_access("read")
        if self.next_row:
            return
        text = self._read_text()
        header = usage_csv.read_header(self.env, text)
        self.write(
            {
                "row_count": usage_csv.count_rows(self.env, text, header),
                "next_offset": header.offset,
                "next_line": header.line_number,
                "duplicate_identifiers": {},
            }
        )

    def _usage_terms(self, matched):
        """``{service id: terms}`` the rows ``matched`` (row, service id) give
        of their lines (commitment and promotion ends), the latest month's
        winning; empty cells give nothing."""
        terms = {}
        for row, service_id in sorted(matched, key=lambda pair: pair[0].typed["month"]):
            terms.setdefault(service_id, {}).update(
                {
                    name: row.typed[column]
                    for name, column in (
                        ("commitment_end_date", "commitment_end"),
                        ("promotion_name", "promotion_name"),
                        ("promotion_end_date", "promotion_end"),
                    )
                    if row.typed[column]
                }
            )
        return terms

    def _process_usage_chunk(self, chunk_size):
        """Import the next ``chunk_size`` usage rows: resolve lines, upsert months."""
        self.ensure_one()
        text = self._read_text()
        header = usage_csv.read_header(self.env, text)
        chunk = usage_csv.read_chunk(
            self.env, text, header, self.next_offset, self.next_line, chunk_size
        )
        services = self._usage_services(chunk.rows)
        rows, matched = [], []
        for row in chunk.rows:
            if row.problems:
                continue
            service_id = self._usage_service_of_row(row, services)
            if not service_id:
                continue
            matched.append((row, service_id))
            rows.append(
                {
                    "service_id": service_id,
                    **{
                        name: row.typed[name]
                        for name in (
                            "month",
                            "data_mb",
                            "voice_minutes",
                            "sms_count",
                            "roaming_mb",
                            "charged_amount",
                            "paid_amount",
                            "debt_amount",
                            "paid_late",
                            "device_type",
                            "device_os",
                            "device_5g",
                        )
                    },
                }
            )
        # sudo: the figures are billing's, written by the import on the user's
        # behalf for services the user could read above; users never type them
        self.env["telecom.service"].sudo()._apply_billing_terms(
            self._usage_terms(matched)
        )
        self.env["telecom.usage.monthly"].sudo()._upsert_monthly(rows, "import")
        problems = [
            (row.line_number, *problem)
            for row in chunk.rows
            for problem in row.problems
        ]
        self._record_chunk(chunk, rows, problems, [])
        return rows

    def _usage_services(self, rows):
        """The services of the accounts named in ``rows``, as the user sees them:
        ``{account number: [(id, msisdn, service type, live)]}`` (one search)."""
        numbers = {row.values["account_number"] for row in rows} - {""}
        if not numbers:
            return {}
        services = self.env["telecom.service"].search_fetch(
            [
                "|",
                ("account_id.name", "in", list(numbers)),
                ("account_id.billing_reference", "in", list(numbers)),
            ],
            ["msisdn", "service_type", "state", "account_id"],
            order="id",
        )
        services.account_id.fetch(["name", "billing_reference"])
        by_account = {}
        for service in services:
            entry = (
                service.id,
                service.msisdn or False,
                service.service_type,
                service.state != "terminated",
            )
            for number in {
                service.account_id.name,
                service.account_id.billing_reference,
            }:
                if number in numbers:
                    by_account.setdefault(number, []).append(entry)
        return by_account

    def _usage_service_of_row(self, row, services):
        """The id of the line a usage row is about (the newest live one first),
        or None with a problem added to the row."""
        number = row.values["account_number"]
        candidates = services.get(number)
        if candidates is None:
            row.add_problem(
                "account_number",
                self.env._(
                    "Account %(account)s is not known (or not in your zones).",
                    account=number,
                ),
            )
            return None
        if row.typed["msisdn"]:
            matches = [c for c in candidates if c[1] == row.typed["msisdn"]]
            problem_column = "msisdn"
            problem = self.env._(
                "No line %(msisdn)s on account %(account)s.",
                msisdn=row.typed["msisdn"],
                account=number,
            )
        else:
            matches = [
                c for c in candidates if not c[1] and c[2] == row.typed["service_type"]
            ]
            problem_column = "service_type"
            problem = self.env._(
                "No %(type)s line without number on account %(account)s.",
                type=row.values["service_type"],
                account=number,
            )
            live = [c for c in matches if c[3]]
            if len(live) > 1:
                row.add_problem(
                    "service_type",
                    self.env._(
                        "Account %(account)s has several %(type)s lines: give "
                        "the MSISDN.",
                        account=number,
                        type=row.values["service_type"],
                    ),
                )
                return None
        if not matches:
            row.add_problem(problem_column, problem)
            return None
        live = [c for c in matches if c[3]]
        return (live or matches)[-1][0]

    def _post_usage_summary(self):
        self.message_post(
            body=self.env._(
                "Import finished: %(imported)s months of lines imported or updated, "
                "%(rejected)s rows rejected.",
                imported=self.imported_count,
                rejected=self.error_count,
            ),
            subtype_xmlid="mail.mt_comment",
        )
