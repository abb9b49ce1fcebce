"""The JSON API (Django Ninja), one entry surface: a package per app (``routes`` and
``schemas``) and :mod:`lapor.api.auth` (who is asking: bearer tokens, the request's actor, the
reporter's access code). ``lapor.config.api`` mounts the routers under ``/api/v1/``.

Routes are thin: parse the schema, build the actor, call one service or selector of the app,
shape the answer through the app's presenter. Nothing below this package imports it.
"""
