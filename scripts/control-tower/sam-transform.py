"""Runs the AWS SAM translator (the code behind CloudFormation's AWS::Serverless-2016-10-31 transform) on a template.

Reads the template as JSON on stdin (AWS::Include already spliced in), writes the CloudFormation template SAM makes
of it on stdout. Arguments are parameter values, `Name=Value`. Local paths (CodeUri, DefinitionUri) are replaced by
S3 locations first, as `sam package` does before CloudFormation sees the template.

Needs the `samtranslator` package on the Python path (README, "AWS Control Tower controls"). Exit code 3 when it
is not importable, so that callers can tell "no translator here" from "the translator refused the template".
"""

import json
import os
import sys

try:
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.model.exceptions import InvalidDocumentException
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"samtranslator is not importable: {error}", file=sys.stderr)
    sys.exit(3)

PACKAGED = "s3://sam-package-bucket/"


def package(template):
    """What `sam package` does to local artifact paths: upload them and put their S3 location in."""
    function_globals = template.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = PACKAGED + "code.zip"
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties") or {}
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function" and isinstance(properties.get("CodeUri"), str):
            properties["CodeUri"] = PACKAGED + logical_id + ".zip"
        if kind in ("AWS::Serverless::StateMachine", "AWS::Serverless::Api") and isinstance(
            properties.get("DefinitionUri"), str
        ):
            properties["DefinitionUri"] = PACKAGED + logical_id + ".json"
    return template


def main():
    parameters = dict(argument.split("=", 1) for argument in sys.argv[1:])
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    template = package(json.load(sys.stdin))
    try:
        # No managed policy names are used by name in the template, so no IAM look-up is needed (or possible).
        transformed = Translator({}, Parser()).translate(
            sam_template=template, parameter_values=parameters, get_managed_policy_map=lambda: {}
        )
    except InvalidDocumentException as error:
        for cause in error.causes:
            print(f"SAM transform error: {cause.message}", file=sys.stderr)
        sys.exit(1)
    json.dump(transformed, sys.stdout, indent=1, sort_keys=False)


if __name__ == "__main__":
    main()
