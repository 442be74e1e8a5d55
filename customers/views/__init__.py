"""Pages of the customers app: customer records, and the OMD invoice imports."""
