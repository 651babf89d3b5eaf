"""Field types the models need beyond Odoo's own."""

from odoo import fields


class BigInteger(fields.Integer):
    """An integer stored as PostgreSQL ``bigint``.

    For values that outgrow ``integer`` (2**31): transaction ids, which
    ``txid_current()`` returns epoch-extended as 64-bit numbers. It behaves
    as an ``integer`` field everywhere else (views, domains, exports).
    """

    _column_type = ("int8", "int8")
