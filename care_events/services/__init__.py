"""Every way the care plan's records change.

``plans``: ``plan_create``, ``plan_update``, ``plan_submit``, ``plan_return``, ``plan_approve``,
``plan_close``, ``plan_budget_revise``; ``activities``: ``activity_*``, ``node_*``, ``staff_*``,
``cost_*``, ``kpi_*`` (``kpi_refresh`` fills the automatic KPIs); ``invitations``: inviting a
segment, replies, check-ins and feedback.
"""
