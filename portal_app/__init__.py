"""A patient portal built with Reflex. See README.md for the floor plan."""
