import sys

from argus.local.graphiql import main

sys.exit(main(sys.argv[1:]))
