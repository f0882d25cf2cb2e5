"""A whole province on one install: many stations in one PostgreSQL database (a schema each),
a job queue (procrastinate) fed by one scheduler and drained by any number of workers."""
