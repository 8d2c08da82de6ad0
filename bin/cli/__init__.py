"""`bin/pipeline`: one executable, one module per command group."""
