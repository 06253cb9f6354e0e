"""WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py wsgi:app`."""

import gc

from app import create_app

app = create_app()
# What is loaded now lives as long as the worker: set it aside from the garbage collector,
# whose full passes would otherwise walk it again and again (up to a third of the time of a
# 10,000-cookie charte render).
gc.collect()
gc.freeze()
