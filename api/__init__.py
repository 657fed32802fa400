"""Front ends of wivcheck: the command line (`cli`, one module per command group) and the HTTP
service with the analyst page (`http`), both configured by `settings`. No decision logic here:
everything is asked of `wivcheck.engine`."""
