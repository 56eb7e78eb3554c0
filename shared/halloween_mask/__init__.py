"""The client of the AILabTools "AI Halloween Mask" API: what goes into GIMP (standard library + requests).

```python
import halloween_mask

with halloween_mask.Client.from_settings() as client:  # AILAB_API_KEY or the settings file
    result = client.apply(portrait_bytes, mask_style=7)  # submit, poll, download
result.images[0]  # the masked portrait, as the service encoded it
```
Every error derives from :class:`HalloweenMaskError`; ``str(error)`` is the sentence for a person and
``error.caller_fault`` says whether the caller gave bad input. The command line lives in
``halloween_mask_cli`` and the local emulator of the API in ``halloween_mask_emulator``.
"""

__version__ = "0.2.0"  # before the imports below: transport and placement read it

from .client import DEFAULT_DEADLINE, MAX_RESULTS, Client, Progress, Result
from .config import ApiKey, Settings, load_settings, save_api_key
from .cost import CREDITS_PER_MASK, masks_left
from .errors import (
    AuthError,
    BadInputError,
    CancelledError,
    DamagedDownloadError,
    DamagedImageError,
    DeadlineExceededError,
    ErrorKind,
    HalloweenMaskError,
    InvalidArgumentError,
    NetworkError,
    NoFaceError,
    NotAnImageError,
    OutOfCreditsError,
    PlainError,
    ProtocolError,
    RateLimitedError,
    ResultUnavailableError,
    ServerBusyError,
    SettingsError,
    SubmitOutcomeUnknownError,
    TaskFailedError,
    TooLargeError,
    UnsupportedFormatError,
    UsageError,
)
from .favourites import StylePicks
from .history import Entry, History, Made
from .imageformat import ImageInfo, read_image_info
from .ledger import Found, Ledger
from .pending import PendingTasks
from .previews import PreviewCache, PreviewFetcher, preview_url
from .responses import CreditPool, TaskState
from .styles import ASPECT_RATIOS, STYLE_COUNT, STYLES, MaskStyle, style
from .timing import CancelToken, Deadline
from .variants import MAX_STYLES, StyleBatch, StyleOutcome, parse_styles

__all__ = [
    "ASPECT_RATIOS",
    "CREDITS_PER_MASK",
    "DEFAULT_DEADLINE",
    "MAX_RESULTS",
    "MAX_STYLES",
    "STYLES",
    "STYLE_COUNT",
    "ApiKey",
    "AuthError",
    "BadInputError",
    "CancelToken",
    "CancelledError",
    "Client",
    "CreditPool",
    "DamagedDownloadError",
    "DamagedImageError",
    "Deadline",
    "DeadlineExceededError",
    "Entry",
    "ErrorKind",
    "Found",
    "HalloweenMaskError",
    "History",
    "ImageInfo",
    "InvalidArgumentError",
    "Ledger",
    "Made",
    "MaskStyle",
    "NetworkError",
    "NoFaceError",
    "NotAnImageError",
    "OutOfCreditsError",
    "PendingTasks",
    "PlainError",
    "PreviewCache",
    "PreviewFetcher",
    "Progress",
    "ProtocolError",
    "RateLimitedError",
    "Result",
    "ResultUnavailableError",
    "ServerBusyError",
    "Settings",
    "SettingsError",
    "StyleBatch",
    "StyleOutcome",
    "StylePicks",
    "SubmitOutcomeUnknownError",
    "TaskFailedError",
    "TaskState",
    "TooLargeError",
    "UnsupportedFormatError",
    "UsageError",
    "__version__",
    "load_settings",
    "masks_left",
    "parse_styles",
    "preview_url",
    "read_image_info",
    "save_api_key",
    "style",
]
