/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Subscriber portal: withdraw the SMS offers consent, agree to e-mail offers.
 */
registry.category("web_tour.tours").add("telecom_portal_consent", {
    url: "/my",
    steps: () => [
        {
            content: "Open privacy and consents",
            trigger: "a[href='/my/consents']",
            run: "click",
        },
        {
            content: "SMS offers are agreed",
            trigger: ".o_telecom_consent_marketing_sms .o_telecom_consent_given",
        },
        {
            content: "Withdraw the SMS offers consent",
            trigger: ".o_telecom_consent_marketing_sms button.o_telecom_consent_withdraw",
            run: "click",
        },
        {
            content: "The choice is recorded",
            trigger: ".o_telecom_consent_saved",
        },
        {
            content: "SMS offers are no longer agreed",
            trigger: ".o_telecom_consent_marketing_sms .o_telecom_consent_not_given",
        },
        {
            content: "Agree to e-mail offers",
            trigger: ".o_telecom_consent_marketing_email button.o_telecom_consent_give",
            run: "click",
        },
        {
            content: "E-mail offers are agreed",
            trigger: ".o_telecom_consent_marketing_email .o_telecom_consent_given",
        },
        {
            content: "The history shows the withdrawal",
            trigger: ".o_telecom_consent_history_row:contains('Withdrawn')",
        },
    ],
});
