import math

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

# Requests a holder may ask from the portal -> the request fields the form may set.
# Everything else (subscriber, account, channel, block reason…) is set by the model.
PORTAL_REQUEST_FIELDS = {
    "tariff_change": ("tariff_id", "change_timing", "remove_incompatible_options"),
    "option_change": ("option_action", "option_id"),
    "block": ("block_until",),
    "unblock": (),
    "sim_swap": ("sim_swap_reason",),
    "port_out": ("recipient_operator_id", "effective_date"),
    "termination": ("termination_reason", "reason"),
    "claim": ("claim_category", "claim_amount", "reason"),
}
# service states in which the portal offers each request (the request's own
# guards still decide, with the back office's rules)
PORTAL_REQUEST_STATES = {
    "tariff_change": ("active",),
    "option_change": ("active",),
    "block": ("active",),
    "unblock": ("blocked",),
    "sim_swap": ("active", "blocked"),
    "port_out": ("active", "blocked"),
    "termination": ("active", "blocked"),
    "claim": ("active", "blocked", "terminated"),
}
# values of request selections a subscriber does not give themselves
PORTAL_SELECTION_EXCLUDED = {
    "termination_reason": ("deceased", "non_payment"),
}
# requests the portal offers on some types of service only
PORTAL_REQUEST_SERVICE_TYPES = {
    "sim_swap": ("mobile",),
    "port_out": ("mobile",),
}


