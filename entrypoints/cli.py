"""The `accredit` command: serve, workers, and the operator's tenant and key tools."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from adapters.settings import Settings, SettingsError
from domain.cause import Cause, caused_by
from domain.errors import DomainError
from domain.features import Feature
from domain.platform import DEMO_TENANT_ID
from domain.tiers import Tier
from entrypoints.analysts_cli import add_analyst_commands
from entrypoints.audit_cli import add_audit_commands
from entrypoints.container import Container, build
from entrypoints.projections_cli import add_projection_commands
from entrypoints.supervisor import Child, Supervisor
from entrypoints.verify_cli import add_verify_command
from entrypoints.workers import WORKERS, run_worker


def _print_key(title: str, tenant_id: UUID, key_id: UUID, secret: str) -> None:
    print(title)
    print(f"  tenant id: {tenant_id}")
    print(f"  key id:    {key_id}")
    print("  secret (shown once, store it now):")
    print(f"    export ACCREDIT_KEY={secret}")


def ensure_demo_tenant(container: Container) -> None:
    """On the first start, a demo tenant and its admin key, so a newcomer can call the API."""
    platform = container.platform
    if platform.tenant_exists(DEMO_TENANT_ID):
        return
    platform.create_tenant("Demo organiser", tuple(Feature), tenant_id=DEMO_TENANT_ID)
    issued = platform.issue_api_key(DEMO_TENANT_ID, "demo admin", ["ADMIN"], Tier.PREMIUM.value)
    _print_key("Created the demo tenant.", DEMO_TENANT_ID, issued.ack.aggregate_id, issued.secret)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    env = dict(os.environ)
    for name in ("host", "port", "workers", "threads"):
        value = getattr(args, name)
        if value is not None:
            env[f"ACCREDIT_{name.upper()}"] = str(value)
    settings = Settings.from_env(env)
    with build(settings) as container:
        if settings.demo_tenant:
            ensure_demo_tenant(container)
        # Views answer from the first request: bring them up to date before serving.
        container.catch_up()
    sys.stdout.flush()
    python = sys.executable
    children = [
        Child(
            "http",
            [
                python,
                "-m",
                "gunicorn",
                "--config",
                "python:entrypoints.gunicorn_conf",
                "entrypoints.http.app:create_app()",
            ],
        ),
        *(Child(name, [python, "-m", "entrypoints.cli", "worker", name]) for name in WORKERS),
    ]
    print(f"Accredit listening on http://{settings.host}:{settings.port}  (docs: /docs)")
    sys.stdout.flush()
    return Supervisor(children, env).run()


def cmd_cipher_key(args: argparse.Namespace, settings: Settings) -> int:
    del args, settings
    # Imported here: only this command needs the library directly.
    from eventsourcing.cryptography import AESCipher  # noqa: PLC0415

    print(AESCipher.create_key(32))
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    run_worker(args.name, settings)
    return 0


def cmd_tenants_create(args: argparse.Namespace, settings: Settings) -> int:
    with build(settings) as container:
        features = [Feature(f) for f in args.feature] if args.feature else list(Feature)
        ack = container.platform.create_tenant(args.name, features)
        issued = container.platform.issue_api_key(ack.aggregate_id, "admin", ["ADMIN"])
        _print_key(
            f"Created tenant {args.name!r}.",
            ack.aggregate_id,
            issued.ack.aggregate_id,
            issued.secret,
        )
    return 0


def cmd_tenants_rename(args: argparse.Namespace, settings: Settings) -> int:
    with build(settings) as container:
        ack = container.platform.rename_tenant(args.tenant_id, args.name)
        print(f"Renamed tenant {ack.aggregate_id} (version {ack.version}).")
    return 0


def cmd_tenants_features(args: argparse.Namespace, settings: Settings) -> int:
    with build(settings) as container:
        for name in args.enable or []:
            container.platform.set_feature(args.tenant_id, Feature(name), enabled=True)
        for name in args.disable or []:
            container.platform.set_feature(args.tenant_id, Feature(name), enabled=False)
        container.catch_up()
        tenant = container.platform_queries.tenant(args.tenant_id)
        enabled = ", ".join(tenant.features) if tenant else "?"
        print(f"Features of {args.tenant_id}: {enabled or '(none)'}")
    return 0


def cmd_keys_issue(args: argparse.Namespace, settings: Settings) -> int:
    with build(settings) as container:
        issued = container.platform.issue_api_key(
            args.tenant_id, args.name, args.permission, args.tier, args.expires_at
        )
        _print_key(
            f"Issued key {args.name!r}.", args.tenant_id, issued.ack.aggregate_id, issued.secret
        )
    return 0


def cmd_keys_list(args: argparse.Namespace, settings: Settings) -> int:
    with build(settings) as container:
        container.catch_up()
        cursor = None
        print(f"{'key id':36}  {'status':8}  {'tier':9}  name / permissions")
        while True:
            page = container.platform_queries.api_keys(args.tenant_id, 200, cursor)
            for key in page.items:
                status = "revoked" if key.revoked_at else "active"
                print(
                    f"{key.id}  {status:8}  {key.tier:9}  {key.name} / {','.join(key.permissions)}"
                )
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return 0


def cmd_keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    with build(settings) as container:
        issued = container.platform.rotate_api_key(
            args.tenant_id, args.key_id, timedelta(seconds=args.grace_seconds)
        )
        _print_key("Rotated the key.", args.tenant_id, args.key_id, issued.secret)
        print(f"  the previous secret works until {issued.previous_secret_valid_until}")
    return 0


def cmd_keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    with build(settings) as container:
        container.platform.revoke_api_key(args.tenant_id, args.key_id)
        print(f"Revoked key {args.key_id}.")
    return 0


def _aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2027-01-31T00:00:00+00:00")
    return parsed


def _add_key_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("api-keys", help="manage API keys").add_subparsers(
        dest="action", required=True
    )
    issue = keys.add_parser("issue", help="issue a key and print its secret once")
    issue.add_argument("tenant_id", type=UUID)
    issue.add_argument("--name", required=True)
    issue.add_argument(
        "--permission", action="append", required=True, help="repeatable; ADMIN = all"
    )
    issue.add_argument("--tier", default=Tier.STANDARD.value, choices=list(Tier))
    issue.add_argument("--expires-at", type=_aware)
    issue.set_defaults(func=cmd_keys_issue)
    listing = keys.add_parser("list")
    listing.add_argument("tenant_id", type=UUID)
    listing.set_defaults(func=cmd_keys_list)
    rotate = keys.add_parser("rotate")
    rotate.add_argument("tenant_id", type=UUID)
    rotate.add_argument("key_id", type=UUID)
    rotate.add_argument("--grace-seconds", type=int, default=86400)
    rotate.set_defaults(func=cmd_keys_rotate)
    revoke = keys.add_parser("revoke")
    revoke.add_argument("tenant_id", type=UUID)
    revoke.add_argument("key_id", type=UUID)
    revoke.set_defaults(func=cmd_keys_revoke)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="accredit", description="Accredit service and tools")
    sub = root.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP workers and background workers")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="gunicorn worker processes")
    serve.add_argument("--threads", type=int, help="threads per gunicorn worker")
    serve.set_defaults(func=cmd_serve)

    cipher = sub.add_parser("cipher-key", help="print a new key for ACCREDIT_CIPHER_KEY")
    cipher.set_defaults(func=cmd_cipher_key)

    worker = sub.add_parser("worker", help="run one background worker alone")
    worker.add_argument("name", choices=sorted(WORKERS))
    worker.set_defaults(func=cmd_worker)

    tenants = sub.add_parser("tenants", help="manage tenants").add_subparsers(
        dest="action", required=True
    )
    create = tenants.add_parser("create", help="create a tenant and print its admin key once")
    create.add_argument("name")
    create.add_argument("--feature", action="append", choices=list(Feature), help="repeatable")
    create.set_defaults(func=cmd_tenants_create)
    rename = tenants.add_parser("rename")
    rename.add_argument("tenant_id", type=UUID)
    rename.add_argument("name")
    rename.set_defaults(func=cmd_tenants_rename)
    features = tenants.add_parser("features", help="enable or disable feature flags")
    features.add_argument("tenant_id", type=UUID)
    features.add_argument("--enable", action="append", choices=list(Feature))
    features.add_argument("--disable", action="append", choices=list(Feature))
    features.set_defaults(func=cmd_tenants_features)

    _add_key_commands(sub)

    audit = sub.add_parser("audit", help="the auditor's history of domain events").add_subparsers(
        dest="action", required=True
    )
    add_audit_commands(audit)
    add_verify_command(audit)
    add_projection_commands(sub)
    add_analyst_commands(sub)
    return root


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return f"uid-{os.getuid()}"


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        # Whatever the command records is attributed to the operator who ran it.
        with caused_by(Cause(f"cli:{_operator()}", uuid4().hex)):
            code: int = args.func(args, settings)
    except SettingsError as exc:
        print(f"accredit: configuration error: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"accredit: {exc.detail}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
