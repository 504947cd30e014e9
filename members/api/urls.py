from django.urls import path

from . import views as v

app_name = "members_api"

urlpatterns = [
    path("auth/register/", v.RegisterApi.as_view(), name="register"),
    path("auth/token/", v.TokenObtainApi.as_view(), name="token"),
    path("auth/tokens/", v.ApiTokenListApi.as_view(), name="tokens"),
    path("auth/tokens/<str:token_key>/", v.ApiTokenDetailApi.as_view(), name="token-detail"),
    path("cooperatives/<slug:slug>/approvals/", v.ApprovalListApi.as_view(), name="approvals"),
    path(
        "approvals/<int:approval_id>/approve/",
        v.ApprovalApproveApi.as_view(),
        name="approval-approve",
    ),
    path(
        "approvals/<int:approval_id>/reject/",
        v.ApprovalRejectApi.as_view(),
        name="approval-reject",
    ),
    path("cooperatives/", v.CooperativeListApi.as_view(), name="cooperatives"),
    path("cooperatives/<slug:slug>/", v.CooperativeDetailApi.as_view(), name="cooperative"),
    path(
        "cooperatives/<slug:slug>/members/",
        v.CooperativeMembersApi.as_view(),
        name="cooperative-members",
    ),
    path(
        "cooperatives/<slug:slug>/applications/",
        v.ApplicationsApi.as_view(),
        name="applications",
    ),
    path(
        "cooperatives/<slug:slug>/skills/",
        v.CooperativeSkillsApi.as_view(),
        name="cooperative-skills",
    ),
    path(
        "memberships/<int:membership_id>/admit/",
        v.MembershipAdmitApi.as_view(),
        name="membership-admit",
    ),
    path(
        "memberships/<int:membership_id>/reject/",
        v.MembershipRejectApi.as_view(),
        name="membership-reject",
    ),
    path(
        "memberships/<int:membership_id>/suspend/",
        v.MembershipSuspendApi.as_view(),
        name="membership-suspend",
    ),
    path(
        "memberships/<int:membership_id>/reinstate/",
        v.MembershipReinstateApi.as_view(),
        name="membership-reinstate",
    ),
    path(
        "memberships/<int:membership_id>/leave/",
        v.MembershipLeaveApi.as_view(),
        name="membership-leave",
    ),
    path(
        "memberships/<int:membership_id>/roles/",
        v.MembershipRolesApi.as_view(),
        name="membership-roles",
    ),
    path(
        "memberships/<int:membership_id>/sensitive/",
        v.MembershipSensitiveApi.as_view(),
        name="membership-sensitive",
    ),
    path("me/", v.MeApi.as_view(), name="me"),
    path("me/profile/", v.MyProfileApi.as_view(), name="my-profile"),
    path("me/skills/", v.MySkillsApi.as_view(), name="my-skills"),
    path("me/skills/<int:member_skill_id>/", v.MySkillDetailApi.as_view(), name="my-skill"),
    path("me/availability/", v.MyAvailabilityApi.as_view(), name="my-availability"),
    path(
        "me/availability/exceptions/",
        v.MyAvailabilityExceptionsApi.as_view(),
        name="my-availability-exceptions",
    ),
    path(
        "me/availability/exceptions/<int:exception_id>/",
        v.MyAvailabilityExceptionDetailApi.as_view(),
        name="my-availability-exception",
    ),
    path("me/notifications/", v.MyNotificationsApi.as_view(), name="my-notifications"),
    path(
        "me/benefit-arrangement/",
        v.MyBenefitArrangementApi.as_view(),
        name="my-benefit-arrangement",
    ),
    path("me/export/", v.MyDataExportApi.as_view(), name="my-export"),
    path("me/erase/", v.MyErasureApi.as_view(), name="my-erase"),
    path("invitations/<str:token>/", v.InvitationApi.as_view(), name="invitation"),
    path(
        "invitations/<str:token>/accept/",
        v.InvitationAcceptApi.as_view(),
        name="invitation-accept",
    ),
]

from . import governance_views as gv  # noqa: E402

urlpatterns += [
    path("cooperatives/<slug:slug>/proposals/", gv.ProposalListApi.as_view(), name="proposals"),
    path("cooperatives/<slug:slug>/proxies/", gv.ProxyApi.as_view(), name="proxies"),
    path("proxies/<int:proxy_id>/", gv.ProxyRevokeApi.as_view(), name="proxy"),
    path("proposals/<int:proposal_id>/", gv.ProposalDetailApi.as_view(), name="proposal"),
    path(
        "proposals/<int:proposal_id>/open/",
        gv.ProposalActionApi.as_view(action="open"),
        name="proposal-open",
    ),
    path(
        "proposals/<int:proposal_id>/cosign/",
        gv.ProposalActionApi.as_view(action="cosign"),
        name="proposal-cosign",
    ),
    path(
        "proposals/<int:proposal_id>/withdraw/",
        gv.ProposalActionApi.as_view(action="withdraw"),
        name="proposal-withdraw",
    ),
    path("proposals/<int:proposal_id>/vote/", gv.VoteApi.as_view(), name="proposal-vote"),
    path(
        "proposals/<int:proposal_id>/simulation/",
        gv.SimulationApi.as_view(),
        name="proposal-simulation",
    ),
    path("proposals/<int:proposal_id>/tally/", gv.TallyApi.as_view(), name="proposal-tally"),
]
