"""Counterdesk paper: receipts and the day-close report as PDF (reportlab). Plain data in, bytes out."""
