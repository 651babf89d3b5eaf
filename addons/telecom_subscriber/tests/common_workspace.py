class WorkspaceAssertions:
    """Checks shared by the workspace tests of every telecom addon: what a
    widget shows, as a user, is what its drill opens."""

    def _workspace_widgets(self, user, workspace_xmlid=None):
        workspace_id = workspace_xmlid and self.env.ref(workspace_xmlid).id
        data = (
            self.env["telecom.workspace"]
            .with_user(user)
            .get_workspace_data(workspace_id=workspace_id or False)
        )
        return data, {widget["name"]: widget for widget in data["widgets"]}

    def _drilled(self, user, widget, group=None):
        """The records the widget's drill opens, searched as the user."""
        Widget = self.env["telecom.workspace.widget"].with_user(user)
        action = Widget.browse(widget["id"]).action_drill(
            group_key=group["key"] if group else None
        )
        return self.env[action["res_model"]].with_user(user).search(action["domain"])

    def assertWidgetsMatchDrill(self, user, workspace_xmlid=None):
        """Every widget's figure (and every group's) equals the records its
        drill opens for that user."""
        _data, widgets = self._workspace_widgets(user, workspace_xmlid)
        for name, widget in widgets.items():
            with self.subTest(user=user.login, widget=name):
                drilled = self._drilled(user, widget)
                if widget["kind"] == "ratio":
                    total = int(widget["detail"].split()[-1])
                    self.assertEqual(len(drilled), total)
                else:
                    self.assertEqual(len(drilled), widget["value"])
                for group in widget.get("groups", []):
                    self.assertEqual(
                        len(self._drilled(user, widget, group)), group["count"]
                    )
        return widgets
