from indicators_lab.cli import main

raise SystemExit(main())
