"""The emulator's documented surface over real loopback HTTP: auth, validation, envelope, lifecycle,
credits, expiry, results and the request log."""

from __future__ import annotations

import io
import json
import time

import pytest
import requests
from emulator_support import API_KEY, CREDITS_PATH, POLL_PATH, SUBMIT_PATH, EmulatorApi
from halloween_mask.error_codes import ERROR_CODES
from halloween_mask_emulator import CREDITS_PER_TASK, Emulator
from halloween_mask_emulator import app as app_module
from PIL import Image


def assert_envelope(response: requests.Response, code: str = "") -> dict:
    """The public fields are there, and an error's HTTP status and code_message follow its table row."""
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["request_id"] and body["log_id"]
    detail = body["error_detail"]
    assert set(detail) >= {"code", "code_message", "message"}
    assert detail["code"] == code
    if code:
        assert response.status_code == ERROR_CODES[code].http_status
        assert detail["code_message"] == ERROR_CODES[code].meaning
        assert detail["message"]
    else:
        assert response.status_code == 200
        assert (detail["code_message"], detail["message"]) == ("", "")
    return body


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


# ---- auth -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", [None, "wrong-key"])
@pytest.mark.parametrize("call", ["submit", "poll", "credits"])
def test_api_routes_need_a_known_key(api: EmulatorApi, portrait_bytes: bytes, key: str | None, call: str) -> None:
    api.key = key
    response = {
        "submit": lambda: api.submit(portrait_bytes, mask_style="7"),
        "poll": lambda: api.poll("1.x"),
        "credits": lambda: api.credits(),
    }[call]()
    assert_envelope(response, "ERROR_APPLICATIONS_NOT_EXISTS")


def test_key_header_name_is_case_insensitive(emulator: Emulator) -> None:
    response = requests.get(emulator.base_url + CREDITS_PATH, headers={"AILabApi-API-Key": API_KEY}, timeout=10)
    assert_envelope(response)


def test_auth_code_and_any_key_are_configurable(emulator: Emulator, api: EmulatorApi) -> None:
    emulator.configure(auth_error_code="ERROR_USER_NOT_EXISTS")
    assert_envelope(api.credits(key="nope"), "ERROR_USER_NOT_EXISTS")
    emulator.configure(accept_any_key=True)
    assert_envelope(api.credits(key="anything"))
    assert_envelope(requests.get(api.base_url + CREDITS_PATH, timeout=10), "ERROR_USER_NOT_EXISTS")


# ---- validation -------------------------------------------------------------------------------
def test_missing_image_and_missing_style_or_template(api: EmulatorApi, portrait_bytes: bytes) -> None:
    assert_envelope(api.submit(None, mask_style="7"), "MISSING_PARAMETERS")
    assert_envelope(api.submit(None, mask_style="999"), "MISSING_PARAMETERS")  # the image is checked first
    assert_envelope(api.submit(portrait_bytes), "MISSING_PARAMETERS")
    assert_envelope(api.submit(b"", mask_style="7"), "MISSING_PARAMETERS")


@pytest.mark.parametrize("style", ["0", "86", "abc", "7.0", "07", "-1", "", " 7"])
def test_bad_mask_style(api: EmulatorApi, portrait_bytes: bytes, style: str) -> None:
    assert_envelope(api.submit(portrait_bytes, mask_style=style), "ERROR_INVALID_PARAMETER")


