"""The vendor's error-code table: HTTP status, meaning, error kind and whether a retry can help.

Transcribed from the AILabTools response description (126 codes). Classify by code first: some
codes moved between HTTP statuses over time, and 429 covers both "no credits" and "slow down".
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import ERROR_CLASSES, ErrorKind, HalloweenMaskError


class ErrorCode(NamedTuple):
    """One row of the vendor's table."""

    http_status: int
    meaning: str
    kind: ErrorKind
    retryable: bool


_K = ErrorKind

ERROR_CODES: dict[str, ErrorCode] = {
    "ERROR_PARAMETERS": ErrorCode(400, "Invalid parameters", _K.BAD_INPUT, False),
    "MISSING_PARAMETERS": ErrorCode(400, "Missing parameters", _K.BAD_INPUT, False),
    "ERROR_INVALID_PARAMETER": ErrorCode(400, "Invalid parameter", _K.BAD_INPUT, False),
    "PARAMETERS_CANNOT_EMPTY": ErrorCode(400, "Parameters cannot be empty", _K.BAD_INPUT, False),
    "ERROR_MISSING_LIMIT_PARAMETER": ErrorCode(400, "Missing Limit parameter", _K.BAD_INPUT, False),
    "ERROR_MISSING_TASKS_PARAMETER": ErrorCode(400, "Missing Tasks parameter", _K.BAD_INPUT, False),
    "ERROR_MISSING_ASSURE_DIRECTION_PARAMETER": ErrorCode(
        400, "Missing AssureDirection parameter", _K.BAD_INPUT, False
    ),
    "ERROR_MISSING_MIN_HEIGHT_PARAMETER": ErrorCode(400, "Missing MinHeight parameter", _K.BAD_INPUT, False),
    "ERROR_INVALID_SIDE_PARAMETER": ErrorCode(400, "Invalid value for Side parameter", _K.BAD_INPUT, False),
    "ERROR_INVALID_URL": ErrorCode(400, "Invalid URL", _K.BAD_INPUT, False),
    "ERROR_UNSUPPORTED_RESPONSE_FORMAT": ErrorCode(
        400, "Incorrect response format (Format not supported)", _K.BAD_INPUT, False
    ),
    "ERROR_INVALID_OUTPUT_FORMAT": ErrorCode(400, "Invalid output format", _K.BAD_INPUT, False),
    "ERROR_MISSING_OUTPUT_FORMAT": ErrorCode(400, "Missing output format", _K.BAD_INPUT, False),
    "UNSUPPORTED_PARAMETER_VALUES": ErrorCode(400, "Invalid parameter values", _K.BAD_INPUT, False),
    "ERROR_INVALID_PARAMETER_FORMAT": ErrorCode(400, "Invalid parameter format", _K.BAD_INPUT, False),
    "ERROR_PARAMETER_CONVERSION_FAILED": ErrorCode(400, "Parameter conversion failed", _K.BAD_INPUT, False),
    "ERROR_MASK_IMAGE_RESOLUTION_MISMATCH": ErrorCode(
        400, "Resolution of mask and image must be the same", _K.BAD_INPUT, False
    ),
    "ERROR_QUALITY_CONTROL_ERROR": ErrorCode(400, "Quality control error", _K.BAD_INPUT, False),
    "ERROR_LIVENESS_CONTROL_ERROR": ErrorCode(400, "Liveness control error", _K.BAD_INPUT, False),
    "ERROR_TOO_MANY_GROUPS_IN_GROUP_LIST": ErrorCode(400, "Too many groups in group_list", _K.BAD_INPUT, False),
    "ERROR_TOO_MANY_UIDS_IN_UID_LIST": ErrorCode(400, "Too many UIDs in uid_list", _K.BAD_INPUT, False),
    "ERROR_TOO_MANY_APPS_IN_APP_LIST": ErrorCode(400, "Too many apps in app_list", _K.BAD_INPUT, False),
    "ERROR_INVALID_FACE_BOX_PARAMETER": ErrorCode(
        400, "Face box parameter does not meet requirements", _K.BAD_INPUT, False
    ),
    "ERROR_INVALID_BIG_EYES_PARAMETER": ErrorCode(
        400, "Big eyes parameter does not meet requirements", _K.BAD_INPUT, False
    ),
    "ERROR_INVALID_FACE_SLIMMING_PARAMETER": ErrorCode(
        400, "Face slimming parameter does not meet requirements", _K.BAD_INPUT, False
    ),
    "ERROR_INVALID_SMOOTHING_PARAMETER": ErrorCode(
        400, "Smoothing parameter does not meet requirements", _K.BAD_INPUT, False
    ),
    "ERROR_INVALID_SKIN_WHITENING_PARAMETER": ErrorCode(
        400, "Skin whitening parameter does not meet requirements", _K.BAD_INPUT, False
    ),
    "ERROR_USER_NOT_EXISTS": ErrorCode(401, "The user does not exist", _K.AUTH, False),
    "ERROR_APPLICATIONS_NOT_EXISTS": ErrorCode(401, "The application does not exist", _K.AUTH, False),
    "ERROR_USER_LOCKED": ErrorCode(403, "The user is locked", _K.AUTH, False),
    "ERROR_ILLEGAL_OPERATION": ErrorCode(403, "Illegal operation", _K.AUTH, False),
    "ERROR_AI_NOT_EXISTS": ErrorCode(404, "AI (endpoint) does not exist or was deactivated", _K.TASK_FAILED, False),
    "ERROR_FILE_NOT_FOUND": ErrorCode(404, "File not found", _K.TASK_FAILED, False),
    "ERROR_FACE_NOT_FOUND": ErrorCode(404, "Face not found", _K.NO_FACE, False),
    "ERROR_USER_GROUP_NOT_FOUND": ErrorCode(404, "User group not found", _K.TASK_FAILED, False),
    "ERROR_USER_NOT_FOUND": ErrorCode(404, "User not found", _K.TASK_FAILED, False),
    "ERROR_FACE_TOKEN_NOT_FOUND": ErrorCode(404, "Face token not found", _K.TASK_FAILED, False),
    "ERROR_CONTENT_NOT_FOUND": ErrorCode(404, "Content not found", _K.TASK_FAILED, False),
    "ERROR_RESOURCE_NOT_FOUND": ErrorCode(404, "Resource not found", _K.TASK_FAILED, False),
    "ERROR_INVALID_RESPONSE_FORMAT": ErrorCode(
        406, "Incorrect response format (Accept not supported)", _K.BAD_INPUT, False
    ),
    "ERROR_FACE_ALREADY_EXISTS": ErrorCode(409, "Face already exists", _K.TASK_FAILED, False),
    "ERROR_DATA_ALREADY_EXISTS": ErrorCode(409, "Data already exists", _K.TASK_FAILED, False),
    "ERROR_USER_GROUP_ALREADY_EXISTS": ErrorCode(409, "User group already exists", _K.TASK_FAILED, False),
    "ERROR_USER_ALREADY_EXISTS": ErrorCode(409, "User already exists", _K.TASK_FAILED, False),
    "ERROR_DUPLICATE_GROUP_NAME": ErrorCode(409, "Duplicate group name", _K.TASK_FAILED, False),
    "ERROR_RESOURCE_IN_USE": ErrorCode(409, "Resource is in use", _K.TASK_FAILED, False),
    "ERROR_TASK_CONFLICT": ErrorCode(409, "Task conflict", _K.TASK_FAILED, False),
    "ERROR_TASK_STOPPED_PROCESSING": ErrorCode(409, "Task has been stopped processing", _K.TASK_FAILED, False),
    "ERROR_TASK_REVOCATION_FAILED": ErrorCode(409, "Task revocation failed", _K.TASK_FAILED, False),
    "ERROR_TASK_REVOKED": ErrorCode(410, "Task has already been revoked", _K.TASK_FAILED, False),
    "ERROR_RESOURCE_RECLAIMED": ErrorCode(410, "Resource has been reclaimed", _K.TASK_FAILED, False),
    "ERROR_TOO_MANY_FILES": ErrorCode(413, "Number of files exceeds the limit", _K.TOO_LARGE, False),
    "FILE_SIZE_EXCEEDS_LIMIT": ErrorCode(413, "File size exceeds limit", _K.TOO_LARGE, False),
    "FILE_RESOLUTION_EXCEEDS_LIMITS": ErrorCode(413, "File resolution exceeds limits", _K.TOO_LARGE, False),
    "ERROR_HIGH_RESOLUTION": ErrorCode(413, "File resolution too high", _K.TOO_LARGE, False),
    "ERROR_REQUEST_BODY_TOO_LARGE": ErrorCode(413, "Request body size exceeds limit", _K.TOO_LARGE, False),
    "UNSUPPORTED_FILE_TYPES": ErrorCode(415, "Unsupported file types", _K.UNSUPPORTED_FORMAT, False),
    "ERROR_UNSUPPORTED_GRAYSCALE_IMAGE": ErrorCode(415, "Grayscale image not supported", _K.UNSUPPORTED_FORMAT, False),
    "FILE_DECODING_FAILURE": ErrorCode(422, "File decoding failed", _K.UNSUPPORTED_FORMAT, False),
    "ERROR_ILLEGAL_FILE": ErrorCode(422, "Illegal file", _K.UNSUPPORTED_FORMAT, False),
    "ERROR_INVALID_FILE": ErrorCode(422, "Invalid file", _K.UNSUPPORTED_FORMAT, False),
    "ERROR_LOW_RESOLUTION": ErrorCode(422, "File resolution too low", _K.BAD_INPUT, False),
    "FILE_CONTENT_NON_COMPLIANCE": ErrorCode(422, "File content does not meet requirements", _K.BAD_INPUT, False),
    "ERROR_CONTENT_NON_COMPLIANCE": ErrorCode(422, "Content does not meet requirements", _K.BAD_INPUT, False),
    "ERROR_CONTENT_TOO_LONG": ErrorCode(422, "Content length exceeds limit", _K.BAD_INPUT, False),
    "ERROR_VIDEO_DURATION_EXCEEDED": ErrorCode(422, "Video duration exceeds limit", _K.BAD_INPUT, False),
    "ERROR_INCORRECT_FILE_COUNT": ErrorCode(422, "Incorrect number of files", _K.BAD_INPUT, False),
    "ERROR_NO_FACE_IN_FILE": ErrorCode(422, "No face detected in the file", _K.NO_FACE, False),
    "ERROR_FACE_SIZE_NOT_MEET_REQUIREMENTS": ErrorCode(422, "Face size does not meet requirements", _K.NO_FACE, False),
    "ERROR_FACE_SIZE_RATIO_NOT_MET": ErrorCode(422, "Face size ratio does not meet requirements", _K.NO_FACE, False),
    "ERROR_SMALL_FACE_SIZE": ErrorCode(422, "Face size too small", _K.NO_FACE, False),
    "ERROR_FACE_COPY_SCENE_MISMATCH": ErrorCode(422, "Face copy scene type mismatch", _K.BAD_INPUT, False),
    "ERROR_FACE_UNRECOGNIZABLE": ErrorCode(422, "Unable to recognize face", _K.NO_FACE, False),
    "ERROR_POOR_FACE_QUALITY": ErrorCode(422, "Poor face quality", _K.NO_FACE, False),
    "ERROR_BLURRY_FACE": ErrorCode(422, "Blurry face", _K.NO_FACE, False),
    "ERROR_OBSTRUCTED_FACE": ErrorCode(422, "Obstructed face", _K.NO_FACE, False),
    "ERROR_POOR_FACE_LIGHTING": ErrorCode(422, "Poor face lighting", _K.NO_FACE, False),
    "ERROR_INCOMPLETE_FACE": ErrorCode(422, "Incomplete face", _K.NO_FACE, False),
    "ERROR_FACE_NOT_FACING_FORWARD": ErrorCode(422, "Face not facing forward", _K.NO_FACE, False),
    "ERROR_QUALITY_SCORE_NOT_MEET_REQUIREMENTS": ErrorCode(
        422, "Quality score does not meet requirements", _K.BAD_INPUT, False
    ),
    "ERROR_SCENE_TYPE_MISMATCH": ErrorCode(422, "Scene type mismatch", _K.BAD_INPUT, False),
    "ERROR_CARTOON_FACE_NOT_SUPPORTED": ErrorCode(422, "Cartoon face not supported", _K.NO_FACE, False),
    "ERROR_TEMPLATE_IMAGE_QUALITY_TOO_LOW": ErrorCode(422, "Template image quality too low", _K.BAD_INPUT, False),
    "ERROR_ACTION_VERIFICATION_FAILED": ErrorCode(422, "Action verification failed", _K.BAD_INPUT, False),
    "ERROR_LEFT_EYE_OCCLUSION_TOO_HIGH": ErrorCode(422, "Left eye occlusion too high", _K.NO_FACE, False),
    "ERROR_RIGHT_EYE_OCCLUSION_TOO_HIGH": ErrorCode(422, "Right eye occlusion too high", _K.NO_FACE, False),
    "ERROR_LEFT_FACE_OCCLUSION_TOO_HIGH": ErrorCode(422, "Left face occlusion too high", _K.NO_FACE, False),
    "ERROR_RIGHT_FACE_OCCLUSION_TOO_HIGH": ErrorCode(422, "Right face occlusion too high", _K.NO_FACE, False),
    "ERROR_CHIN_OCCLUSION_TOO_HIGH": ErrorCode(422, "Chin occlusion too high", _K.NO_FACE, False),
    "ERROR_NOSE_OCCLUSION_TOO_HIGH": ErrorCode(422, "Nose occlusion too high", _K.NO_FACE, False),
    "ERROR_MOUTH_OCCLUSION_TOO_HIGH": ErrorCode(422, "Mouth occlusion too high", _K.NO_FACE, False),
    "ERROR_SYNTHESIS_DETECTION_FAILED": ErrorCode(422, "Synthesis detection failed", _K.BAD_INPUT, False),
    "ERROR_LIVENESS_DETECTION_FAILED": ErrorCode(422, "Liveness detection failed", _K.NO_FACE, False),
    "ERROR_NO_RECOGNITION_TARGET_DETECTED": ErrorCode(
        422, "No recognition target detected in the image", _K.NO_FACE, False
    ),
    "ERROR_IMAGE_RECOGNITION_FAILED": ErrorCode(422, "Image recognition error", _K.BAD_INPUT, False),
    "ERROR_POSE_NOT_ENOUGH_KEYPOINTS": ErrorCode(
        422, "Pose detection failed: Not enough keypoints were detected", _K.NO_FACE, False
    ),
    "ERROR_FACE_COUNT_INVALID": ErrorCode(
        422, "Face detection failed: The number of detected faces does not meet the requirements", _K.NO_FACE, False
    ),
    "ERROR_NOT_ENOUGH_CREDITS": ErrorCode(429, "Insufficient credits", _K.CREDITS, False),
    "ERROR_FACE_TRACE_LIMIT_EXCEEDED": ErrorCode(429, "Face or Trace limit exceeded", _K.RATE_LIMITED, True),
    "ERROR_DATABASE_LIMIT_EXCEEDED": ErrorCode(429, "Database limit exceeded", _K.RATE_LIMITED, True),
    "ERROR_BATCH_TASK_LIMIT_EXCEEDED": ErrorCode(429, "Batch task processing limit exceeded", _K.RATE_LIMITED, True),
    "EXCEEDING_LIMITS": ErrorCode(429, "Exceeds limit", _K.RATE_LIMITED, True),
    "PROCESSING_FAILURE": ErrorCode(500, "Processing failed", _K.SERVER_BUSY, True),
    "ERROR_RESPONSE_BODY_TOO_LARGE": ErrorCode(500, "Response body size exceeds limit", _K.TASK_FAILED, False),
    "UNKNOWN_ERROR": ErrorCode(500, "Unknown error", _K.SERVER_BUSY, True),
    "SERVICE_INTERNAL_ERROR": ErrorCode(500, "Service internal error", _K.SERVER_BUSY, True),
    "ERROR_IMAGE_STORAGE_NOT_SUPPORTED": ErrorCode(501, "Image storage not supported", _K.TASK_FAILED, False),
    "ERROR_FILE_DOWNLOAD_FAILED": ErrorCode(502, "File download failed", _K.SERVER_BUSY, True),
    "ERROR_FILE_UPLOAD_FAILED": ErrorCode(502, "File upload failed", _K.SERVER_BUSY, True),
    "ERROR_DATA_TRANSFER_FAILED": ErrorCode(502, "Data transfer (download or upload) failed", _K.SERVER_BUSY, True),
    "ERROR_GET_FACE_IMAGE_FAILED": ErrorCode(502, "Failed to get face image", _K.SERVER_BUSY, True),
    "ERROR_FACE_IMAGE_ADDITION_FAILED": ErrorCode(502, "Failed to add face image", _K.SERVER_BUSY, True),
    "ERROR_FACE_BLENDING_FAILED": ErrorCode(502, "Face blending failed", _K.SERVER_BUSY, True),
    "FILE_SERVICE_ERROR": ErrorCode(502, "File service error", _K.SERVER_BUSY, True),
    "AI_SERVICE_ERROR": ErrorCode(502, "AI service error", _K.SERVER_BUSY, True),
    "AI_SERVICE_INTERNAL_ERROR": ErrorCode(502, "AI service internal error", _K.SERVER_BUSY, True),
    "AI_SERVICE_UNAUTHORIZED": ErrorCode(502, "AI service unauthorized", _K.SERVER_BUSY, True),
    "AI_SERVICE_NOT_FOUND": ErrorCode(502, "AI service not found", _K.SERVER_BUSY, True),
    "ERROR_GATEWAY": ErrorCode(502, "Gateway error", _K.SERVER_BUSY, True),
    "ERROR_CLEANING_USER_GROUP_DATA": ErrorCode(503, "Cleaning user group data", _K.SERVER_BUSY, True),
    "ERROR_INSUFFICIENT_RESOURCES": ErrorCode(503, "Insufficient resources", _K.SERVER_BUSY, True),
    "ERROR_RESOURCE_IN_TRANSIT": ErrorCode(503, "Resource in transit", _K.SERVER_BUSY, True),
    "ERROR_RESOURCE_UNAVAILABLE": ErrorCode(503, "Resource temporarily unavailable", _K.SERVER_BUSY, True),
    "AI_SERVICE_FLOW_RESTRICTION": ErrorCode(503, "AI service is rate-limited", _K.SERVER_BUSY, True),
    "ERROR_FILE_DOWNLOAD_TIMEOUT": ErrorCode(504, "File download timeout", _K.SERVER_BUSY, True),
    "AI_SERVICE_TIMEOUT": ErrorCode(504, "AI service timeout", _K.SERVER_BUSY, True),
}


