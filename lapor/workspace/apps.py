from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """Staff pages: two-factor sign-in, inbox per node, report page with actions, agency admin."""

    name = "lapor.workspace"
    label = "workspace"
