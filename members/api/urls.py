from django.urls import path

from . import accounts, approvals, cooperatives, me

app_name = "members_api"

urlpatterns = [
    path("auth/register/", accounts.RegisterApi.as_view(), name="register"),
    path("auth/token/", accounts.TokenObtainApi.as_view(), name="token"),
    path("auth/tokens/", accounts.ApiTokenListApi.as_view(), name="tokens"),
    path("auth/tokens/<str:token_key>/", accounts.ApiTokenDetailApi.as_view(), name="token-detail"),
    path(
        "cooperatives/<slug:slug>/approvals/", approvals.ApprovalListApi.as_view(), name="approvals"
    ),
    path(
        "approvals/<int:approval_id>/approve/",
        approvals.ApprovalApproveApi.as_view(),
        name="approval-approve",
    ),
    path(
        "approvals/<int:approval_id>/reject/",
        approvals.ApprovalRejectApi.as_view(),
        name="approval-reject",
    ),
    path("cooperatives/", cooperatives.CooperativeListApi.as_view(), name="cooperatives"),
    path(
        "cooperatives/<slug:slug>/", cooperatives.CooperativeDetailApi.as_view(), name="cooperative"
    ),
    path(
        "cooperatives/<slug:slug>/members/",
        cooperatives.CooperativeMembersApi.as_view(),
        name="cooperative-members",
    ),
    path(
        "cooperatives/<slug:slug>/applications/",
        cooperatives.ApplicationsApi.as_view(),
        name="applications",
    ),
    path(
        "cooperatives/<slug:slug>/skills/",
        cooperatives.CooperativeSkillsApi.as_view(),
        name="cooperative-skills",
    ),
    path(
        "memberships/<int:membership_id>/admit/",
        cooperatives.MembershipAdmitApi.as_view(),
        name="membership-admit",
    ),
    path(
        "memberships/<int:membership_id>/reject/",
        cooperatives.MembershipRejectApi.as_view(),
        name="membership-reject",
    ),
    path(
        "memberships/<int:membership_id>/suspend/",
        cooperatives.MembershipSuspendApi.as_view(),
        name="membership-suspend",
    ),
    path(
        "memberships/<int:membership_id>/reinstate/",
        cooperatives.MembershipReinstateApi.as_view(),
        name="membership-reinstate",
    ),
    path(
        "memberships/<int:membership_id>/leave/",
        cooperatives.MembershipLeaveApi.as_view(),
        name="membership-leave",
    ),
    path(
        "memberships/<int:membership_id>/roles/",
        cooperatives.MembershipRolesApi.as_view(),
        name="membership-roles",
    ),
    path(
        "memberships/<int:membership_id>/sensitive/",
        cooperatives.MembershipSensitiveApi.as_view(),
        name="membership-sensitive",
    ),
    path("me/", me.MeApi.as_view(), name="me"),
    path("me/profile/", me.MyProfileApi.as_view(), name="my-profile"),
    path("me/skills/", me.MySkillsApi.as_view(), name="my-skills"),
    path("me/skills/<int:member_skill_id>/", me.MySkillDetailApi.as_view(), name="my-skill"),
    path("me/availability/", me.MyAvailabilityApi.as_view(), name="my-availability"),
    path(
        "me/availability/exceptions/",
        me.MyAvailabilityExceptionsApi.as_view(),
        name="my-availability-exceptions",
    ),
    path(
        "me/availability/exceptions/<int:exception_id>/",
        me.MyAvailabilityExceptionDetailApi.as_view(),
        name="my-availability-exception",
    ),
    path("me/notifications/", me.MyNotificationsApi.as_view(), name="my-notifications"),
    path(
        "me/benefit-arrangement/",
        me.MyBenefitArrangementApi.as_view(),
        name="my-benefit-arrangement",
    ),
    path("me/export/", me.MyDataExportApi.as_view(), name="my-export"),
    path("me/erase/", me.MyErasureApi.as_view(), name="my-erase"),
    path("invitations/<str:token>/", accounts.InvitationApi.as_view(), name="invitation"),
    path(
        "invitations/<str:token>/accept/",
        accounts.InvitationAcceptApi.as_view(),
        name="invitation-accept",
    ),
]

from . import governance as gv  # noqa: E402

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
