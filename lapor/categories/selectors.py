from __future__ import annotations

from django.db.models import QuerySet

from lapor.categories.models import Category


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("code")


def category_get(code: str) -> Category | None:
    return Category.objects.filter(code=code, is_active=True).first()
