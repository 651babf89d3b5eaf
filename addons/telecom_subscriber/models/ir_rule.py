from odoo import api, models, tools
from odoo.osv import expression
from odoo.tools import config

# hierarchy operators the record rules resolve once per user, with their cached
# domain: the zones (the cache is cleared whenever the zone tree or a user's
# zones change, see telecom.region and res.users) and the ancestors of the
# user's companies (a company cannot change its parent).
RESOLVED_HIERARCHIES = {
    "telecom.region": ("child_of", "parent_of"),
    "res.company": ("parent_of",),
}


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    @tools.conditional(
        "xml" not in config["dev_mode"],
        tools.ormcache(
            "self.env.uid",
            "self.env.su",
            "model_name",
            "mode",
            "tuple(self._compute_domain_context_values())",
        ),
    )
    def _compute_domain(self, model_name, mode="read"):
        """The rules' domain with ``child_of``/``parent_of`` on zones resolved to
        ids: searches no longer read the zone tree, and access checks of records
        already in memory (``filtered_domain``) need no query at all."""
        domain = super()._compute_domain(model_name, mode)
        if not domain:
            return domain
        model = self.env[model_name]
        return [self._telecom_resolve_leaf(model, item) for item in domain]

    def _telecom_resolve_leaf(self, model, item):
        if not expression.is_leaf(item) or item[1] not in ("child_of", "parent_of"):
            return item
        path, operator, value = item
        ids = [value] if isinstance(value, int) else value
        if not isinstance(ids, (list, tuple)) or not all(
            isinstance(id_, int) for id_ in ids
        ):
            return item
        comodel = self._telecom_path_comodel(model, path)
        if comodel is None or operator not in RESOLVED_HIERARCHIES.get(
            comodel._name, ()
        ):
            return item
        # sudo: the tree is resolved as the expression itself does it
        resolved = (
            comodel.sudo()
            .with_context(active_test=False)
            .search([("id", operator, list(ids))])
        )
        return (path, "in", resolved.ids)

    def _telecom_path_comodel(self, model, path):
        """The model the ids of a rule's ``path`` belong to (None if unknown)."""
        field = None
        for name in path.split("."):
            field = model._fields.get(name)
            if field is None:
                return None
            if field.relational:
                model = self.env[field.comodel_name]
        return model if field.relational or field.name == "id" else None
