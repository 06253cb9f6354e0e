"""What visitors and other sites read, shared by the policy pages (charte/) and the API (api/):
the page cache and its middleware, CORS for other sites, this app's absolute addresses, and the
host's change signal."""
