"""`Stubber`: botocore's Stubber for `S3Client`, checked against aios3's models."""

from __future__ import annotations

import types
from collections import deque
from collections.abc import Coroutine, Mapping
from pprint import pformat
from types import TracebackType
from typing import Any, TypedDict, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr, ValidationError

from .. import _operations as _ops
from .._client import S3Client
from ..errors import ERROR_CLASSES, Aios3Error, ClientError, ParamValidationError
from ..models import RequestModel, ResponseModel

__all__ = [
    "ANY",
    "StubAssertionError",
    "StubResponseError",
    "Stubber",
    "UnStubbedResponseError",
]


class StubResponseError(Aios3Error):
    """A stubbed call went wrong (botocore's `StubResponseError`).

    Attributes:
        operation_name: the S3 operation called, e.g. `"ListParts"`.
        reason: what went wrong.
    """

    def __init__(self, *, operation_name: str, reason: str) -> None:
        super().__init__(f"Error getting response stub for operation {operation_name}: {reason}")
        self.operation_name = operation_name
        self.reason = reason


class StubAssertionError(StubResponseError, AssertionError):
    """A call did not match what was stubbed (botocore's `StubAssertionError`)."""


class UnStubbedResponseError(StubAssertionError):
    """A call was made with no response left in the queue (botocore's)."""


class _Any:
    """Equal to anything: an `expected_params` value that matches whatever is passed."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "<ANY>"


ANY = _Any()
"""botocore's `stub.ANY`: as an `expected_params` value, matches any value."""


class _Stubbed(TypedDict):
    operation_name: str
    response: ResponseModel | ClientError
    expected_params: Mapping[str, object] | None


