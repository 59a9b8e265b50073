from lockforensics.entry import main

main()
