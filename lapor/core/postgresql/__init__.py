"""Django's PostgreSQL backend with a health check that costs no round trip (issue #21).

``DATABASES[...]["ENGINE"] = "lapor.core.postgresql"`` (settings do it for every PostgreSQL
database): see :mod:`lapor.core.postgresql.base`.
"""
