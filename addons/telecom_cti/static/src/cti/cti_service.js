/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

/**
 * Screen pop: the exchange rings the agent's phone, Odoo sends the agent a
 * `telecom_cti/incoming_call` notification on the bus (the caller's number,
 * queue, subscriber and the action opening their card, or a "new caller" form
 * when the number is unknown) and this service opens it.
 */
export const POP_NOTIFICATION = "telecom_cti/incoming_call";

export const telecomCtiService = {
    dependencies: ["bus_service", "action", "notification"],

    start(env, { bus_service, action, notification }) {
        function pop(payload) {
            const caller = payload.partner_name || _t("New caller");
            const details = [payload.number, payload.queue].filter(Boolean).join(" · ");
            notification.add(details, {
                title: _t("Incoming call: %s", caller),
                type: "info",
            });
            return action.doAction(payload.action);
        }
        bus_service.subscribe(POP_NOTIFICATION, pop);
        return { pop };
    },
};

registry.category("services").add("telecom_cti", telecomCtiService);
