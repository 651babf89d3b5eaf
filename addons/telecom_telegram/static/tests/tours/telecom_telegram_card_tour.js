/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Front office, on the subscriber card: issue a one-time Telegram linking code.
 */
registry.category("web_tour.tours").add("telecom_telegram_card_code", {
    steps: () => [
        {
            content: "Issue a Telegram code on the card",
            trigger: ".o_form_view button[name=action_telegram_issue_code]",
            run: "click",
        },
        {
            content: "The code is shown with how to use it",
            trigger: ".o_notification:contains('/link')",
        },
    ],
});
