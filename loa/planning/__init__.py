"""Scheduling: audience time slots, the campaign calendar, the planner and the daemon."""
