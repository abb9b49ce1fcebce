from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "lapor.search"
    label = "search"
    verbose_name = "Search, duplicates and routing suggestions"

    def ready(self) -> None:
        from lapor.search import indexing  # noqa: PLC0415

        indexing.connect()
