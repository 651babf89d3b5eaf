/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Front office: the card opens at once; its Billing tab refreshes the stale
 * billing figures live from billing (the simulator) and shows them.
 */
registry.category("web_tour.tours").add("telecom_bss_connector_card_billing", {
    steps: () => [
        {
            content: "Open the subscriber card",
            trigger: ".o_data_row .o_data_cell:contains('Billing Tour Subscriber')",
            run: "click",
        },
        {
            content: "Open the Billing tab",
            trigger: ".o_notebook .nav-link:contains('Billing')",
            run: "click",
        },
        {
            content: "The tab can refresh from billing",
            trigger: ".o_telecom_billing_refresh button",
        },
        {
            content: "The widget brought the balance billing holds",
            trigger:
                ".o_field_widget[name=telecom_billing_snapshot_ids] .o_data_row:contains('250.50')",
        },
        {
            content: "It is fresh",
            trigger:
                ".o_field_widget[name=telecom_billing_snapshot_ids] .o_data_row:contains('As of just now')",
        },
        {
            content: "Open the account's billing data",
            trigger: ".o_field_widget[name=telecom_billing_snapshot_ids] .o_data_row .o_data_cell",
            run: "click",
        },
        {
            content: "Its charges are listed",
            trigger: ".modal .o_telecom_billing_charges td:contains('Tour monthly fee')",
        },
    ],
});
