/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Subscriber portal: from the home page to a one-time Telegram linking code.
 */
registry.category("web_tour.tours").add("telecom_telegram_portal_code", {
    url: "/my",
    steps: () => [
        {
            content: "Open the Telegram page",
            trigger: "a[href='/my/telegram']",
            run: "click",
        },
        {
            content: "Ask for a linking code",
            trigger: "form[action='/my/telegram/code'] button[type=submit]",
            run: "click",
        },
        {
            content: "The code is shown once",
            trigger: "#telecom_telegram_code:contains('-')",
        },
    ],
});
