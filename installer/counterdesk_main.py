"""The bundle's entry point (PyInstaller runs a script, not a module): the same `main` as the `counterdesk`
command."""

import sys

from desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
