"""Front ends of wivcheck: the command line (and later the HTTP service). No decision logic here."""
