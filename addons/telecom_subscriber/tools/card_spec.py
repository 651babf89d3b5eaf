"""The ``web_read`` specification of the 360° card, as the web client derives it.

Used by the card's tests and by ``bench/subscriber_card.py`` (nothing else): the card
as it is with every installed addon's extension of its view.
"""

from lxml import etree

CARD_VIEW = "telecom_subscriber.res_partner_view_form_telecom_card"
X2MANY_DEFAULT_LIMIT = 40  # the web client's limit for an x2many list without one


def card_spec(env):
    """The web_read specification of the card for ``env``'s user, from its arch
    (``getFieldsSpec``: many2one -> ``display_name``, x2many lists with their
    ``limit``)."""
    view = env.ref(CARD_VIEW)
    result = env["res.partner"].get_views([(view.id, "form")])
    arch = etree.fromstring(result["views"]["form"]["arch"])
    fields = {model: info["fields"] for model, info in result["models"].items()}
    spec = fields_spec(arch, "res.partner", fields)
    spec["display_name"] = {}
    return spec


def fields_spec(node, model, fields):
    """Spec of the fields under ``node`` (not inside a nested x2many view)."""
    spec = {}
    for field_node in field_nodes(node):
        name = field_node.get("name")
        field = fields[model][name]
        invisible = field_node.get("invisible") in ("1", "True")
        if field["type"] in ("one2many", "many2many"):
            spec[name] = x2many_spec(field_node, field, fields, invisible)
        elif field["type"] in ("many2one", "reference"):
            spec[name] = {"fields": {} if invisible else {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def x2many_spec(field_node, field, fields, invisible):
    sub_view = field_node.find("list")
    if sub_view is None or invisible:
        return {}
    spec = {
        "fields": fields_spec(sub_view, field["relation"], fields),
        "limit": int(sub_view.get("limit", X2MANY_DEFAULT_LIMIT)),
        "context": {},
    }
    if sub_view.get("default_order"):
        spec["order"] = sub_view.get("default_order")
    return spec


def field_nodes(node):
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "field":
            yield child
        else:
            yield from field_nodes(child)
