"""Step 3 check-ins, Step 4 reflections, evidence files, the monitoring calendar and the worksheet."""
