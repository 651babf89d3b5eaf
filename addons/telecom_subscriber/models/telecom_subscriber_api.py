import math

from odoo import api, models
from odoo.exceptions import AccessError

from ..tools.subscriber_api import (
    API_BASE,
    API_SCOPE,
    DEFAULT_RATE_LIMIT,
    DEFAULT_RATE_PERIOD,
    MAX_TEXT,
    RATE_LIMIT_PARAM,
    RATE_PERIOD_PARAM,
    ApiError,
    compact,
    json_date,
    json_datetime,
    parse_id,
)
from .telecom_service_portal import PORTAL_REQUEST_FIELDS

# service state -> TMF637 ProductStatusType
PRODUCT_STATUS = {
    "pending": "pendingActive",
    "active": "active",
    "blocked": "suspended",
    "terminated": "terminated",
}
# telecom.usage.monthly figure -> TMF635 usageCharacteristic name
USAGE_FIGURES = {
    "data_mb": "dataVolumeMB",
    "voice_minutes": "voiceMinutes",
    "sms_count": "smsCount",
    "roaming_mb": "roamingDataVolumeMB",
}


class TelecomSubscriberApi(models.AbstractModel):
    """The subscriber-facing JSON API of the operator's app and chat-bot.

    The controller (``controllers/subscriber_api.py``) only parses and calls
    these ``_api_*`` methods, run as the calling portal user: the portal record
    rules and the explicit domains below keep every answer to the caller's own
    subscriber (and, for the user of a line, to that line). Changes go through
    the portal's model API (``telecom.service._portal_create_request``), so the
    app and the portal follow the same rules.

    Extension points for other addons: ``_api_line_domain``,
    ``_api_request_domain``, ``_api_product_dict``, ``_api_request_dict``,
    ``_api_customer_dict`` (add fields), ``_api_openapi_paths`` and
    ``_api_openapi_schemas`` (document new routes, e.g. balance or tickets).
    """

    _name = "telecom.subscriber.api"
    _description = "Subscriber API"

    # ------------------------------------------------------------------
    # Who calls
    # ------------------------------------------------------------------
    @api.model
    def _api_authenticate(self, authorization, session_uid):
        """The portal user calling: by ``Authorization: Bearer <API key>``, else
        by the Odoo session (the app's web view).

        :raise ApiError: 401 without valid credentials, 403 for a user who is
            not a portal user
        """
        if authorization:
            user_id = self._api_check_bearer(authorization)
        elif session_uid:
            user_id = session_uid
        else:
            raise self._api_unauthorized(
                self.env._("Send an API key in the Authorization header.")
            )
        # sudo: the caller is not known to the environment yet (auth="none")
        user = self.env["res.users"].sudo().browse(user_id).exists()
        if not user or not user.active:
            raise self._api_unauthorized(self.env._("The API key is not valid."))
        if not user._is_portal():
            raise ApiError(
                403,
                "NOT_A_SUBSCRIBER",
                self.env._("Forbidden"),
                self.env._("This API serves the portal accounts of subscribers."),
            )
        return user

    @api.model
    def _api_check_bearer(self, authorization):
        scheme, _sep, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 128:
            raise self._api_unauthorized(
                self.env._("Use the header Authorization: Bearer <API key>.")
            )
        # Odoo's check, as for auth="bearer": a key of the API's scope or a
        # personal key without scope; only hashes are compared
        user_id = self.env["res.users.apikeys"]._check_credentials(
            scope=API_SCOPE, key=token
        )
        if not user_id:
            raise self._api_unauthorized(self.env._("The API key is not valid."))
        return user_id

    @api.model
    def _api_unauthorized(self, message):
        return ApiError(
            401,
            "UNAUTHORIZED",
            self.env._("Unauthorized"),
            message,
            headers={"WWW-Authenticate": 'Bearer realm="telecom-subscriber-api"'},
        )

    @api.model
    def _api_check_rate(self, user):
        """Count the call; a 429 with Retry-After over the limit of the window."""
        # sudo: system parameters are readable by administrators only
        params = self.env["ir.config_parameter"].sudo()
        limit = self._api_int_param(params, RATE_LIMIT_PARAM, DEFAULT_RATE_LIMIT)
        period = self._api_int_param(params, RATE_PERIOD_PARAM, DEFAULT_RATE_PERIOD)
        # sudo: the counter table is bookkeeping no user reads; the row is the
        # caller's own, found by its authenticated id
        wait = (
            self.env["telecom.subscriber.api.rate"]
            .sudo()
            ._api_count_hit(user.id, limit, period)
        )
        if wait:
            raise ApiError(
                429,
                "TOO_MANY_REQUESTS",
                self.env._("Too many requests"),
                self.env._(
                    "At most %(limit)s calls in %(period)s seconds; "
                    "try again in %(wait)s seconds.",
                    limit=limit,
                    period=period,
                    wait=wait,
                ),
                headers={"Retry-After": str(wait)},
            )

    @api.model
    def _api_int_param(self, params, key, default):
        try:
            return max(1, int(params.get_param(key, default)))
        except (TypeError, ValueError):
            return default

    # ------------------------------------------------------------------
    # Scope (extension hooks)
    # ------------------------------------------------------------------
    @api.model
    def _api_line_domain(self):
        """Lines of the caller's subscriber (or company), and the lines the
        caller uses for another holder (the portal's own scope)."""
        user = self.env.user
        return [
            "|",
            ("partner_id", "child_of", user.commercial_partner_id.id),
            ("user_partner_id", "=", user.partner_id.id),
        ]

    @api.model
    def _api_request_domain(self):
        """Requests of the caller's subscriber and of the lines they use (not
        the holder's claims); drafts are agents' work in progress."""
        user = self.env.user
        return [
            "|",
            ("partner_id", "child_of", user.commercial_partner_id.id),
            "&",
            ("service_id.user_partner_id", "=", user.partner_id.id),
            ("request_type", "!=", "claim"),
            ("state", "!=", "draft"),
        ]

    @api.model
    def _api_get(self, model_name, domain, record_id):
        """The record ``record_id`` in ``domain`` under the caller's rules, else
        the one 404: another subscriber's id answers as an absent one."""
        number = parse_id(record_id)
        records = self.env[model_name]
        if number:
            records = records.search([("id", "=", number), *domain], limit=1)
        if not records:
            raise self._api_not_found()
        return records

    @api.model
    def _api_not_found(self):
        return ApiError(
            404, "NOT_FOUND", self.env._("Not found"), self.env._("No such resource.")
        )

    @api.model
    def _api_page(self, model_name, domain, offset, limit, order=None):
        """``(records, total)`` of one page of ``domain`` under the caller's rules."""
        Model = self.env[model_name]
        total = Model.search_count(domain)
        if not limit:
            return Model.browse(), total
        return Model.search(domain, offset=offset, limit=limit, order=order), total

    # ------------------------------------------------------------------
    # Customer (TMF629)
    # ------------------------------------------------------------------
    @api.model
    def _api_customer(self, base_url):
        partner = self.env.user.commercial_partner_id
        accounts = self.env["telecom.account"].search(
            [("partner_id", "child_of", partner.id)]
        )
        return self._api_customer_dict(partner, accounts, base_url)

    @api.model
    def _api_customer_dict(self, partner, accounts, base_url):
        # sudo: the partner is the caller's own (commercial) partner
        partner = partner.sudo()
        contact_media = [
            {
                "mediumType": "email",
                "preferred": True,
                "characteristic": {"emailAddress": partner.email},
            }
            if partner.email
            else None,
            {
                "mediumType": "phone",
                "characteristic": {"phoneNumber": partner.phone},
            }
            if partner.phone
            else None,
        ]
        return {
            "id": str(partner.id),
            "href": f"{base_url}{API_BASE}/customer",
            "name": partner.name or "",
            "status": "approved",
            "engagedParty": {
                "id": str(partner.id),
                "name": partner.name or "",
                "@referredType": "Organization" if partner.is_company else "Individual",
            },
            "contactMedium": [medium for medium in contact_media if medium],
            # the document number masked, whoever calls (45 ** ***345)
            "individualIdentification": [
                {
                    "identificationType": partner.telecom_document_type or "",
                    "identificationId": partner.telecom_document_number_masked,
                }
            ]
            if partner.telecom_document_number_masked
            else [],
            "account": [
                {
                    "id": str(account.id),
                    "name": account.display_name,
                    "@referredType": "BillingAccount",
                }
                for account in accounts.sudo()
            ],
            "@type": "Customer",
        }

    # ------------------------------------------------------------------
    # Lines (TMF637 Product)
    # ------------------------------------------------------------------
    @api.model
    def _api_lines(self, base_url, status, offset, limit):
        domain = self._api_line_domain()
        states = [key for key, value in PRODUCT_STATUS.items() if value in status]
        if status:
            domain = [*domain, ("state", "in", states)]
        lines, total = self._api_page(
            "telecom.service", domain, offset, limit, "id desc"
        )
        held = self._api_held_lines(lines)
        return [
            self._api_product_dict(line, base_url, line in held) for line in lines
        ], total

    @api.model
    def _api_line(self, line_id):
        return self._api_get("telecom.service", self._api_line_domain(), line_id)

    @api.model
    def _api_held_lines(self, lines):
        """The ``lines`` the caller holds (one query for a whole page)."""
        return lines.search(
            [
                ("id", "in", lines.ids),
                ("partner_id", "child_of", self.env.user.commercial_partner_id.id),
            ]
        )

    @api.model
    def _api_product_dict(self, line, base_url, is_holder):
        """A line as a TMF637 Product, with the two facts the app needs to offer
        changes: ``accountHolder`` and ``allowedRequests`` (extensions)."""
        # sudo: the line was found under the caller's rules; its tariff, options
        # and account are catalog and billing names portal users cannot read
        line_sudo = line.sudo()
        currency = line_sudo.currency_id.name
        characteristics = {
            "serviceType": line_sudo.service_type,
            "msisdn": line_sudo.msisdn or None,
            "installationAddress": line_sudo.installation_address or None,
        }
        return compact(
            {
                "id": str(line.id),
                "href": f"{base_url}{API_BASE}/product/{line.id}",
                "name": line_sudo.name or line_sudo.reference,
                "productSerialNumber": line_sudo.reference,
                "status": PRODUCT_STATUS[line_sudo.state],
                "isBundle": False,
                "isCustomerVisible": True,
                "startDate": json_date(line_sudo.activation_date),
                "terminationDate": json_date(line_sudo.termination_date),
                "productOffering": self._api_offering_ref(line_sudo.tariff_id),
                "productPrice": [
                    {
                        "name": line_sudo.tariff_id.name,
                        "priceType": "recurring",
                        "recurringChargePeriod": "month",
                        "price": {
                            "taxIncludedAmount": {
                                "unit": currency,
                                "value": line_sudo.monthly_fee,
                            }
                        },
                    }
                ],
                "productCharacteristic": [
                    {"name": name, "valueType": "string", "value": value}
                    for name, value in characteristics.items()
                    if value
                ],
                "product": [
                    {
                        "id": f"{line.id}-{option.id}",
                        "name": option.name,
                        "productOffering": self._api_offering_ref(option),
                        "@type": "Product",
                    }
                    for option in line_sudo.option_ids
                ],
                "billingAccount": {
                    "id": str(line_sudo.account_id.id),
                    "name": line_sudo.account_id.display_name,
                    "@referredType": "BillingAccount",
                },
                "accountHolder": is_holder,
                "allowedRequests": (
                    line._portal_available_request_types() if is_holder else []
                ),
                "@type": "Product",
            }
        )

    @api.model
    def _api_offering_ref(self, product):
        return {
            "id": str(product.id),
            "name": product.name,
            "@referredType": "ProductOffering",
        }

    @api.model
    def _api_tariff_offers(self, line):
        """The tariffs the line may move to, with the monthly price difference."""
        # sudo: offers are the public catalog (see _portal_tariff_offers)
        currency = line.sudo().currency_id.name
        return [
            {
                **self._api_offering_ref(offer["tariff"]),
                "monthlyFee": {"unit": currency, "value": offer["monthly_fee"]},
                "monthlyDifference": {"unit": currency, "value": offer["difference"]},
                "removedOptions": [
                    self._api_offering_ref(option)
                    for option in offer["removed_options"]
                ],
            }
            for offer in line.sudo()._portal_tariff_offers()
        ]

    # ------------------------------------------------------------------
    # Usage (TMF635)
    # ------------------------------------------------------------------
    @api.model
    def _api_usages(self, base_url, line_id, offset, limit):
        """Billed months of the caller's lines (of one line with ``line_id``)."""
        line_domain = self._api_line_domain()
        if line_id is not None:
            line_domain = [("id", "=", parse_id(line_id) or 0), *line_domain]
        lines = self.env["telecom.service"].search(line_domain)
        # sudo: portal users cannot read billing rows; the domain holds only
        # the lines found above under the caller's rules
        usages, total = self.sudo()._api_page(
            "telecom.usage.monthly",
            [("service_id", "in", lines.ids)],
            offset,
            limit,
            "month desc, id desc",
        )
        return [self._api_usage_dict(usage, base_url) for usage in usages], total

    @api.model
    def _api_usage_dict(self, usage, base_url):
        line = usage.service_id
        return {
            "id": str(usage.id),
            "href": f"{base_url}{API_BASE}/usage?product.id={line.id}",
            "usageDate": json_date(usage.month),
            "usageType": "monthly",
            "status": "billed",
            "description": self.env._(
                "Usage of %(line)s in %(month)s",
                line=line.name or line.reference,
                month=usage.month.strftime("%Y-%m"),
            ),
            "usageCharacteristic": [
                {"name": name, "valueType": "number", "value": usage[field] or 0}
                for field, name in USAGE_FIGURES.items()
            ],
            "ratedProductUsage": [
                {
                    "isBilled": True,
                    "taxIncludedRatingAmount": {
                        "unit": usage.currency_id.name,
                        "value": usage.charged_amount,
                    },
                    "productRef": {
                        "id": str(line.id),
                        "href": f"{base_url}{API_BASE}/product/{line.id}",
                        "name": line.name or line.reference,
                    },
                    "@type": "RatedProductUsage",
                }
            ],
            "@type": "Usage",
        }

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------
    @api.model
    def _api_requests(self, base_url, offset, limit):
        requests, total = self._api_page(
            "telecom.request", self._api_request_domain(), offset, limit, "id desc"
        )
        return [self._api_request_dict(item, base_url) for item in requests], total

    @api.model
    def _api_request(self, request_id):
        return self._api_get("telecom.request", self._api_request_domain(), request_id)

    @api.model
    def _api_request_dict(self, telecom_request, base_url):
        # sudo: found under the caller's rules; the line's name is shown
        item = telecom_request.sudo()
        line = item.service_id
        return compact(
            {
                "id": str(item.id),
                "href": f"{base_url}{API_BASE}/request/{item.id}",
                "name": item.name,
                "requestType": item.request_type,
                "state": item.state,
                "isClosed": item.is_closed,
                "channel": item.channel or None,
                "creationDate": json_datetime(item.date_submitted or item.create_date),
                "closedDate": json_datetime(item.date_closed),
                "effectiveDate": json_date(item.effective_date),
                "rejectionReason": item.rejection_reason or None,
                "product": {
                    "id": str(line.id),
                    "href": f"{base_url}{API_BASE}/product/{line.id}",
                    "name": line.name or line.reference,
                }
                if line
                else None,
                "@type": "TelecomRequest",
            }
        )

    @api.model
    def _api_create_request(self, payload):
        """Create a self-service request from the JSON ``payload``, as the portal.

        :raise ApiError: 400 bad body, 404 not the caller's line, 403 the caller
            uses the line but does not hold it, 409 not possible in the line's
            state
        """
        request_type = payload.get("requestType")
        if request_type not in PORTAL_REQUEST_FIELDS:
            raise self._api_bad_body(
                self.env._(
                    "requestType must be one of: %(types)s.",
                    types=", ".join(PORTAL_REQUEST_FIELDS),
                )
            )
        product = payload.get("product")
        line_id = product.get("id") if isinstance(product, dict) else None
        line = self._api_line(line_id if isinstance(line_id, str) else "")
        form = self._api_form_values(request_type, payload.get("values", {}))
        if not line._portal_is_holder():
            raise AccessError(
                self.env._("Only the account holder can change this line.")
            )
        if request_type not in line._portal_available_request_types():
            raise ApiError(
                409,
                "STATE_CONFLICT",
                self.env._("Not possible now"),
                self.env._(
                    "This request is not possible on %(line)s now.",
                    line=line.display_name,
                ),
            )
        return line._portal_create_request(request_type, form)

    @api.model
    def _api_form_values(self, request_type, values):
        """The JSON ``values`` as the raw texts a portal form would send."""
        if not isinstance(values, dict):
            raise self._api_bad_body(self.env._("values must be an object."))
        allowed = PORTAL_REQUEST_FIELDS[request_type]
        unknown = sorted(name for name in values if name not in allowed)
        if unknown:
            raise self._api_bad_body(
                self.env._(
                    "Not a field of this request: %(fields)s.",
                    fields=", ".join(unknown)[:200],
                )
            )
        request_fields = self.env["telecom.request"]._fields
        return {
            name: self._api_form_text(request_fields[name], value)
            for name, value in values.items()
        }

    @api.model
    def _api_form_text(self, field, value):
        """``value`` as form text, when its JSON type is the one of ``field``."""
        if field.type == "boolean":
            valid, text = isinstance(value, bool), "1" if value else ""
        elif field.type in ("float", "monetary"):
            valid = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            )
            text = str(value)
        else:
            valid = (
                isinstance(value, str)
                and len(value) <= MAX_TEXT
                and "\x00" not in value
            )
            text = value
        if not valid:
            raise self._api_bad_body(
                self.env._(
                    "Check the value of %(field)s.",
                    field=field._description_string(self.env),
                )
            )
        return text

    @api.model
    def _api_bad_body(self, message):
        return ApiError(
            400, "INVALID_BODY", self.env._("Invalid request body"), message
        )
