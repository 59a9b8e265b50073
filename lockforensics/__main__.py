from lockforensics.cli import main

main()
