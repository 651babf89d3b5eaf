from odoo import api, fields, models


class TelecomWorkspace(models.Model):
    """A role's home: a page of live widgets (counts, rates, counts per group),
    each opening the records behind it.

    Which workspace a user lands on: the first one, by sequence, whose role
    (``group_id``) the user has. Workspaces and their widgets are records that
    head office edits in the UI; each telecom addon adds its own widgets.
    """

    _name = "telecom.workspace"
    _description = "Telecom Role Workspace"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10,
        help="A user with several roles lands on the workspace with the lowest "
        "sequence among theirs.",
    )
    active = fields.Boolean(default=True)
    group_id = fields.Many2one(
        "res.groups",
        string="Role",
        required=True,
        ondelete="cascade",
        help="Users of this group (or of a group implying it) get this workspace.",
    )
    refresh_seconds = fields.Integer(
        string="Refresh Every (s)",
        default=60,
        help="The widgets reload on their own at this interval; 0 never.",
    )
    widget_ids = fields.One2many(
        "telecom.workspace.widget", "workspace_id", string="Widgets"
    )

    _sql_constraints = [
        (
            "refresh_seconds_positive",
            "CHECK(refresh_seconds >= 0)",
            "The refresh interval cannot be negative.",
        ),
    ]

    @api.model
    def _telecom_workspaces_of_user(self):
        """The workspaces of the current user's roles, in landing order."""
        return self.search([("group_id", "in", self.env.user.groups_id.ids)])

    @api.model
    def get_workspace_data(self, workspace_id=False):
        """What the workspace client action shows: the workspace (the given one,
        else the user's home one), its widgets with their live values, and the
        other workspaces the user may switch to. Runs as the user: counts go
        through the user's access rights and zone rules."""
        workspaces = self._telecom_workspaces_of_user()
        workspace = workspaces[:1]
        if workspace_id:
            workspace = self.browse(workspace_id).exists()
            workspace.check_access("read")
        if not workspace:
            return {"id": False, "workspaces": []}
        return {
            "id": workspace.id,
            "name": workspace.name,
            "refresh_seconds": workspace.refresh_seconds,
            "can_edit": workspace.has_access("write"),
            "widgets": workspace.widget_ids._telecom_widget_values(),
            "workspaces": [{"id": ws.id, "name": ws.name} for ws in workspaces],
        }

    def action_open_workspace(self):
        """Open this workspace (from its form)."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "telecom_subscriber.telecom_workspace_action_client"
        )
        action["params"] = {"workspace_id": self.id}
        action["name"] = self.name
        return action
