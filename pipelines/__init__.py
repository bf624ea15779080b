"""The Dagster layer of ogw-datalab: thin assets that call the ``ogw_datalab`` library."""
