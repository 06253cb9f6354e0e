"""The back office's only uses of Flask-Admin internals, where Flask-Admin 2.2.1 offers no
public hook. Check each one again when Flask-Admin is upgraded."""


def rebuild_forms(view):
    # Flask-Admin 2.2.1 builds a view's forms (create, edit, the list's inline form) once, when
    # the view is constructed; only its private _refresh_forms_cache builds them again.
    view._refresh_forms_cache()
