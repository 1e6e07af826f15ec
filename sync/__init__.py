"""The case ledger and its journey to the city, in four layers (each imports only those below it, checked by
import-linter): services/ (workflows) > city/ (talking with the city) > ledger/ (storage) > protocol/ (what the
client and cityserver share). No Qt."""
