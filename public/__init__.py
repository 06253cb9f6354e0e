"""What visitors and other sites read, shared by the policy pages (charte/) and the API (api/):
the page cache and its middleware, and the host's change signal."""
