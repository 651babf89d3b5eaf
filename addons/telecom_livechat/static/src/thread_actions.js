import { threadActionsRegistry } from "@mail/core/common/thread_actions";

import { useComponent } from "@odoo/owl";

import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";

/**
 * Agents turn a live chat conversation of a subscriber into a lifecycle request
 * (or open the subscriber card) from the chat window: the server checks the rights
 * and answers with the window action to open.
 */
function telecomChannelAction(method, { icon, name, sequence }) {
    return {
        condition(component) {
            return (
                component.thread?.channel_type === "livechat" &&
                component.store.self?.isInternalUser
            );
        },
        icon: `fa fa-fw ${icon}`,
        iconLarge: `fa fa-fw fa-lg ${icon}`,
        name,
        async open(component) {
            const action = await component.telecomOrm.call("discuss.channel", method, [
                [component.thread.id],
            ]);
            await component.telecomActionService.doAction(action);
        },
        sequence,
        setup() {
            const component = useComponent();
            component.telecomOrm = useService("orm");
            component.telecomActionService = useService("action");
        },
    };
}

threadActionsRegistry
    .add(
        "telecom-subscriber-card",
        telecomChannelAction("action_telecom_open_subscriber", {
            icon: "fa-id-card-o",
            name: _t("Subscriber Card"),
            sequence: 41,
        })
    )
    .add(
        "telecom-new-request",
        telecomChannelAction("action_telecom_new_request", {
            icon: "fa-tasks",
            name: _t("New Subscriber Request"),
            sequence: 42,
        })
    );

export { telecomChannelAction };
