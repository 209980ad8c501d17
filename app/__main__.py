from app.edge.cli import main

main()
