"""The reading layer of the metrics (private): one reader per input kind, each giving rows."""
