"""The back office's only uses of Flask-Admin internals, where Flask-Admin 2.2.1 offers no
public hook. Check each one again when Flask-Admin is upgraded."""


def rebuild_forms(view):
    # Flask-Admin 2.2.1 builds a view's forms (create, edit, the list's inline form) once, when
    # the view is constructed; only its private _refresh_forms_cache builds them again.
    view._refresh_forms_cache()


def let_our_words_win(translations_dir):
    # Flask-Admin 2.2.1 merges an Admin's translations_path first and its own catalog after it,
    # so its French (« Editer », « A été enregistrée avec succès ») would win over ours. Listing
    # its catalog first and ours last on its translation domain lets ours override word by word.
    from flask_admin import babel, translations

    babel.domain._translation_directories = [translations.__path__[0], translations_dir]
    babel.domain.cache.clear()
