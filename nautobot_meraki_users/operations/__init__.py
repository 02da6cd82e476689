"""Admin operations: input checks, pure planning, the engine that reads, plans and applies, CSV import."""
