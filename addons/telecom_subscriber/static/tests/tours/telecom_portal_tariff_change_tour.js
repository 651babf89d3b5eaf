/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Subscriber portal, at phone width: open a line, change its tariff and find the
 * request in "My Requests".
 */
registry.category("web_tour.tours").add("telecom_portal_tariff_change", {
    url: "/my",
    steps: () => [
        {
            content: "Open my services",
            trigger: "a[href='/my/services']",
            run: "click",
        },
        {
            content: "Open the line",
            trigger: "a:contains('+79167770011')",
            run: "click",
        },
        {
            content: "Change the tariff",
            trigger: "#telecom_self_service a.o_telecom_action_tariff_change",
            run: "click",
        },
        {
            content: "The price difference is shown",
            trigger: ".o_telecom_tariff_offer:contains('P Unlimited') .o_telecom_price_difference:contains('600')",
        },
        {
            content: "Choose the new tariff",
            trigger: ".o_telecom_tariff_offer:contains('P Unlimited') input[name=tariff_id]",
            run: "click",
        },
        {
            content: "Send the request",
            trigger: "button.o_telecom_request_submit",
            run: "click",
        },
        {
            content: "The request is confirmed",
            trigger: ".o_telecom_request_created",
        },
        {
            content: "Go to my requests",
            trigger: ".o_portal_submenu a[href='/my/requests']",
            run: "click",
        },
        {
            content: "The tariff change is in the list",
            trigger: ".o_portal_my_doc_table tr:contains('Tariff Change'):contains('Done')",
        },
    ],
});
