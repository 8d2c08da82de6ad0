from bin.cli.app import app

app(prog_name="pipeline")
