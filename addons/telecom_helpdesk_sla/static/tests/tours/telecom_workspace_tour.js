import { registry } from "@web/core/registry";

/**
 * A supervisor lands on their workspace and drills from the widget of tickets
 * at risk (the group of their team) to the tickets behind it: the ticket at
 * risk, not the one on track.
 */
registry.category("web_tour.tours").add("telecom_workspace_supervisor_drill", {
    steps: () => [
        {
            content: "The supervisor's workspace opens as home",
            trigger: ".o_telecom_workspace .o_telecom_workspace_title:contains('Supervisor')",
        },
        {
            content: "Open the tickets at risk of the team",
            trigger:
                ".o_telecom_widget:has(.o_telecom_widget_name:contains('Tickets at Risk')) .o_telecom_widget_group a:contains('Tour Team')",
            run: "click",
        },
        {
            content: "The ticket at risk is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour ticket At Risk')",
        },
        {
            content: "Only that one",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour ticket Calm')))",
            run: () => {
                if (document.querySelectorAll(".o_list_view .o_data_row").length !== 1) {
                    throw new Error("the drill opened other tickets than the widget counted");
                }
            },
        },
    ],
});
