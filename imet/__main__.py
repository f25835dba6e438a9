from imet.cli import main

main()
