"""Report the environment variables and parameters the host passed."""

import os

from hm import hm_params, hm_write_report

report = {k: os.environ.get(k) for k in ("AILAB_API_BASE", "GIMP3_DIRECTORY", "HOME")}
hm_write_report({**report, "params": hm_params()})
