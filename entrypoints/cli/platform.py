"""`accredit tenants ...` and `accredit api-keys ...`: the operator's tools for the platform."""

from __future__ import annotations

import argparse
from datetime import timedelta
from uuid import UUID

from adapters.platform.queries import PlatformQueries
from domain.platform.application import DEMO_TENANT_ID
from domain.platform.features import Feature
from domain.platform.permissions import ADMIN, Permission
from domain.platform.tiers import Tier
from entrypoints.cli.arguments import values, zoned_time
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


TENANT_ID = "the tenant's id (printed by `tenants create`)"
KEY_ID = "the key's id (see `api-keys list`)"


def _add_key_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("api-keys", help="issue, list, rotate and revoke API keys")
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    issue = actions.add_parser("issue", help="issue a key and print its secret once")
    issue.add_argument("tenant_id", type=UUID, help=TENANT_ID)
    issue.add_argument("--name", required=True, help="what the key is for, e.g. 'north gate'")
    issue.add_argument(
        "--permission",
        action="append",
        required=True,
        choices=values([ADMIN, *Permission]),
        metavar="PERMISSION",
        help=f"repeatable: {ADMIN} (every permission) or one such as audit:read; "
        "a wrong one lists them all",
    )
    issue.add_argument(
        "--tier",
        default=Tier.STANDARD.value,
        choices=values(Tier),
        help="its rate-limit tier (default: %(default)s)",
    )
    issue.add_argument(
        "--expires-at", type=zoned_time, help="when it stops working (ISO 8601, zoned)"
    )
    issue.set_defaults(func=cmd_keys_issue)
    listing = actions.add_parser("list", help="the tenant's keys, without their secrets")
    listing.add_argument("tenant_id", type=UUID, help=TENANT_ID)
    listing.set_defaults(func=cmd_keys_list)
    rotate = actions.add_parser(
        "rotate", help="give a key a new secret; the previous one works for a grace period"
    )
    rotate.add_argument("tenant_id", type=UUID, help=TENANT_ID)
    rotate.add_argument("key_id", type=UUID, help=KEY_ID)
    rotate.add_argument(
        "--grace-seconds",
        type=int,
        default=86400,
        help="how long the previous secret keeps working (default: %(default)s)",
    )
    rotate.set_defaults(func=cmd_keys_rotate)
    revoke = actions.add_parser("revoke", help="stop a key from working, at once")
    revoke.add_argument("tenant_id", type=UUID, help=TENANT_ID)
    revoke.add_argument("key_id", type=UUID, help=KEY_ID)
    revoke.set_defaults(func=cmd_keys_revoke)


def add_platform_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds `accredit tenants ...` and `accredit api-keys ...`."""
    tenants = sub.add_parser("tenants", help="create tenants, rename them, switch features")
    actions = tenants.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a tenant and print its admin key once")
    create.add_argument("name", help="the organiser's name")
    create.add_argument(
        "--feature",
        action="append",
        choices=values(Feature),
        help="a feature to enable, repeatable (default: all of them)",
    )
    create.set_defaults(func=cmd_tenants_create)
    rename = actions.add_parser("rename", help="give a tenant a new name")
    rename.add_argument("tenant_id", type=UUID, help=TENANT_ID)
    rename.add_argument("name", help="the new name")
    rename.set_defaults(func=cmd_tenants_rename)
    features = actions.add_parser("features", help="enable or disable feature flags")
    features.add_argument("tenant_id", type=UUID, help=TENANT_ID)
    features.add_argument(
        "--enable", action="append", choices=values(Feature), help="a feature, repeatable"
    )
    features.add_argument(
        "--disable", action="append", choices=values(Feature), help="a feature, repeatable"
    )
    features.set_defaults(func=cmd_tenants_features)

    _add_key_commands(sub)
