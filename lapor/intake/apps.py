from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lapor.intake"
    label = "intake"
    verbose_name = "Intake: integrated applications, email, walk-in and phone"

    def ready(self) -> None:
        # Callbacks for reports an application submitted, wherever the report goes afterwards.
        from lapor.intake.callbacks import register  # noqa: PLC0415  (apps must be loaded)

        register()
