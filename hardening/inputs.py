"""Refuse request input that no form can legitimately carry, before any view sees it."""

from flask import abort, request


def init_app(app):
    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store or even compare text holding NUL: answer 400 rather than fail
        # later. Back-office forms refuse it themselves, next to the field.
        values = [request.args]
        if request.endpoint == "security.login":
            values.append(request.form)
        for source in values:
            for value in source.values():
                if "\x00" in value:
                    abort(400)
        return None
