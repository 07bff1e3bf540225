"""Scheduled work (APScheduler): entry points that call services, one process at a time."""
