"""The API's settings: Django REST framework and the OpenAPI schema (drf-spectacular), imported by settings.py.

A new app's enum that shares a field name with another app's («status», «kind») gets its name in
``ENUM_NAME_OVERRIDES``; tests/sferum_admin/test_api_docs.py fails on a schema warning.
"""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call is answered 401, not 403.
        # Named keys stored hashed (accounts.ApiToken), not DRF's authtoken.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Сферум Админ API",
    "DESCRIPTION": "API платформы коммуникаций колледжа",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/v1/docs/ works without internet: Swagger UI from drf-spectacular-sidecar's static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids from the part after the college: «study-groups», «study_groups_list».
    "SCHEMA_PATH_PREFIX": r"/api/v1(/colleges/\{college_id\})?",
    "ENUM_NAME_OVERRIDES": {
        "StudyGroupStatusEnum": "groups.models.StudyGroup.Status",
        "RoleEnum": "colleges.models.Role",
        "InvitableRoleEnum": "invitations.permissions.INVITABLE_ROLE_CHOICES",
        "InvitationKindEnum": "invitations.models.Invitation.Kind",
        "MaterialKindEnum": "materials.models.Kind",
        "MaterialAudienceEnum": "materials.models.Audience",
        "MovementKindEnum": "movement.models.MovementKind",
        "MovementStatusEnum": "movement.models.Movement.Status",
        "RosterRowActionEnum": "movement.models.RosterRow.Action",
        "ChatKindEnum": "chats.models.ChatKind",
        "ChatCreatableKindEnum": "chats.api.serializers.CREATABLE_KINDS",
        "ChatStatusEnum": "chats.models.Chat.Status",
        "ChatRoleEnum": "chats.models.ChatMember.Role",
        "ChatMessageKindEnum": "chats.models.Message.Kind",
        "ChatReportStatusEnum": "chats.models.MessageReport.Status",
        "SupportTicketStatusEnum": "support.models.Ticket.Status",
        "BroadcastKindEnum": "broadcasts.models.Kind",
        "BroadcastAudienceEnum": "broadcasts.models.Audience",
        "AnnouncementAudienceEnum": "announcements.models.Audience",
    },
}
