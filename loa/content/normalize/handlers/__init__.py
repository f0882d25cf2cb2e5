"""The rule handlers, one method per rule of `patterns.RULES`, grouped by what they read.

Each handler takes the match and returns the spoken text and the rule name explain() shows."""
