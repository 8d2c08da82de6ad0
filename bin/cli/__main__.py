from bin.cli.app import main

main()
