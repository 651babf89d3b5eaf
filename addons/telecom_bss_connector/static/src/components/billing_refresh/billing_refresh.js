/** @odoo-module **/
/**
 * Card widget of the Billing tab: the card opens with the last known billing
 * figures at once; when they are stale this widget asks billing for fresh ones
 * in the background (short time-out on the server) and reloads the card.
 */
import { Component, onMounted, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

export class TelecomBillingRefresh extends Component {
    static template = "telecom_bss_connector.TelecomBillingRefresh";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ busy: false, message: "" });
        onMounted(() => {
            if (this.props.record.resId && this.props.record.data.telecom_billing_stale) {
                this.refresh();
            }
        });
    }

    async refresh() {
        const record = this.props.record;
        if (this.state.busy || !record.resId) {
            return;
        }
        this.state.busy = true;
        this.state.message = _t("Asking billing for fresh figures…");
        try {
            const result = await this.orm.call(
                "res.partner",
                "action_telecom_refresh_billing",
                [[record.resId]]
            );
            this.state.message =
                result.refreshed < result.accounts
                    ? _t("Billing did not answer for every account: older figures are shown.")
                    : "";
            // a record being edited keeps the user's changes: no reload then
            if (!(await record.isDirty())) {
                await record.load();
            }
        } catch {
            this.state.message = _t("Billing could not be reached: older figures are shown.");
        } finally {
            this.state.busy = false;
        }
    }
}

registry.category("view_widgets").add("telecom_billing_refresh", {
    component: TelecomBillingRefresh,
});
