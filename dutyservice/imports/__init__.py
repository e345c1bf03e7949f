"""`dutyservice import`: a force's history from the CSV files of its existing records."""