def test_bad_style_code_is_configurable(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(invalid_style_code="UNSUPPORTED_PARAMETER_VALUES")
    assert_envelope(api.submit(portrait_bytes, mask_style="86"), "UNSUPPORTED_PARAMETER_VALUES")


@pytest.mark.parametrize("ratio", ["2:1", "AUTO", "1:1 ", "16x9"])
def test_bad_aspect_ratio(api: EmulatorApi, portrait_bytes: bytes, ratio: str) -> None:
    assert_envelope(api.submit(portrait_bytes, mask_style="7", aspect_ratio=ratio), "ERROR_INVALID_PARAMETER")


def test_style_is_checked_before_the_image(api: EmulatorApi) -> None:
    assert_envelope(api.submit(b"not an image", mask_style="0"), "ERROR_INVALID_PARAMETER")


def test_file_limits_and_formats(api: EmulatorApi, portrait_bytes: bytes) -> None:
    png = b"\x89PNG\r\n\x1a\n"
    assert_envelope(api.submit(png + bytes(10 * 2**20), mask_style="7"), "FILE_SIZE_EXCEEDS_LIMIT")
    assert_envelope(api.submit(b"GIF89a" + bytes(100), mask_style="7"), "UNSUPPORTED_FILE_TYPES")
    assert_envelope(api.submit(b"hello, world", mask_style="7"), "UNSUPPORTED_FILE_TYPES")
    assert_envelope(api.submit(png + b"garbage" * 10, mask_style="7"), "FILE_DECODING_FAILURE")
    assert_envelope(api.submit(portrait_bytes[:3000], mask_style="7"), "FILE_DECODING_FAILURE")
    for size in ((4096, 8), (8, 4096)):
        wide = encoded(Image.new("RGB", size), "PNG")
        assert_envelope(api.submit(wide, mask_style="7"), "FILE_RESOLUTION_EXCEEDS_LIMITS")
    assert_envelope(api.submit(encoded(Image.new("RGB", (4095, 8)), "PNG"), mask_style="7"))


def test_exactly_ten_mebibytes_is_accepted_by_the_size_check(api: EmulatorApi) -> None:
    # 10 * 2**20 bytes passes the size check and fails later, at decoding.
    data = b"\x89PNG\r\n\x1a\n" + bytes(10 * 2**20 - 8)
    assert_envelope(api.submit(data, mask_style="7"), "FILE_DECODING_FAILURE")


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "PNG"])
def test_accepted_formats(api: EmulatorApi, portrait_bytes: bytes, fmt: str) -> None:
    data = encoded(Image.open(io.BytesIO(portrait_bytes)).convert("RGB"), fmt)
    body = assert_envelope(api.submit(data, mask_style="3"))
    assert assert_envelope(api.poll(body["task_id"]))["task_status"] == 2


def test_template_gets_the_same_checks(api: EmulatorApi, portrait_bytes: bytes) -> None:
    def template(data: bytes) -> dict:
        return {"image_template": ("t.png", data, "image/png")}

    assert_envelope(api.submit(portrait_bytes, files=template(b"nope")), "UNSUPPORTED_FILE_TYPES")
    big = b"\x89PNG\r\n\x1a\n" + bytes(10 * 2**20)
    assert_envelope(api.submit(portrait_bytes, files=template(big)), "FILE_SIZE_EXCEEDS_LIMIT")
    huge = encoded(Image.new("RGB", (4096, 4)), "PNG")
    assert_envelope(api.submit(portrait_bytes, files=template(huge)), "FILE_RESOLUTION_EXCEEDS_LIMITS")
    assert_envelope(api.submit(portrait_bytes, files=template(b"\x89PNG\r\n\x1a\nxx")), "FILE_DECODING_FAILURE")


