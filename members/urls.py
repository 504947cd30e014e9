from django.urls import path

from . import governance_views, security_views, views

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/register/", views.register, name="register"),
    path("c/<slug:slug>/", views.cooperative_detail, name="cooperative"),
    path("c/<slug:slug>/apply/", views.cooperative_apply, name="cooperative-apply"),
    path("c/<slug:slug>/settings/", views.cooperative_settings, name="cooperative-settings"),
    path("c/<slug:slug>/board/members/", views.board_applications, name="board-applications"),
    path(
        "c/<slug:slug>/board/members/<int:membership_id>/<str:action>/",
        views.board_membership_action,
        name="board-membership-action",
    ),
    path("c/<slug:slug>/proposals/", governance_views.proposal_list, name="proposals"),
    path("proposals/<int:proposal_id>/", governance_views.proposal_detail, name="proposal"),
    path("profile/", views.profile, name="profile"),
    path("profile/skills/", views.profile_skill_add, name="profile-skill-add"),
    path(
        "profile/skills/<int:member_skill_id>/remove/",
        views.profile_skill_remove,
        name="profile-skill-remove",
    ),
    path("profile/availability/", views.profile_slot_add, name="profile-slot-add"),
    path(
        "profile/availability/<int:index>/remove/",
        views.profile_slot_remove,
        name="profile-slot-remove",
    ),
    path("profile/exceptions/", views.profile_exception_add, name="profile-exception-add"),
    path(
        "profile/exceptions/<int:exception_id>/remove/",
        views.profile_exception_remove,
        name="profile-exception-remove",
    ),
    path("profile/benefit/", views.profile_benefit_save, name="profile-benefit-save"),
    path("profile/benefit/remove/", views.profile_benefit_remove, name="profile-benefit-remove"),
    path("profile/notifications/", views.notifications, name="notifications"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy-statement/", views.privacy_statement, name="privacy-statement"),
    path("privacy/export/", views.privacy_export, name="privacy-export"),
    path("invitations/<str:token>/", views.invitation, name="invitation-accept"),
    path("account/2fa/verify/", security_views.two_factor_verify, name="two-factor-verify"),
    path("account/2fa/link/", security_views.two_factor_link, name="two-factor-link"),
    path(
        "account/2fa/enrol/<str:token>/", security_views.two_factor_enrol, name="two-factor-enrol"
    ),
    path("account/security/", security_views.account_security, name="account-security"),
    path(
        "account/security/add-device/",
        security_views.two_factor_add_device,
        name="two-factor-add-device",
    ),
    path(
        "account/security/recovery-codes/",
        security_views.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path(
        "account/security/<str:action>/",
        security_views.account_security_action,
        name="account-security-action",
    ),
    path(
        "account/security/<str:action>/<str:key>/",
        security_views.account_security_action,
        name="account-security-action",
    ),
    path("c/<slug:slug>/board/approvals/", security_views.board_approvals, name="board-approvals"),
    path(
        "c/<slug:slug>/board/approvals/<int:approval_id>/<str:decision>/",
        security_views.board_approval_decide,
        name="board-approval-decide",
    ),
]
