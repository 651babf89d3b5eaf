/** @odoo-module **/

import {registry} from "@web/core/registry";

/**
 * Agent portal: the agent logs in, submits a lead (a wrong INN first, which
 * the form explains, keeping what was typed) and finds it in their leads.
 */
registry.category("web_tour.tours").add("telecom_b2b_agent_portal_submit_lead", {
    url: "/web/login",
    steps: () => [
        {
            content: "Type the agent's login",
            trigger: "input[name=login]",
            run: "edit t_tour_agent",
        },
        {
            content: "Type the password",
            trigger: "input[name=password]",
            run: "edit t_tour_agent",
        },
        {
            content: "Log in",
            trigger: "button[type=submit]",
            run: "click",
        },
        {
            content: "Open the lead form from the portal home",
            trigger: ".o_portal_index_card a[href='/my/agent/leads/new']",
            run: "click",
        },
        {
            content: "Company name",
            trigger: "form.o_telecom_agent_lead_form input[name=company_name]",
            run: "edit Tour Prospect LLC",
        },
        {
            content: "An INN with a typo",
            trigger: "input[name=inn]",
            run: "edit 7708123451",
        },
        {
            content: "Contact person",
            trigger: "input[name=contact_name]",
            run: "edit Tour Contact",
        },
        {
            content: "Phone",
            trigger: "input[name=phone]",
            run: "edit +7 495 111-22-33",
        },
        {
            content: "The company needs broadband",
            trigger: "input[name=service_types][value=broadband]",
            run: "check",
        },
        {
            content: "Two sites",
            trigger: "input[name=site_count]",
            run: "edit 2",
        },
        {
            content: "Submit",
            trigger: "button.o_telecom_agent_submit",
            run: "click",
        },
        {
            content: "The form explains the INN and keeps what was typed",
            trigger: ".invalid-feedback:contains('check digits do not match')",
        },
        {
            trigger: "input[name=company_name][value='Tour Prospect LLC']",
        },
        {
            content: "Correct the INN",
            trigger: "input[name=inn]",
            run: "edit 7708123450",
        },
        {
            content: "Submit again",
            trigger: "button.o_telecom_agent_submit",
            run: "click",
        },
        {
            content: "The lead is registered",
            trigger: ".o_telecom_agent_submitted",
        },
        {
            content: "Go to my leads",
            trigger: ".o_portal_submenu a[href='/my/agent/leads']",
            run: "click",
        },
        {
            content: "The lead is in the list, in progress",
            trigger:
                "tr.o_telecom_agent_lead_row:contains('Tour Prospect LLC') .badge:contains('New')",
        },
    ],
});
