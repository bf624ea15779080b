"""Point time series (air quality, noise) from files and APIs, checked and aggregated per buurt and month.

``read_series`` reads the files of one configured tijdreeks into one long table;
``locations`` turns sensor tables and fasen into the valid location of each sensor per
period; ``quality`` flags and counts doubtful values; ``aggregate`` makes hourly, daily and
monthly figures per buurt in DuckDB; ``stage`` runs those steps and writes the tables.
"""
