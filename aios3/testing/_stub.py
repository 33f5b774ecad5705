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
from .._serialize import serialize
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
        if not isinstance(client, S3Client):
            meta = getattr(client, "meta", None)
            hint = (
                "; for a resource, stub its client: Stubber(resource.meta.client)"
                if isinstance(getattr(meta, "client", None), S3Client)
                else ""
            )
            raise TypeError(f"Stubber takes an aios3.S3Client, not {type(client).__name__}{hint}")
        self.client = client
        self._queue: deque[_Stubbed] = deque()
        self._active = False
        self._previous: object = None

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
        """Answer the client's calls from the queue from now on (again: no effect).

        A second `Stubber` activated on the same client takes over until it is
        deactivated; then the first answers again.
        """
        # every operation method of the client goes through its `_invoke`; an instance
        # attribute of that name shadows the method, so the client's hot path has no hook
        # and nothing is sent
        current = self.client.__dict__.get("_invoke")
        if self._active and current == self._invoke:
            return
        self._previous = current
        self.client._invoke = self._invoke  # type: ignore[method-assign,assignment]
        self._active = True

    def deactivate(self) -> None:
        """Let the client send its calls again (again, or never activated: no effect)."""
        if not self._active:
            return
        self._active = False
        if self.client.__dict__.get("_invoke") != self._invoke:
            return  # another stubber took over since; leave its hook in place
        if self._previous is None:
            del self.client._invoke
        else:
            self.client._invoke = self._previous  # type: ignore[method-assign,assignment]
        self._previous = None

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
        # botocore does not check ResponseMetadata (a real response's may hold more keys,
        # e.g. MaxAttemptsReached); the model keeps the ones it knows
        _check_keys(
            response_model, {k: v for k, v in response.items() if k != "ResponseMetadata"}, ""
        )
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
        service_error_meta: Mapping[str, str] | None = None,
        expected_params: Mapping[str, object] | None = None,
        response_meta: Mapping[str, object] | None = None,
        modeled_fields: Mapping[str, str] | None = None,
    ) -> None:
        """Queue an error for the next call: it raises the `ClientError` subclass of
        `service_error_code` (`NoSuchUpload`...), as the client raises a real one.

        The arguments are botocore's, in botocore's order.

        Args:
            method: the client method, snake_case.
            service_error_code: the S3 error code, e.g. `"NoSuchUpload"`.
            service_message: the error message.
            http_status_code: the HTTP status of the answer.
            service_error_meta: more items of `response["Error"]`.
            expected_params: as for `add_response`.
            response_meta: more items of `response["ResponseMetadata"]` (`RequestId`,
                `HostId`, `HTTPHeaders`...).
            modeled_fields: the error shape's own members (S3's `InvalidObjectState` has
                `StorageClass` and `AccessTier`), at the top of `response`; checked
                against botocore's S3 model, as botocore checks them.

        Raises:
            ValueError: the client has no such operation.
            ParamValidationError: an item is not a string, or a modeled field is not a
                member of the error's shape.
        """
        request_model, _ = _operation(method)
        meta = dict(response_meta or {})
        headers = meta.pop("HTTPHeaders", None)
        retries = meta.pop("RetryAttempts", 0)
        host_id = meta.pop("HostId", "")
        request_id = meta.pop("RequestId", "")
        extra = dict(service_error_meta or {})
        bad = [k for k, v in extra.items() if not isinstance(v, str)]
        if bad or not isinstance(host_id, str) or not isinstance(request_id, str):
            raise ParamValidationError(
                f"invalid stubbed error for {method}: error items and ids are strings",
                [f"{k}: not a string" for k in bad],
            )
        modeled = _modeled_fields(service_error_code, modeled_fields)
        error = ERROR_CLASSES.get(service_error_code, ClientError)(
            code=service_error_code,
            message=service_message,
            status_code=http_status_code,
            request_id=request_id,
            host_id=host_id,
            operation_name=request_model.operation_name,
            headers=headers if isinstance(headers, Mapping) else None,
            retry_attempts=retries if isinstance(retries, int) else 0,
            extra=extra,
        )
        error.response["ResponseMetadata"].update(meta)  # type: ignore[typeddict-item]
        error.response.update(modeled)  # type: ignore[typeddict-item]
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
        # the same validation and serialisation as the client's, before anything is
        # answered (botocore's stubbed client builds the request too): a call that would
        # be refused before sending (non-ASCII metadata, CR/LF in a header) is refused here
        validated = _ops.validated(op, request, params)
        serialize(validated)
        return self._answer(validated)

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
            mismatch = any(
                param not in params or value != params[param] for param, value in expected.items()
            )
            if mismatch or sorted(expected.keys()) != sorted(params.keys()):
                secret = _secret_names(request)
                raise StubAssertionError(
                    operation_name=operation_name,
                    reason=(
                        f"Expected parameters:\n{pformat(_masked(expected, secret))},\n"
                        f"but received:\n{pformat(_masked(params, secret))}"
                    ),
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


_MASK = "***"


def _secret_names(request: RequestModel) -> set[str]:
    """boto3's names of the request's secret parameters (an SSE-C key, hidden from reprs)."""
    return {
        field.alias or name
        for name, field in type(request).model_fields.items()
        if field.repr is False
        or field.annotation is SecretStr
        or SecretStr in get_args(field.annotation)
    }


def _masked(params: Mapping[str, object], secret: set[str]) -> dict[str, object]:
    """`params` for an error message: secret values replaced (`ANY` and `None` kept)."""
    return {
        k: _MASK if k in secret and v is not None and not isinstance(v, _Any) else v
        for k, v in params.items()
    }


_ERROR_SHAPES: dict[str, tuple[str, ...] | None] = {}


def _modeled_fields(code: str, fields: Mapping[str, str] | None) -> dict[str, str]:
    """`modeled_fields` checked against the error shape of `code` in botocore's S3 model."""
    if fields is None:
        return {}
    if code not in _ERROR_SHAPES:
        import botocore.session

        shape = botocore.session.get_session().get_service_model("s3").shape_for_error_code(code)
        members = getattr(shape, "members", None)
        _ERROR_SHAPES[code] = tuple(members) if members is not None else None
    members = _ERROR_SHAPES[code]
    if members is None and fields:
        raise ParamValidationError(
            f"invalid modeled_fields: S3 has no modeled error {code!r}",
            [f"{k}: no modeled error {code!r}" for k in fields],
        )
    problems = [f"{k}: unknown member of {code}" for k in fields if k not in (members or ())]
    problems += [f"{k}: not a string" for k, v in fields.items() if not isinstance(v, str)]
    if problems:
        raise ParamValidationError(
            f"invalid modeled_fields for {code}: must be one of: {', '.join(members or ())}",
            problems,
        )
    return dict(fields)


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
