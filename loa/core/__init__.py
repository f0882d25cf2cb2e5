"""The core every layer stands on: the station, the store, errors, messages in two languages."""
