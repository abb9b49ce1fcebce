from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lapor.intake"
    label = "intake"
    verbose_name = "Intake: integrated applications, email, walk-in and phone"

    def ready(self) -> None:
        # Imported here: callbacks imports models, which Django allows only once the app
        # registry is loaded (this module is imported while it loads).
        from lapor.intake.callbacks import register  # noqa: PLC0415

        # Callbacks for reports an application submitted, wherever the report goes afterwards.

        register()