class Stubber:
    """Queue the answers of an `S3Client`'s calls instead of sending them, as botocore's
    `Stubber` does for a boto3 client, with the same method names and arguments.

    ```python
    s3 = S3Client(region_name="us-east-1", aws_access_key_id="AK", aws_secret_access_key="SK")
    with Stubber(s3) as stub:
        stub.add_response("create_multipart_upload", {"UploadId": "u1"},
                          {"Bucket": "b", "Key": "k"})
        r = await s3.create_multipart_upload(Bucket="b", Key="k")
        stub.assert_no_pending_responses()
    ```

    While active, every operation method of the client (and of a resource built on it)
    takes the next queued answer; nothing is sent, and no credentials are looked up for
    it. The calls' parameters are still validated by the request models, so a call that
    would fail against S3 for bad input fails here too. A stubbed response is validated
    into the operation's response model when it is added: an unknown key or a value of the
    wrong type raises `ParamValidationError` then, not in the code under test.
    """

    def __init__(self, client: S3Client) -> None:
        self.client = client
        self._queue: deque[_Stubbed] = deque()
        self._active = False

    # ---------------------------------------------------------------- lifecycle

    def __enter__(self) -> Stubber:
        self.activate()
        return self

    def __exit__(
        self,
        exception_type: type[BaseException] | None,
        exception_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.deactivate()

    def activate(self) -> None:
        """Answer the client's calls from the queue from now on."""
        # every operation method of the client goes through its `_invoke`; an instance
        # attribute of that name shadows the method, so the client's hot path has no hook
        # and nothing is sent
        self.client._invoke = self._invoke  # type: ignore[method-assign,assignment]
        self._active = True

    def deactivate(self) -> None:
        """Let the client send its calls again."""
        if self._active:
            del self.client._invoke
            self._active = False

    # ---------------------------------------------------------------- queueing

    def add_response(
        self,
        method: str,
        service_response: Mapping[str, object],
        expected_params: Mapping[str, object] | None = None,
    ) -> None:
        """Queue the answer of the next call.

        Args:
            method: the client method, snake_case: `"list_parts"`.
            service_response: the response as boto3 returns it (PascalCase keys; a
                `ResponseMetadata` may be given).
            expected_params: the parameters the call must get, with boto3's names
                (`ANY` matches any value); `None` checks nothing.

        Raises:
            ValueError: the client has no such operation.
            ParamValidationError: `service_response` does not fit the response model.
        """
        request_model, response_model = _operation(method)
        response = dict(service_response)
        response.setdefault("ResponseMetadata", {"HTTPStatusCode": 200})
        _check_keys(response_model, response, "", top=True)
        try:
            parsed = response_model.model_validate(response)
        except ValidationError as exc:
            raise ParamValidationError(
                f"invalid stubbed response for {method}: {exc}",
                [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()],
            ) from None
        self._queue.append(
            {
                "operation_name": request_model.operation_name,
                "response": parsed,
                "expected_params": expected_params,
            }
        )

    def add_client_error(
        self,
        method: str,
        service_error_code: str = "",
        service_message: str = "",
        http_status_code: int = 400,
        service_request_id: str | None = None,
        response_meta: Mapping[str, object] | None = None,
        modeled_fields: Mapping[str, str] | None = None,
        expected_params: Mapping[str, object] | None = None,
    ) -> None:
        """Queue an error for the next call: it raises the `ClientError` subclass of
        `service_error_code` (`NoSuchUpload`...), as the client raises a real one.

        Args:
            method: the client method, snake_case.
            service_error_code: the S3 error code, e.g. `"NoSuchUpload"`.
            service_message: the error message.
            http_status_code: the HTTP status of the answer.
            service_request_id: the request id in `ResponseMetadata`.
            response_meta: more `ResponseMetadata` items (`HostId`, `HTTPHeaders`...).
            modeled_fields: more fields of the error (in `response["Error"]`).
            expected_params: as for `add_response`.
        """
        request_model, _ = _operation(method)
        meta = dict(response_meta or {})
        headers = meta.pop("HTTPHeaders", None)
        retries = meta.pop("RetryAttempts", 0)
        host_id = meta.pop("HostId", "")
        request_id = meta.pop("RequestId", service_request_id or "")
        fields = dict(modeled_fields or {})
        bad = [k for k, v in fields.items() if not isinstance(v, str)]
        if bad or not isinstance(host_id, str) or not isinstance(request_id, str):
            raise ParamValidationError(
                f"invalid stubbed error for {method}: modeled fields and ids are strings",
                [f"{k}: not a string" for k in bad],
            )
        error = ERROR_CLASSES.get(service_error_code, ClientError)(
            code=service_error_code,
            message=service_message,
            status_code=http_status_code,
            request_id=request_id,
            host_id=host_id,
            operation_name=request_model.operation_name,
            headers=headers if isinstance(headers, Mapping) else None,
            retry_attempts=retries if isinstance(retries, int) else 0,
            extra=fields,
        )
        error.response["ResponseMetadata"].update(meta)  # type: ignore[typeddict-item]
        self._queue.append(
            {
                "operation_name": request_model.operation_name,
                "response": error,
                "expected_params": expected_params,
            }
        )

    def assert_no_pending_responses(self) -> None:
        """Raise `AssertionError` if queued answers were not used."""
        remaining = len(self._queue)
        if remaining != 0:
            raise AssertionError(f"{remaining} responses remaining in queue.")

    # ---------------------------------------------------------------- answering

    def _invoke(
        self,
        op: _ops.Operation[RequestModel, ResponseModel],
        request: RequestModel | None,
        params: Mapping[str, object],
    ) -> Coroutine[None, None, ResponseModel]:
        # the same validation as the client's, before anything is answered
        return self._answer(_ops.validated(op, request, params))

    async def _answer(self, request: RequestModel) -> ResponseModel:
        operation_name = request.operation_name
        if not self._queue:
            raise UnStubbedResponseError(
                operation_name=operation_name,
                reason=(
                    "Unexpected API Call: A call was made but no additional calls expected. "
                    "Either the API Call was not stubbed or it was called multiple times."
                ),
            )
        name = self._queue[0]["operation_name"]
        if name != operation_name:
            raise StubResponseError(
                operation_name=operation_name,
                reason=f"Operation mismatch: found response for {name}.",
            )
        expected = self._queue[0]["expected_params"]
        if expected is not None:
            params = _boto3_params(request)
            for param, value in expected.items():
                if param not in params or value != params[param]:
                    raise StubAssertionError(
                        operation_name=operation_name,
                        reason=(
                            f"Expected parameters:\n{pformat(expected)},\n"
                            f"but received:\n{pformat(params)}"
                        ),
                    )
            if sorted(expected.keys()) != sorted(params.keys()):
                raise StubAssertionError(
                    operation_name=operation_name,
                    reason=f"Expected parameters:\n{pformat(expected)},\nbut received:\n"
                    f"{pformat(params)}",
                )
        response = self._queue.popleft()["response"]
        if isinstance(response, ClientError):
            raise response
        return response


def _operation(method: str) -> tuple[type[RequestModel], type[ResponseModel]]:
    op = _ops.BY_METHOD_NAME.get(method)
    if op is None:
        raise ValueError(f"Client s3 does not have method: {method}")
    return op.request, op.response


def _boto3_params(request: RequestModel) -> dict[str, object]:
    """The call's parameters as the user passed them, with boto3's names."""
    params: dict[str, object] = request.model_dump(by_alias=True, exclude_unset=True)
    for key, value in params.items():
        if isinstance(value, SecretStr):
            params[key] = value.get_secret_value()
    return params


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class inside `X`, `X | None` or `list[X]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, list):
        for arg in get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _check_keys(model: type[BaseModel], data: object, where: str, *, top: bool = False) -> None:
    """Refuse keys the model does not know (its `extra="ignore"` would drop them silently),
    as botocore's response validation refuses unknown members."""
    if isinstance(data, list):
        for i, item in enumerate(data):
            _check_keys(model, item, f"{where}[{i}]")
        return
    if not isinstance(data, Mapping):
        return  # the model validation reports the wrong type
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    for key, value in data.items():
        path = f"{where}.{key}" if where else str(key)
        field = fields.get(key)
        if field is None:
            known = ", ".join(sorted(fields))
            raise ParamValidationError(
                f"invalid stubbed response: unknown key {path!r} (valid: {known})",
                [f"{path}: unknown key"],
            )
        inner = _model_of(field.annotation)
        if inner is not None:
            _check_keys(inner, value, path)
