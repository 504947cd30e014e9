from django.urls import path

from . import governance_views, views

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
    path("profile/notifications/", views.notifications, name="notifications"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/export/", views.privacy_export, name="privacy-export"),
    path("invitations/<str:token>/", views.invitation, name="invitation-accept"),
    path("account/2fa/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("account/2fa/verify/", views.two_factor_verify, name="two-factor-verify"),
]
