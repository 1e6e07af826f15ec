"""One module per panel of the main window."""
