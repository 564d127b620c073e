"""Pure algorithms: typed inputs in, typed results out; no database, files or clocks."""
