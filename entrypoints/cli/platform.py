"""`accredit tenants ...` and `accredit api-keys ...`: the operator's tools for the platform."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from uuid import UUID

from adapters.platform.queries import PlatformQueries
from domain.platform.application import DEMO_TENANT_ID
from domain.platform.features import Feature
from domain.platform.tiers import Tier
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Invocation, Subcommands


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


def cmd_tenants_create(args: argparse.Namespace, run: Invocation) -> int:
    with run.container() as container:
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


def cmd_tenants_rename(args: argparse.Namespace, run: Invocation) -> int:
    with run.container() as container:
        ack = container.platform.rename_tenant(args.tenant_id, args.name)
        print(f"Renamed tenant {ack.aggregate_id} (version {ack.version}).")
    return 0


def cmd_tenants_features(args: argparse.Namespace, run: Invocation) -> int:
    with run.container() as container:
        for name in args.enable or []:
            container.platform.set_feature(args.tenant_id, Feature(name), enabled=True)
        for name in args.disable or []:
            container.platform.set_feature(args.tenant_id, Feature(name), enabled=False)
        container.catch_up()
        tenant = container.query(PlatformQueries).tenant(args.tenant_id)
        enabled = ", ".join(tenant.features) if tenant else "?"
        print(f"Features of {args.tenant_id}: {enabled or '(none)'}")
    return 0


def cmd_keys_issue(args: argparse.Namespace, run: Invocation) -> int:
    with run.container() as container:
        issued = container.platform.issue_api_key(
            args.tenant_id, args.name, args.permission, args.tier, args.expires_at
        )
        _print_key(
            f"Issued key {args.name!r}.", args.tenant_id, issued.ack.aggregate_id, issued.secret
        )
    return 0


def cmd_keys_list(args: argparse.Namespace, run: Invocation) -> int:
    with run.container() as container:
        container.catch_up()
        cursor = None
        print(f"{'key id':36}  {'status':8}  {'tier':9}  name / permissions")
        while True:
            page = container.query(PlatformQueries).api_keys(args.tenant_id, 200, cursor)
            for key in page.items:
                status = "revoked" if key.revoked_at else "active"
                print(
                    f"{key.id}  {status:8}  {key.tier:9}  {key.name} / {','.join(key.permissions)}"
                )
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return 0


def cmd_keys_rotate(args: argparse.Namespace, run: Invocation) -> int:
    with run.container() as container:
        issued = container.platform.rotate_api_key(
            args.tenant_id, args.key_id, timedelta(seconds=args.grace_seconds)
        )
        _print_key("Rotated the key.", args.tenant_id, args.key_id, issued.secret)
        print(f"  the previous secret works until {issued.previous_secret_valid_until}")
    return 0


def cmd_keys_revoke(args: argparse.Namespace, run: Invocation) -> int:
    with run.container() as container:
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


def add_platform_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds `accredit tenants ...` and `accredit api-keys ...`."""
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
