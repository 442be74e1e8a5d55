"""Invitation pages: invite a segment, the invitations, the check-in desk, feedback, the attendee export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from care_events.forms_invitations import FeedbackForm, SegmentForm
from care_events.models import CareActivity, Invitation
from care_events.selectors_invitations import (
    activity_invitations,
    check_in_search,
    invitation_counts,
    segment_preview,
)
from care_events.services import invitations as services
from customers.models import Customer
from dealership_cs.spreadsheets.writer import ExportWorkbook, Styled, xlsx_response


def _activity(request: HttpRequest, pk: int) -> CareActivity:
    return get_object_or_404(CareActivity.objects.visible_to(request.user).select_related("plan"), pk=pk)


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    queryset = Invitation.objects.visible_to(request.user).select_related("activity", "customer", "vehicle")
    return get_object_or_404(queryset, pk=pk)


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


class InviteView(PermissionRequiredMixin, View):
    """Choose a segment, see how many it selects and its first rows, then invite them."""

    permission_required = "care_events.add_invitation"
    raise_exception = True

    def _render(self, request, activity, form, preview=None, status=200):
        context = {"activity": activity, "form": form, "preview": preview, "query": request.GET.urlencode()}
        return render(request, "care_events/invitation_invite.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = _activity(request, pk)
        if "preview" not in request.GET:
            return self._render(request, activity, SegmentForm())
        form = SegmentForm(request.GET)
        if not form.is_valid():
            return self._render(request, activity, form, status=400)
        return self._render(request, activity, form, segment_preview(activity=activity, segment=form.segment()))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = _activity(request, pk)
        form = SegmentForm(request.POST)
        if not form.is_valid():
            return self._render(request, activity, form, status=400)
        try:
            result = services.activity_invite(activity=activity, segment=form.segment(), by=request.user)
        except ValidationError as error:
            form.add_error(None, _refusal(error))
            return self._render(request, activity, form, status=400)
        messages.success(
            request,
            _("%(invited)s customers invited (%(already)s were already invited, %(dnc)s do-not-call left out).")
            % {"invited": result.invited, "already": result.already_invited, "dnc": result.do_not_call},
        )
        return redirect("care_events:activity_invitations", pk=activity.pk)


class InvitationListView(PermissionRequiredMixin, View):
    """The activity's invitations: reply, attendance, satisfaction, with the counts."""

    permission_required = "care_events.view_invitation"
    raise_exception = True

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = _activity(request, pk)
        reply = request.GET.get("reply", "")
        reply = reply if reply in Invitation.Reply.values else ""
        attended = {"yes": True, "no": False}.get(request.GET.get("attended", ""))
        page = Paginator(activity_invitations(activity, reply=reply, attended=attended), 100).get_page(
            request.GET.get("page")
        )
        context = {
            "activity": activity,
            "counts": invitation_counts(activity),
            "page_obj": page,
            "invitations": page.object_list,
            "replies": Invitation.Reply.choices,
            "reply": reply,
            "attended": request.GET.get("attended", ""),
        }
        return render(request, "care_events/invitation_list.html", context)


class CheckInView(PermissionRequiredMixin, View):
    """The check-in desk on a tablet: search by name, phone or plate; one tap checks in, one tap undoes."""

    permission_required = "care_events.change_invitation"
    raise_exception = True

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = _activity(request, pk)
        query = request.GET.get("q", "")[:50]
        invited, walk_ins = check_in_search(activity, query)
        context = {
            "activity": activity,
            "query": query,
            "invited": invited,
            "walk_ins": walk_ins,
            "counts": invitation_counts(activity),
            "checked_in": list(activity_invitations(activity, attended=True).order_by("-checked_in_at")[:20]),
        }
        return render(request, "care_events/invitation_checkin.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = _activity(request, pk)
        action = request.POST.get("action", "")
        target = request.POST.get("id", "")
        try:
            if not target.isdigit():
                raise ValidationError(_("Choose a customer to check in."))
            if action == "walk_in":
                if not request.user.has_perm("care_events.add_invitation"):
                    return HttpResponse(status=403)
                customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=int(target))
                invitation = services.invitation_walk_in(activity=activity, customer=customer, by=request.user)
                messages.success(request, _("%(name)s checked in (walk-in).") % {"name": invitation.customer.name})
            elif action in ("check_in", "undo"):
                invitation = get_object_or_404(activity.invitations.select_related("customer"), pk=int(target))
                if action == "check_in":
                    services.invitation_check_in(invitation=invitation, by=request.user)
                    messages.success(request, _("%(name)s checked in.") % {"name": invitation.customer.name})
                else:
                    services.invitation_check_in_undo(invitation=invitation, by=request.user)
                    messages.success(request, _("Check-in of %(name)s undone.") % {"name": invitation.customer.name})
            else:
                raise ValidationError(_("Unknown action: check in, undo or walk-in."))
        except ValidationError as error:
            messages.error(request, _refusal(error))
        url = reverse("care_events:invitation_checkin", args=[activity.pk])
        query = request.POST.get("q", "")
        return redirect(f"{url}?q={query}" if query else url)


class FeedbackView(PermissionRequiredMixin, View):
    """An attendee's satisfaction (1–5) and note."""

    permission_required = "care_events.change_invitation"
    raise_exception = True

    def _render(self, request, invitation, form, status=200):
        context = {"invitation": invitation, "activity": invitation.activity, "form": form}
        return render(request, "care_events/invitation_feedback.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitation = _invitation(request, pk)
        initial = {"satisfaction": invitation.satisfaction, "feedback": invitation.feedback}
        return self._render(request, invitation, FeedbackForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitation = _invitation(request, pk)
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            return self._render(request, invitation, form, status=400)
        try:
            services.invitation_feedback(
                invitation=invitation,
                satisfaction=form.cleaned_data["satisfaction"],
                feedback=form.cleaned_data["feedback"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, _refusal(error))
            return self._render(request, invitation, form, status=400)
        messages.success(request, _("Feedback of %(name)s saved.") % {"name": invitation.customer.name})
        return redirect("care_events:invitation_checkin", pk=invitation.activity_id)


ATTENDEE_HEADERS = ("姓名", "手机", "车型", "车牌", "回复", "签到时间", "满意度", "意见", "邀约方式")
# The list is printed for the day's desk in the plan's language, whatever the user's.
REPLY_WORDS = {"pending": "未联系", "coming": "参加", "not_coming": "不参加", "no_answer": "未接通"}


class AttendeeExportView(PermissionRequiredMixin, View):
    """The activity's invitation list with attendance as .xlsx (活动签到名单-<activity>.xlsx)."""

    permission_required = "care_events.view_invitation"
    raise_exception = True

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = _activity(request, pk)
        book = ExportWorkbook()
        sheet = book.sheet("活动签到名单", widths=(12, 14, 16, 10, 10, 18, 8, 30, 10), freeze="A2")
        sheet.append([Styled(header, bold=True) for header in ATTENDEE_HEADERS])
        for invitation in activity_invitations(activity).iterator(chunk_size=2000):
            vehicle = invitation.vehicle
            sheet.append(
                [
                    invitation.customer.name,
                    invitation.customer.mobile,
                    vehicle.model_name if vehicle else "",
                    vehicle.plate if vehicle else "",
                    REPLY_WORDS[invitation.reply],
                    invitation.checked_in_at,
                    invitation.satisfaction,
                    invitation.feedback,
                    "电话邀约" if invitation.task_id else "现场登记",
                ]
            )
        return xlsx_response(book.to_bytes(), f"活动签到名单-{activity.name}")
