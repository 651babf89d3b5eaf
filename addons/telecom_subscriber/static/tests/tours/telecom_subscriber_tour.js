/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Front office: find a subscriber by phone number, open the 360° card and
 * change the tariff of a line through the tariff change request.
 */
registry.category("web_tour.tours").add("telecom_subscriber_tariff_change", {
    steps: () => [
        {
            content: "Search the subscriber by MSISDN",
            trigger: ".o_searchview_input",
            run: "edit 8 916 777-00-01",
        },
        {
            content: "Search in 'MSISDN / ICCID / Account'",
            trigger: ".o_searchview_autocomplete li:contains('MSISDN / ICCID / Account')",
            run: "click",
        },
        {
            content: "Open the subscriber card",
            trigger: ".o_data_row .o_data_cell:contains('Tour Subscriber')",
            run: "click",
        },
        {
            content: "The card shows the line and its tariff",
            trigger: ".o_field_widget[name=telecom_card_service_ids] .o_data_row:contains('T Basic')",
        },
        {
            content: "Start a tariff change on the line",
            trigger:
                ".o_field_widget[name=telecom_card_service_ids] .o_data_row button[name=action_new_request][data-tooltip='Change Tariff']",
            run: "click",
        },
        {
            content: "Choose the new tariff",
            trigger: ".modal .o_field_widget[name=tariff_id] input",
            run: "edit T Unlimited",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains('T Unlimited')",
            run: "click",
        },
        {
            content: "Submit the request",
            trigger: ".modal-footer button[name=action_submit]",
            run: "click",
        },
        {
            content: "The card shows the new tariff",
            trigger:
                "body:not(:has(.modal)) .o_field_widget[name=telecom_card_service_ids] .o_data_row:contains('T Unlimited')",
        },
        {
            content: "The change is on the timeline",
            trigger: ".o_notebook .nav-link:contains('Timeline')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=telecom_timeline_ids] .o_data_row:contains('Tariff Change')",
        },
    ],
});