def kind_for_status(http_status: int | None) -> ErrorKind:
    """The kind an unknown or missing code falls back to, judged by the HTTP status alone."""
    if http_status in (401, 403):
        return ErrorKind.AUTH
    if http_status == 429:
        return ErrorKind.RATE_LIMITED
    if http_status in (400, 406):
        return ErrorKind.BAD_INPUT
    if http_status == 413:
        return ErrorKind.TOO_LARGE
    if http_status in (415, 422):
        return ErrorKind.UNSUPPORTED_FORMAT
    if http_status is not None and http_status >= 500:
        return ErrorKind.SERVER_BUSY
    return ErrorKind.TASK_FAILED


def is_retryable(code: str, http_status: int | None) -> bool:
    """Whether the same request may succeed later: the table's verdict, else 429 and 5xx by status."""
    row = ERROR_CODES.get(code)
    if row is not None:
        return row.retryable
    return http_status in (429, 500, 502, 503, 504)


def error_for(code: str, http_status: int | None, detail: str = "", **ids: str | float | None) -> HalloweenMaskError:
    """The exception for a vendor error code (by code first, then by HTTP status).

    ``ids`` are passed through: ``request_id``, ``log_id``, ``task_id``, ``retry_after``.
    """
    row = ERROR_CODES.get(code)
    kind = row.kind if row is not None else kind_for_status(http_status)
    return ERROR_CLASSES[kind](detail, code=code, http_status=http_status, **ids)
