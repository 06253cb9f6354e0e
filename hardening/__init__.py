"""Security features around the app: response headers, login throttling."""