class TelecomService(models.Model):
    """What a subscriber may do on their own lines from the portal.

    Every action creates and submits the same ``telecom.request`` an agent would
    create, through the *Portal / App* channel (the self-service channel the
    deflection figures count), so the request's guards, journal and timeline are
    the back office's. Changes need the rights of the line's holder: the holder
    (or a contact of the holding company); the *line user* of a line
    (``user_partner_id``) sees it in the portal but changes nothing.
    """

    _inherit = "telecom.service"

    # ------------------------------------------------------------------
    # Who may do what
    # ------------------------------------------------------------------
    def _portal_is_holder(self):
        """Whether the current user holds this line (with their own rights)."""
        self.ensure_one()
        user = self.env.user
        return bool(
            self.sudo(False).search_count(
                [
                    ("id", "=", self.id),
                    ("partner_id", "child_of", user.commercial_partner_id.id),
                ],
                limit=1,
            )
        )

    def _portal_check_holder(self):
        if not self._portal_is_holder():
            raise AccessError(
                self.env._("Only the account holder can change this line.")
            )

    def _portal_available_request_types(self):
        """Request types the portal offers on this line in its current state."""
        self.ensure_one()
        return [
            request_type
            for request_type, states in PORTAL_REQUEST_STATES.items()
            if self.state in states
            and self.service_type
            in PORTAL_REQUEST_SERVICE_TYPES.get(request_type, (self.service_type,))
        ]

    # ------------------------------------------------------------------
    # Choices shown on the forms
    # ------------------------------------------------------------------
    def _portal_catalog(self, kind):
        """Tariffs or options (``kind``) made for this line's type of service."""
        self.ensure_one()
        # sudo: the catalog's offers are public to subscribers, who cannot read
        # products; the domain keeps the offers of this line's type and branch
        return (
            self.env["product.product"]
            .sudo()
            .search(
                [
                    ("telecom_kind", "=", kind),
                    ("telecom_service_type", "=", self.service_type),
                    ("company_id", "in", (False, self.company_id.id)),
                ],
                order="telecom_monthly_fee, name, id",
            )
        )

    def _portal_tariff_offers(self):
        """The other tariffs of the line with the monthly price difference.

        :return: list of dicts ``tariff``, ``monthly_fee`` (tariff and the options
            kept), ``difference`` (against today's total) and ``removed_options``
            (options the tariff does not allow, removed on request only)
        """
        self.ensure_one()
        Request = self.env["telecom.request"]
        offers = []
        for tariff in self._portal_catalog("tariff") - self.tariff_id:
            removed = Request._incompatible_options(tariff, self.option_ids)
            monthly_fee = tariff.telecom_monthly_fee + sum(
                (self.option_ids - removed).mapped("telecom_monthly_fee")
            )
            offers.append(
                {
                    "tariff": tariff,
                    "monthly_fee": monthly_fee,
                    "difference": monthly_fee - self.monthly_fee,
                    "removed_options": removed,
                }
            )
        return offers

    def _portal_options_to_add(self):
        """Options of the catalog this line's tariff allows and it has not yet."""
        self.ensure_one()
        return self._portal_catalog("option").filtered(
            lambda option: (
                option not in self.option_ids
                and self.tariff_id.product_tmpl_id._telecom_allows_option(
                    option.product_tmpl_id
                )
            )
        )

    def _portal_selection(self, field_name):
        """(value, label) pairs a portal form offers for a request selection."""
        excluded = PORTAL_SELECTION_EXCLUDED.get(field_name, ())
        field = self.env["telecom.request"]._fields[field_name]
        return [
            (value, label)
            for value, label in field._description_selection(self.env)
            if value not in excluded
        ]

    def _portal_port_date_window(self):
        """Earliest and latest porting date of a port-out asked today."""
        self.ensure_one()
        return (
            self.env["telecom.request"]
            .new(
                {
                    "request_type": "port_out",
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                }
            )
            ._port_date_window()
        )

    def _portal_choices(self, field_name):
        """Records a portal form may pick for ``field_name`` of the request."""
        self.ensure_one()
        if field_name == "tariff_id":
            return self._portal_catalog("tariff")
        if field_name == "option_id":
            return self._portal_catalog("option")
        if field_name == "recipient_operator_id":
            # sudo: the other operators' names are public; subscribers cannot read
            # the operator table
            return self.env["telecom.operator"].sudo().search([("is_own", "=", False)])
        raise UserError(self.env._("This field cannot be chosen from the portal."))

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------
    def _portal_create_request(self, request_type, form_values):
        """Create and submit a ``request_type`` request on this line for its holder.

        :param form_values: the raw values of the portal form; only the fields
            ``PORTAL_REQUEST_FIELDS`` allows for the type are read
        :return: the request, with the caller's access rights
        :raise AccessError: the caller does not hold the line
        :raise UserError: bad input, or the request's rules refuse it
        """
        self.ensure_one()
        service = self.sudo(False)  # the checks run with the caller's rights
        service._portal_check_holder()
        if request_type not in service._portal_available_request_types():
            raise UserError(
                self.env._(
                    "This request is not possible on %(line)s now.",
                    line=service.display_name,
                )
            )
        vals = {
            **service._prepare_portal_request_vals(request_type),
            **service._portal_parse_form(request_type, form_values),
        }
        return service._portal_submit_request(vals)

    def _portal_request_block_lost_sim(self):
        """Block this mobile line because its SIM card is lost, for its portal holder.

        The caller must be the holder of the line (or a contact of the holding
        company). A ``block`` request with reason ``lost_sim`` is created through
        the portal channel and submitted: it completes at once when the company
        completes requests at submission, otherwise the back office confirms it.
        A portal contact row is added to the timeline.

        :return: the block request, with the caller's access rights
        :raise AccessError: the line is not the caller's
        :raise UserError: the line is not an active mobile line
        """
        self.ensure_one()
        service = self.sudo(False)  # the checks run with the caller's rights
        if not service._portal_is_holder():
            raise AccessError(self.env._("You can only block your own lines."))
        if service.service_type != "mobile":
            raise UserError(self.env._("Only a mobile line has a SIM card to block."))
        if service.state != "active":
            raise UserError(
                self.env._(
                    "%(line)s cannot be blocked: it is not active.",
                    line=service.display_name,
                )
            )
        return service._portal_submit_request(service._prepare_lost_sim_block_vals())

    def _portal_submit_request(self, vals):
        """Create the request of ``vals`` with its portal contact, and submit it.

        Callers checked that the line is the caller's and sanitised ``vals``.
        """
        self.ensure_one()
        # sudo: portal users may only read requests and have no access to the
        # timeline; the line was checked by the caller to be the user's own
        Request = self.env["telecom.request"].sudo()
        Interaction = self.env["telecom.interaction"].sudo()
        # all or nothing: a refused submission leaves no draft request behind
        with self.env.cr.savepoint():
            new_request = Request.create(vals)
            Interaction.create(self._prepare_portal_interaction_vals(new_request))
            new_request.action_submit()
        return new_request.sudo(False)

    def _prepare_portal_request_vals(self, request_type):
        self.ensure_one()
        vals = {
            "request_type": request_type,
            "partner_id": self.partner_id.id,
            "account_id": self.account_id.id,
            "service_id": self.id,
            "channel": "portal",
            "user_id": False,
        }
        if request_type == "block":
            vals["block_reason"] = "voluntary"
        return vals

    def _prepare_lost_sim_block_vals(self):
        self.ensure_one()
        return {
            **self._prepare_portal_request_vals("block"),
            "block_reason": "lost_sim",
            "reason": self.env._(
                "Lost or stolen SIM card, reported by the subscriber online."
            ),
        }

    def _prepare_portal_interaction_vals(self, new_request):
        self.ensure_one()
        type_labels = dict(
            new_request._fields["request_type"]._description_selection(self.env)
        )
        if new_request.request_type == "block" and new_request.block_reason == (
            "lost_sim"
        ):
            summary = self.env._(
                "Lost SIM reported from the portal: %(line)s", line=self.name
            )
        else:
            summary = self.env._(
                "%(type)s asked from the portal: %(line)s",
                type=type_labels[new_request.request_type],
                line=self.name,
            )
        return {
            "partner_id": self.partner_id.id,
            "service_id": self.id,
            "request_id": new_request.id,
            "channel": "portal",
            "direction": "inbound",
            "agent_id": False,
            "outcome": "request_created",
            "summary": summary,
            "company_id": self.company_id.id,
        }

    # ------------------------------------------------------------------
    # Reading a portal form
    # ------------------------------------------------------------------
    def _portal_parse_form(self, request_type, form_values):
        """Request values from the raw ``form_values`` of a ``request_type`` form.

        :raise UserError: a value that does not fit its field, or a record the
            form does not offer
        """
        self.ensure_one()
        request_fields = self.env["telecom.request"]._fields
        return {
            field_name: self._portal_parse_value(
                request_fields[field_name], form_values.get(field_name)
            )
            for field_name in PORTAL_REQUEST_FIELDS[request_type]
        }

    def _portal_parse_value(self, field, raw_value):
        raw_value = (raw_value or "").strip() if isinstance(raw_value, str) else ""
        if field.type == "boolean":
            return bool(raw_value)
        if not raw_value:
            return False
        label = field._description_string(self.env)
        try:
            if field.type == "many2one":
                return self._portal_parse_record(field.name, int(raw_value), label)
            if field.type == "selection":
                values = [value for value, _label in self._portal_selection(field.name)]
                if raw_value not in values:
                    raise ValueError(raw_value)
                return raw_value
            if field.type == "date":
                return fields.Date.to_date(raw_value)
            if field.type in ("float", "monetary"):
                number = float(raw_value.replace(",", ".").replace(" ", ""))
                if not math.isfinite(number):
                    raise ValueError(raw_value)
                return number
        except ValueError:
            raise UserError(
                self.env._("Check the value of %(field)s.", field=label)
            ) from None
        return raw_value

    def _portal_parse_record(self, field_name, record_id, label):
        choices = self._portal_choices(field_name)
        if record_id not in choices.ids:
            raise UserError(self.env._("Choose %(field)s from the list.", field=label))
        return record_id
