/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Front office: from the holder's 360° card, start the change of owner of a
 * line, identify both parties, record the holder's consent and submit it.
 */
registry.category("web_tour.tours").add("telecom_subscriber_owner_change", {
    steps: () => [
        {
            content: "The card shows the line",
            trigger: ".o_field_widget[name=telecom_card_service_ids] .o_data_row:contains('OC Basic')",
        },
        {
            content: "Start a change of owner on the line",
            trigger:
                ".o_field_widget[name=telecom_card_service_ids] .o_data_row button[name=action_new_request][data-tooltip='Change Owner']",
            run: "click",
        },
        {
            content: "Choose the new owner",
            trigger: ".modal .o_field_widget[name=new_partner_id] input",
            run: "edit Tour New Owner",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains('Tour New Owner')",
            run: "click",
        },
        {
            content: "The holder's identity document was checked",
            trigger: ".modal .o_field_widget[name=identity_verified] input",
            run: "click",
        },
        {
            content: "The new owner's identity document was checked",
            trigger: ".modal .o_field_widget[name=new_owner_identity_verified] input",
            run: "click",
        },
        {
            content: "The holder signed the transfer",
            trigger: ".modal .o_field_widget[name=owner_consent] input",
            run: "click",
        },
        {
            content: "Submit the request",
            trigger: ".modal-footer button[name=action_submit]",
            run: "click",
        },
        {
            content: "The request waits for a supervisor among the open requests",
            trigger: "body:not(:has(.modal)) .o_notebook .nav-link:contains('Open Requests')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=telecom_card_request_ids] .o_data_row:contains('Change of Owner')",
        },
    ],
});
