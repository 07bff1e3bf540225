"""Domain rules: plain Python over a database session. Nothing here imports Reflex."""
