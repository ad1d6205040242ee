"""Helpers shared by the infrastructure tests (imported as ``synth_support``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

EXTERNAL_ISSUER = "https://idp.example.org/realms/argus"
EXTERNAL_AUDIENCE = "argus-api"
ALARM_EMAIL = "ops@example.org"
# What a production stage needs beyond its defaults: the public API name and its certificates (the
# CloudFront one in us-east-1, the origin's in the stage region, eu-west-2) and an alarm subscriber.
API_DOMAIN = "api.argus.example.org"
API_ORIGIN_DOMAIN = "origin.api.argus.example.org"
API_CERTIFICATE_ARN = "arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555"
API_ORIGIN_CERTIFICATE_ARN = (
    "arn:aws:acm:eu-west-2:111111111111:certificate/66666666-7777-8888-9999-000000000000"
)
ALLOWED_COUNTRIES = ("GB", "IE")
EDGE_CONTEXT = {
    "apiDomain": API_DOMAIN,
    "apiOriginDomain": API_ORIGIN_DOMAIN,
    "apiCertificateArn": API_CERTIFICATE_ARN,
    "apiOriginCertificateArn": API_ORIGIN_CERTIFICATE_ARN,
    "allowedCountries": ",".join(ALLOWED_COUNTRIES),
}


@dataclass(frozen=True)
class Synth:
    """One synthesized app: its stacks' templates (``edge``: the us-east-1 stack, only when the stage has
    a public API domain) and the assembly directory."""

    app: cdk.App
    stateful: Template
    service: Template
    outdir: Path
    edge: Template | None = None

    def templates(self) -> list[Path]:
        return sorted(self.outdir.glob("*.template.json"))


def resources(template: Template, resource_type: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    """Resources of ``resource_type`` (optionally matching ``props``), by logical id."""
    return template.find_resources(resource_type, {"Properties": props} if props else None)


def only(
    template: Template, resource_type: str, props: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """The one resource of ``resource_type`` matching ``props``: (logical id, resource)."""
    found = resources(template, resource_type, props)
    assert len(found) == 1, f"expected one {resource_type} matching {props}, found {sorted(found)}"
    return next(iter(found.items()))


def imported(synth: Synth, value: dict[str, Any]) -> dict[str, str]:
    """How the service stack reads ``value`` of the stateful stack: ``Fn::ImportValue`` of its export."""
    outputs = synth.stateful.to_json()["Outputs"].values()
    names = [o["Export"]["Name"] for o in outputs if o["Value"] == value and "Export" in o]
    assert len(names) == 1, f"no single export of {value}"
    return {"Fn::ImportValue": names[0]}


def cognito_issuer_and_audience(synth: Synth) -> tuple[dict[str, str], dict[str, str]]:
    """The user pool's issuer URL and app client id, as the service stack imports them."""
    pool_id, _ = only(synth.stateful, "AWS::Cognito::UserPool")
    client_id, _ = only(synth.stateful, "AWS::Cognito::UserPoolClient")
    return imported(synth, {"Fn::GetAtt": [pool_id, "ProviderURL"]}), imported(synth, {"Ref": client_id})


def deployed_layers(synth: Synth) -> dict[str, list[Path]]:
    """Each function of the service stack by handler: the directories its layers are made from, in order
    (the template's layer resources, through the cloud assembly's asset manifest)."""
    (manifest,) = synth.outdir.glob("*-Service.assets.json")
    sources = {
        destination["objectKey"]: Path(asset["source"]["path"])
        for asset in json.loads(manifest.read_text())["files"].values()
        for destination in asset["destinations"].values()
    }
    layers = resources(synth.service, "AWS::Lambda::LayerVersion")
    return {
        function["Properties"]["Handler"]: [
            sources[layers[ref["Ref"]]["Properties"]["Content"]["S3Key"]]
            for ref in function["Properties"].get("Layers", [])
        ]
        for function in resources(synth.service, "AWS::Lambda::Function").values()
    }


def write_file(path: Path, size: int = 10) -> None:
    """A file of ``size`` bytes at ``path`` (its directories made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def fake_distribution(site: Path, name: str, files: list[str], version: str = "1.0") -> None:
    """A distribution as pip installs it in ``site``: its files, and metadata whose RECORD lists them."""
    info = site / f"{name}-{version}.dist-info"
    for file in files:
        write_file(site / file)
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    records = [*files, f"{info.name}/METADATA", f"{info.name}/RECORD"]
    (info / "RECORD").write_text("".join(f"{r},,\n" for r in records))
