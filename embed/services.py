"""The services a consent manager asks about, shared by the Klaro and tarteaucitron
configurations: one per provider and category, named ``provider-<id>-<category>``. The name is
stable across versions (both libraries ask a visitor again when a service they have not seen
appears, and keep the answer under this name) and safe in HTML ids and in a cookie value."""


def cookie_path(cookie):
    """Where a cookie of the document is set: versions published before cookies had a path say none."""
    return cookie.get("path", "/")


def service_name(provider_id, category_key):
    return f"provider-{provider_id}-{category_key}"


def services(document):
    """{name: (provider, category key, [cookies])} in the policy's order: by category, then
    provider, then cookie name."""
    providers = {p["id"]: p for p in document.get("providers", ())}
    order = [c["key"] for c in document.get("categories", ())]
    found = {}
    for cookie in sorted(
        document.get("cookies", ()),
        key=lambda c: (
            order.index(c["category"]) if c["category"] in order else len(order),
            providers[c["provider_id"]]["name"].casefold(),
            c["name"].casefold(),
        ),
    ):
        name = service_name(cookie["provider_id"], cookie["category"])
        found.setdefault(name, (providers[cookie["provider_id"]], cookie["category"], []))[2].append(cookie)
    return found
