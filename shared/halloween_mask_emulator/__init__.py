"""A faithful local stand-in for the AILabTools "AI Halloween Mask" API, for tests and offline use.

```python
from halloween_mask_emulator import Emulator, EmulatorConfig
with Emulator(EmulatorConfig(api_keys={"test-key"})) as emu:
    emu.base_url  # http://127.0.0.1:PORT
```
Needs Werkzeug, numpy, OpenCV and Pillow, so the GIMP plug-in never imports it.
"""

from .app import EmulatorApp, RequestRecord
from .config import CREDITS_PER_TASK, FAILURE_MODES, FAULT_KINDS, EmulatorConfig, Failure, Fault
from .server import Emulator, serve_forever
from .tasks import Task

__all__ = [
    "CREDITS_PER_TASK",
    "FAILURE_MODES",
    "FAULT_KINDS",
    "Emulator",
    "EmulatorApp",
    "EmulatorConfig",
    "Failure",
    "Fault",
    "RequestRecord",
    "Task",
    "serve_forever",
]
