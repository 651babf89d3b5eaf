/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Subscriber portal: ask for a copy of my personal data (152-FZ) and see the
 * date the answer is due.
 */
registry.category("web_tour.tours").add("telecom_portal_subject_request", {
    url: "/my",
    steps: () => [
        {
            content: "Open my personal data requests",
            trigger: "a[href='/my/pd-requests']",
            run: "click",
        },
        {
            content: "Start a new request",
            trigger: "a.o_telecom_subject_request_new",
            run: "click",
        },
        {
            content: "Ask for a copy of my data",
            trigger: "select[name=request_type]",
            run: "select access",
        },
        {
            content: "Say why",
            trigger: "textarea[name=description]",
            run: "edit I want to know what you keep about me",
        },
        {
            content: "Send the request",
            trigger: "button.o_telecom_subject_request_submit",
            run: "click",
        },
        {
            content: "The request is registered with its deadline",
            trigger: ".o_telecom_subject_request_created",
        },
        {
            content: "The deadline is shown",
            trigger: ".o_telecom_subject_request_deadline",
        },
    ],
});
