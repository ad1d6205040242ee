"""Use cases of the watch domain. Every function takes the verified principal; the organisation is
always the principal's own."""
