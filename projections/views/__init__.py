"""The read models, one module per screen or question."""
