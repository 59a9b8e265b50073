"""On-call commands beside ``report``: live lock census, watch, compare, SQL and the fleet store."""
