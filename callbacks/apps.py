from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Callbacks")

    def ready(self) -> None:
        from callbacks.selectors import customer_callback_events
        from customers.selectors import register_timeline_source
        from dealership_cs.navigation import NavItem, register, register_landing

        register_timeline_source(customer_callback_events)
        from dealership_cs.permissions import Role

        staff, agent, manager, admin = (r.value for r in (Role.CS_STAFF, Role.CALLBACK_AGENT, Role.MANAGER, Role.ADMIN))
        section = _("Callbacks")
        # The agent's working day is the desk: they land there after logging in.
        register_landing(agent, "callbacks:desk")
        register(
            NavItem(
                key="callback_desk",
                label=_("Callback desk"),
                url_name="callbacks:desk",
                section=section,
                description=_("Today's calls: mine first, then the pool. Log each call and its answers."),
                perms=("callbacks.view_callbacktask",),
                home_roles=(agent,),
                order=200,
            ),
            NavItem(
                key="callback_tasks",
                label=_("Callback tasks"),
                url_name="callbacks:task_list",
                section=section,
                description=_("Every callback by status, agent and due date."),
                perms=("callbacks.view_callbacktask",),
                home_roles=(staff, manager),
                order=210,
            ),
            NavItem(
                key="callback_supervision",
                label=_("Callback supervision"),
                url_name="callbacks:supervision",
                section=section,
                description=_("Workload by agent, reach rate, answers by question, complaints, the shadow score."),
                perms=("callbacks.supervise_callbacktask",),
                home_roles=(manager,),
                order=215,
            ),
            NavItem(
                key="callback_rules",
                label=_("Callback rules"),
                url_name="callbacks:rules",
                section=section,
                description=_("When callbacks are due and expire, retries, and the answers that open a complaint."),
                perms=("callbacks.view_callbackrule",),
                home_roles=(manager, admin),
                order=230,
            ),
            NavItem(
                key="complaints",
                label=_("Complaints"),
                url_name="callbacks:complaint_list",
                section=section,
                description=_("Complaints by status, the overdue ones first."),
                perms=("callbacks.view_complaint",),
                home_roles=(staff, agent, manager, admin),
                order=220,
            ),
        )
