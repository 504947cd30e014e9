from django.urls import path

from .views import cooperatives, governance, home, privacy, profile, security

app_name = "members"

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/register/", home.register, name="register"),
    path("c/<slug:slug>/", cooperatives.cooperative_detail, name="cooperative"),
    path("c/<slug:slug>/apply/", cooperatives.cooperative_apply, name="cooperative-apply"),
    path("c/<slug:slug>/settings/", cooperatives.cooperative_settings, name="cooperative-settings"),
    path(
        "c/<slug:slug>/board/members/", cooperatives.board_applications, name="board-applications"
    ),
    path(
        "c/<slug:slug>/board/members/<int:membership_id>/<str:action>/",
        cooperatives.board_membership_action,
        name="board-membership-action",
    ),
    path("c/<slug:slug>/proposals/", governance.proposal_list, name="proposals"),
    path("proposals/<int:proposal_id>/", governance.proposal_detail, name="proposal"),
    path("profile/", profile.profile, name="profile"),
    path("profile/skills/", profile.profile_skill_add, name="profile-skill-add"),
    path(
        "profile/skills/<int:member_skill_id>/remove/",
        profile.profile_skill_remove,
        name="profile-skill-remove",
    ),
    path("profile/availability/", profile.profile_slot_add, name="profile-slot-add"),
    path(
        "profile/availability/<int:index>/remove/",
        profile.profile_slot_remove,
        name="profile-slot-remove",
    ),
    path("profile/exceptions/", profile.profile_exception_add, name="profile-exception-add"),
    path(
        "profile/exceptions/<int:exception_id>/remove/",
        profile.profile_exception_remove,
        name="profile-exception-remove",
    ),
    path("profile/benefit/", profile.profile_benefit_save, name="profile-benefit-save"),
    path("profile/benefit/remove/", profile.profile_benefit_remove, name="profile-benefit-remove"),
    path("profile/notifications/", profile.notifications, name="notifications"),
    path("privacy/", privacy.privacy, name="privacy"),
    path("privacy-statement/", home.privacy_statement, name="privacy-statement"),
    path("privacy/export/", privacy.privacy_export, name="privacy-export"),
    path("invitations/<str:token>/", home.invitation, name="invitation-accept"),
    path("account/2fa/verify/", security.two_factor_verify, name="two-factor-verify"),
    path("account/2fa/link/", security.two_factor_link, name="two-factor-link"),
    path("account/2fa/enrol/<str:token>/", security.two_factor_enrol, name="two-factor-enrol"),
    path("account/security/", security.account_security, name="account-security"),
    path(
        "account/security/add-device/",
        security.two_factor_add_device,
        name="two-factor-add-device",
    ),
    path(
        "account/security/recovery-codes/",
        security.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path(
        "account/security/<str:action>/",
        security.account_security_action,
        name="account-security-action",
    ),
    path(
        "account/security/<str:action>/<str:key>/",
        security.account_security_action,
        name="account-security-action",
    ),
    path("c/<slug:slug>/board/approvals/", security.board_approvals, name="board-approvals"),
    path(
        "c/<slug:slug>/board/approvals/<int:approval_id>/<str:decision>/",
        security.board_approval_decide,
        name="board-approval-decide",
    ),
]
