"""The policy as a document the legal team controls: the inventory is the draft; published
versions are immutable, numbered, chained by their digests, compared field by field, and
checked before they go out."""
