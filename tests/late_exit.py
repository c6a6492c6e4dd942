"""A child that says its result, then takes long to go (as a build child freeing what it
read): ``python -m tests.late_exit STATUS``."""

import sys
import time

from hub_api.childproc import end_output

status = int(sys.argv[1])
sys.stdout.write("built\n")
if status:
    sys.stderr.write("it failed, in one line\n")
end_output(status)
time.sleep(30)
