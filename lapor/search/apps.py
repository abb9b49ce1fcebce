from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "lapor.search"
    label = "search"
    verbose_name = "Search, duplicates and routing suggestions"

    def ready(self) -> None:
        # Imported here: indexing imports models, which Django allows only once the app
        # registry is loaded (this module is imported while it loads).
        from lapor.search import checks, indexing  # noqa: F401, PLC0415  (checks registers)

        indexing.connect()
