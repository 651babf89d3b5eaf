import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/**
 * A role's workspace: live widgets (counts, rates, counts per group) defined
 * as telecom.workspace.widget records. Each widget, and each of its groups,
 * opens the records it counted. The figures are computed by the server as the
 * current user (access rights and zone rules apply) and reload on their own.
 */
export class TelecomWorkspace extends Component {
    static template = "telecom_subscriber.TelecomWorkspace";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({ data: null });
        this.workspaceId = this.props.action.params?.workspace_id || false;
        onWillStart(() => this.load());
        onWillUnmount(() => clearInterval(this.timer));
    }

    async load() {
        const data = await this.orm.call("telecom.workspace", "get_workspace_data", [], {
            workspace_id: this.workspaceId,
        });
        this.state.data = data;
        this.workspaceId = data.id;
        clearInterval(this.timer);
        if (data.refresh_seconds) {
            this.timer = setInterval(() => this.load(), data.refresh_seconds * 1000);
        }
    }

    async switchTo(workspaceId) {
        this.workspaceId = workspaceId;
        await this.load();
    }

    async drill(widget, group) {
        const action = await this.orm.call(
            "telecom.workspace.widget",
            "action_drill",
            [[widget.id]],
            { group_key: group ? group.key : null }
        );
        await this.actionService.doAction(action);
    }

    configure() {
        this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: "telecom.workspace",
            res_id: this.workspaceId,
            views: [[false, "form"]],
            target: "current",
        });
    }

    barWidth(widget, group) {
        const top = Math.max(...widget.groups.map((g) => g.count), 1);
        return `width: ${Math.round((100 * group.count) / top)}%`;
    }
}

registry.category("actions").add("telecom_workspace", TelecomWorkspace);