def test_mask_style_wins_over_template(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    files = {"image_template": ("t.png", b"not even an image", "image/png")}
    task_id = assert_envelope(api.submit(portrait_bytes, files=files, mask_style="5"))["task_id"]
    task = emulator.tasks[task_id]
    assert (task.mask_style, task.template_used, task.template_ignored) == (5, False, True)
    plain = api.task_id(portrait_bytes, mask_style="5")
    first, second = (api.poll(t).json()["data"]["result_urls"][0] for t in (task_id, plain))
    assert requests.get(first, timeout=10).content == requests.get(second, timeout=10).content


def test_template_instead_of_style(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    template = encoded(Image.new("RGB", (64, 64), (200, 120, 10)), "PNG")
    files = {"image_template": ("t.png", template, "image/png")}
    task_id = assert_envelope(api.submit(portrait_bytes, files=files))["task_id"]
    assert assert_envelope(api.poll(task_id))["task_status"] == 2
    task = emulator.tasks[task_id]
    assert task.template_used and task.mask_style is None and task.face_box is not None


def test_unknown_form_fields_are_ignored(api: EmulatorApi, portrait_bytes: bytes) -> None:
    assert_envelope(api.submit(portrait_bytes, mask_style="7", task_type="async", extra="1"))


def test_whole_request_body_limit(mocker, api: EmulatorApi, portrait_bytes: bytes) -> None:
    mocker.patch.object(app_module, "MAX_BODY", 1000)
    assert_envelope(api.submit(portrait_bytes, mask_style="7"), "ERROR_REQUEST_BODY_TOO_LARGE")


def test_unknown_path_and_poll_without_task_id(api: EmulatorApi) -> None:
    assert_envelope(requests.get(api.base_url + "/api/portrait/effects/nope", timeout=10), "ERROR_AI_NOT_EXISTS")
    response = api.session.get(api.base_url + POLL_PATH, headers=api.headers(), timeout=10)
    assert_envelope(response, "MISSING_PARAMETERS")


def test_wrong_method_is_refused(api: EmulatorApi) -> None:
    assert requests.get(api.base_url + SUBMIT_PATH, timeout=10).status_code == 405


# ---- envelope ---------------------------------------------------------------------------------
def test_fresh_ids_and_task_id_shape(api: EmulatorApi, portrait_bytes: bytes) -> None:
    bodies = [api.submit(portrait_bytes, mask_style="1").json() for _ in range(3)]
    bodies += [api.credits().json(), api.submit(None).json()]
    assert len({b["request_id"] for b in bodies}) == len({b["log_id"] for b in bodies}) == len(bodies)
    for body in bodies[:3]:
        millis, dot, rest = body["task_id"].partition(".")
        assert dot and millis.isdigit() and abs(int(millis) / 1000 - time.time()) < 60
        assert len(rest) == 36 and rest.count("-") == 4


def test_no_legacy_fields_by_default_and_legacy_toggle(
    emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes
) -> None:
    assert "error_code" not in api.submit(portrait_bytes, mask_style="1").json()
    emulator.configure(legacy_fields=True)
    ok = assert_envelope(api.submit(portrait_bytes, mask_style="1"))
    assert (ok["error_code"], ok["error_msg"], ok["error_code_str"], ok["error_detail"]["status_code"]) == (
        0,
        "",
        "",
        200,
    )
    bad = assert_envelope(api.submit(None), "MISSING_PARAMETERS")
    assert (bad["error_code"], bad["error_code_str"], bad["error_detail"]["status_code"]) == (
        400,
        "MISSING_PARAMETERS",
        400,
    )
    assert assert_envelope(api.poll(ok["task_id"]))["error_code"] == 0


# ---- lifecycle ------------------------------------------------------------------------------
def test_status_goes_0_1_2_and_data_only_at_2(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(queued_seconds=0.6, processing_seconds=0.6)
    task_id = api.task_id(portrait_bytes)
    created = emulator.tasks[task_id].created

    def poll_at(offset: float) -> dict:
        time.sleep(max(0.0, created + offset - time.time()))
        return assert_envelope(api.poll(task_id))

    queued, processing, done = poll_at(0.1), poll_at(0.85), poll_at(1.35)
    assert queued["task_status"] == 0 and "data" not in queued
    assert processing["task_status"] == 1 and "data" not in processing
    assert done["task_status"] == 2 and len(done["data"]["result_urls"]) == 1
    assert emulator.tasks[task_id].polls == 3


def test_timing_ranges_are_drawn_per_task(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(queued_seconds=(1.0, 2.0), processing_seconds=(10.0, 20.0), seed=3)
    tasks = [api.task_id(portrait_bytes) for _ in range(3)]
    table = emulator.tasks
    for task_id in tasks:
        assert 1.0 <= table[task_id].queued_for <= 2.0 and 10.0 <= table[task_id].processing_for <= 20.0
    assert len({table[t].processing_for for t in tasks}) == 3
    assert assert_envelope(api.poll(tasks[0]))["task_status"] == 0


def test_realistic_profile() -> None:
    config = Emulator().config.realistic()
    assert config.processing_seconds[0] >= 10


def test_result_download(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    task_id = api.task_id(portrait_bytes, aspect_ratio="auto")
    url = assert_envelope(api.poll(task_id))["data"]["result_urls"][0]
    assert url.startswith(emulator.base_url + "/results/") and url.endswith(".png")
    download = requests.get(url, timeout=10)
    assert download.status_code == 200 and download.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(download.content))
    image.load()
    assert image.size == (512, 512) == emulator.tasks[task_id].output_size


def test_result_count_distinct_extension_and_size(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(result_count=3)
    same = api.poll(api.task_id(portrait_bytes)).json()["data"]["result_urls"]
    assert len(same) == 3 and len(set(same)) == 1
    emulator.configure(distinct_urls=True, result_extension="jpg", output_size=(300, 200))
    urls = api.poll(api.task_id(portrait_bytes)).json()["data"]["result_urls"]
    assert len(set(urls)) == 3 and all(u.endswith(".jpg") for u in urls)
    for url in urls:
        download = requests.get(url, timeout=10)
        assert download.headers["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(download.content)).size == (300, 200)
    assert requests.get(urls[0].replace("/0.jpg", "/3.jpg"), timeout=10).status_code == 404


def test_style_previews(api: EmulatorApi) -> None:
    first = requests.get(api.base_url + "/ai-halloween-masks/masks/1.jpg", timeout=10)
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(first.content)).format == "JPEG"
    again = requests.get(api.base_url + "/ai-halloween-masks/masks/1.jpg", timeout=10)
    other = requests.get(api.base_url + "/ai-halloween-masks/masks/85.jpg", timeout=10)
    assert first.content == again.content != other.content
    for bad in ("0.jpg", "86.jpg", "x.jpg"):
        assert requests.get(api.base_url + "/ai-halloween-masks/masks/" + bad, timeout=10).status_code == 404


def test_concurrent_submits(emulator: Emulator, portrait_bytes: bytes) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(style: int) -> int:
        helper = EmulatorApi(emulator.base_url)
        task_id = helper.task_id(portrait_bytes, mask_style=str(style))
        return helper.poll(task_id).json()["task_status"]

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(one, range(1, 7))) == [2] * 6


# ---- credits ----------------------------------------------------------------------------------
def credit_pools(api: EmulatorApi) -> dict[str, dict]:
    body = assert_envelope(api.credits())
    return {pool["unique_sign"]: pool for pool in body["data"]}


def test_credits_shape(api: EmulatorApi) -> None:
    pools = credit_pools(api)
    assert set(pools) == {"common", "portrait_ai_halloween_masks"}
    fields = {
        "unique_sign",
        "name",
        "balance",
        "total",
        "last_recharge_balance",
        "balance_warning",
        "first_buy_time",
        "last_update_time",
    }
    for pool in pools.values():
        assert set(pool) == fields
        assert all(isinstance(pool[f], int) for f in fields - {"unique_sign", "name"})


def test_charged_once_on_completion_only(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(credits=20)
    task_id = api.task_id(portrait_bytes)
    for _ in range(3):
        api.poll(task_id)
    assert credit_pools(api)["common"]["balance"] == 20 - CREDITS_PER_TASK
    assert_envelope(api.submit(portrait_bytes, mask_style="7"), "ERROR_NOT_ENOUGH_CREDITS")


def test_failed_and_rejected_tasks_cost_nothing(
    emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes, no_face_bytes: bytes
) -> None:
    emulator.configure(credits=100)
    api.poll(api.task_id(no_face_bytes))
    api.submit(portrait_bytes, mask_style="0")
    emulator.configure(failure="status_3")
    api.poll(api.task_id(portrait_bytes))
    assert emulator.credits() == 100


def test_unpolled_task_is_still_charged(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(credits=100, processing_seconds=0.3)
    api.task_id(portrait_bytes)
    assert credit_pools(api)["common"]["balance"] == 100
    time.sleep(0.4)
    assert credit_pools(api)["common"]["balance"] == 100 - CREDITS_PER_TASK


def test_halloween_pool_is_spent_first(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(credits=0, halloween_credits=15)
    api.poll(api.task_id(portrait_bytes))
    pools = credit_pools(api)
    assert pools["portrait_ai_halloween_masks"]["balance"] == 0 and pools["common"]["balance"] == 0
    assert_envelope(api.submit(portrait_bytes, mask_style="7"), "ERROR_NOT_ENOUGH_CREDITS")


# ---- expiry -----------------------------------------------------------------------------------
def test_unknown_task(emulator: Emulator, api: EmulatorApi) -> None:
    assert_envelope(api.poll("1714743372764.fb8fd68b-7f0e-1485-d003-32ee0f854a92"), "ERROR_RESOURCE_NOT_FOUND")
    emulator.configure(unknown_task_code="ERROR_TASK_REVOKED")
    assert_envelope(api.poll("nope"), "ERROR_TASK_REVOKED")


def test_tasks_and_results_expire(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(result_ttl=60)
    task_id = api.task_id(portrait_bytes)
    url = assert_envelope(api.poll(task_id))["data"]["result_urls"][0]
    assert requests.get(url, timeout=10).status_code == 200
    emulator.advance_clock(61)  # the emulator's own clock: no race with a busy machine
    assert_envelope(api.poll(task_id), "ERROR_RESOURCE_NOT_FOUND")
    gone = requests.get(url, timeout=10)
    assert gone.status_code == 404
    assert emulator.tasks[task_id].outcome == "expired"


# ---- observability ----------------------------------------------------------------------------
def test_request_log_never_holds_the_key(emulator: Emulator, portrait_bytes: bytes) -> None:
    secret = "sk-very-secret-value-0123456789"
    emulator.configure(api_keys=(secret,))
    api = EmulatorApi(emulator.base_url, key=secret)
    task_id = api.task_id(portrait_bytes)
    url = api.poll(task_id).json()["data"]["result_urls"][0]
    requests.get(url, timeout=10)
    requests.get(url, headers={"ailabapi-api-key": secret}, timeout=10)
    api.credits()
    assert secret not in repr(emulator.requests) and secret not in json.dumps(emulator.state(), default=str)
    submit, poll, plain, leaked, credits = emulator.requests
    assert submit.route == "submit" and submit.key_present and "ailabapi-api-key" in submit.header_names
    assert set(submit.form_fields) == {"mask_style", "image"}
    assert submit.file_sizes == {"image": len(portrait_bytes)} and submit.status == 200
    assert poll.route == "poll" and credits.route == "credits"
    assert (plain.route, plain.key_present, leaked.key_present) == ("result", False, True)


def test_reset_forgets_tasks_and_requests(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    task_id = api.task_id(portrait_bytes)
    emulator.reset()
    assert emulator.tasks == {} and emulator.requests == []
    assert_envelope(api.poll(task_id), "ERROR_RESOURCE_NOT_FOUND")


def test_task_table(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    task_id = api.task_id(portrait_bytes, mask_style="12", aspect_ratio="3:4")
    api.poll(task_id)
    task = emulator.tasks[task_id]
    assert (task.status, task.outcome, task.mask_style, task.aspect_ratio, task.charged) == (2, "done", 12, "3:4", True)
    assert task.image_size == (512, 512) and task.output_size == (384, 512)
    x, y, w, h = task.face_box
    assert 150 < x + w / 2 < 300 and 50 < y + h / 2 < 200
