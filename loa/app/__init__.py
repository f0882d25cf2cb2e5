"""The application layer: moves work from one lower layer to the next (plan → audio → channels)
and is the only code that changes a plan entry's status from what the lower layers return."""
