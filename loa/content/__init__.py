"""Content: the message queue, its taxonomy, import/export, and the speech normaliser."""
