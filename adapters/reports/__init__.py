"""Reports as files: the dashboard's figures per role and period, in Excel and PDF."""
