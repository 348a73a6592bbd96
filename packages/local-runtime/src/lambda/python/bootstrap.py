"""A Lambda Python runtime for sam-local-runtime: the Runtime API loop of Lambda's own runtime interface client.

It imports the handler named by _HANDLER (`module.function`, the module relative to LAMBDA_TASK_ROOT), reports an
import failure to /runtime/init/error, then asks /runtime/invocation/next for an event, calls the handler with the
event and a context, and posts the result (JSON) or the error, forever. The runtime ends the process.
"""

import importlib
import json
import logging
import os
import sys
import time
import traceback
import urllib.parse
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
# Written after an invocation whose logs were asked for (see lambda/output.ts): every line before it is the invocation's.
END_OF_INVOCATION = "\0sam-local-runtime:end-of-invocation\n"


# The request id the log lines of the running invocation carry (awslambdaric's _GLOBAL_AWS_REQUEST_ID).
current_request_id = None

LOG_LEVELS = {
    "TRACE": 5,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "ERROR": logging.ERROR,
    "FATAL": logging.CRITICAL,
}


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_request_id
        return True


def setup_logging():
    """The root logger as Lambda's Python runtime sets it (awslambdaric bootstrap, _setup_logging): one handler
    printing `[LEVEL]\t<UTC time>Z\t<request id>\t<message>`, the level from AWS_LAMBDA_LOG_LEVEL when set (else
    Python's WARNING: a `logger.setLevel(logging.INFO)` of the function's own opens it, as on Lambda)."""
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.terminator = "\n"
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = LOG_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper())
    if level is not None:
        root.setLevel(level)
    root.addHandler(handler)


def end_of_invocation(flush):
    if flush:
        sys.stderr.flush()
        sys.stdout.write(END_OF_INVOCATION)
        sys.stdout.flush()


def post(path, body, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    request = urllib.request.Request(API + path, data=json.dumps(body).encode(), headers=headers, method="POST")
    urllib.request.urlopen(request).read()


def error_body(error, request_id=None):
    # Lambda's Python runtime (awslambdaric make_error): the invocation's request id, and the stack from the handler's
    # frame down, formatted frame by frame without the runtime's own frames or the final "Type: message" line, as
    # recorded in test_apigateway_lambda.snapshot.json test_lambda_selection_patterns "lambda-selection-pattern-400".
    frames = traceback.extract_tb(error.__traceback__)
    while frames and frames[0].filename == __file__:
        frames = frames[1:]
    body = {"errorMessage": str(error), "errorType": type(error).__name__}
    if request_id is not None:
        body["requestId"] = request_id
    body["stackTrace"] = traceback.format_list(frames)
    return body


class InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


class LambdaContext:
    def __init__(self, request_id, deadline_ms, function_arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


# The template's own APIs as functions name them in code ({"<id>.execute-api.<region>.amazonaws.com" or
# "127.0.0.1:3001": "http://127.0.0.1:3001"}), from the runtime (lambda/local-hosts.ts does the same for Node.js).
LOCAL_HOSTS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
redirected = False


def redirect_local_hosts():
    """Functions build API Gateway URLs in code, `https://{requestContext.domainName}/{stage}` or the execute-api
    host name, for the @connections API: boto3's calls to one of the template's own APIs go to the local server
    over plain HTTP instead, with the Host header they were signed for. botocore is patched once it is loaded (by
    the handler's module, or an earlier invocation)."""
    global redirected
    httpsession = sys.modules.get("botocore.httpsession")
    if redirected or not LOCAL_HOSTS or httpsession is None:
        return
    redirected = True
    send = httpsession.URLLib3Session.send

    def local_send(self, request):
        parts = urllib.parse.urlsplit(request.url)
        origin = LOCAL_HOSTS.get(parts.netloc) or LOCAL_HOSTS.get(parts.hostname or "")
        if parts.scheme == "https" and isinstance(origin, str):
            if "Host" not in request.headers:
                request.headers["Host"] = parts.netloc
            local = urllib.parse.urlsplit(origin).netloc
            request.url = urllib.parse.urlunsplit(("http", local, parts.path, parts.query, parts.fragment))
        return send(self, request)

    httpsession.URLLib3Session.send = local_send


def load():
    handler = os.environ.get("_HANDLER", "")
    module_path, _, function_name = handler.rpartition(".")
    if not module_path or not function_name:
        raise ValueError("Bad handler '%s': not enough values to unpack (expected 2, got 1)" % handler)
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    try:
        module = importlib.import_module(module_path.replace("/", "."))
    except ImportError as error:
        # Lambda's own wording and error type for a module that cannot be imported.
        raise InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_path, error))
    function = getattr(module, function_name, None)
    if function is None:
        raise InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_path))
    return function


def main():
    global current_request_id
    setup_logging()
    try:
        function = load()
    except Exception as error:  # noqa: BLE001 - every init failure is reported, as Lambda does
        body = error_body(error)
        if isinstance(error, InitError):
            body = {"errorMessage": str(error), "errorType": error.error_type, "stackTrace": []}
        post("/init/error", body, body["errorType"])
        sys.exit(1)
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as response:
            request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
            deadline = int(response.headers["Lambda-Runtime-Deadline-Ms"])
            arn = response.headers["Lambda-Runtime-Invoked-Function-Arn"]
            flush = response.headers.get("Lambda-Runtime-Local-Flush") == "1"
            # As Lambda's Python runtime does: the X-Ray SDK reads the invocation's trace header from here.
            trace_id = response.headers.get("Lambda-Runtime-Trace-Id")
            if trace_id:
                os.environ["_X_AMZN_TRACE_ID"] = trace_id
            else:
                os.environ.pop("_X_AMZN_TRACE_ID", None)
            event = json.loads(response.read() or b"null")
        current_request_id = request_id
        redirect_local_hosts()
        try:
            result = function(event, LambdaContext(request_id, deadline, arn))
            end_of_invocation(flush)
            post("/invocation/" + request_id + "/response", result)
        except Exception as error:  # noqa: BLE001 - a handler's exception is the invocation's error
            traceback.print_exc()
            end_of_invocation(flush)
            post("/invocation/" + request_id + "/error", error_body(error, request_id), "Unhandled")


if __name__ == "__main__":
    main()
