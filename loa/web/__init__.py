"""loa web: the dashboard for the officer and the radio operator, and the JSON API under /api."""
