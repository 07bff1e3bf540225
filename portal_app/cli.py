"""``portal``: the operator's commands (migrate, seed the demo, notices, backup, scheduler...)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from portal_app.config import SettingsError, describe, settings


def _migrate(_args) -> None:
    from portal_app import migrations

    migrations.upgrade()
    print("Database is up to date.")


def _seed_demo(args) -> None:
    from portal_app import db
    from portal_app.services import demo_clinic

    if settings.production:
        sys.exit("Refusing to add demo data: PORTAL_ENV is production.")
    with db.transaction() as session:
        if demo_clinic.is_seeded(session):
            if not args.quiet:
                print("The database already has users; no demo data added.")
            return
        demo_clinic.seed(session)
    print("Demo clinic created.")


def _demo_logins(_args) -> None:
    from portal_app.services import demo_clinic

    print(f"\nDemo sign-ins for {settings.clinic_name} (fictional people, demo only):\n")
    print(f"  {'username':<16} {'password':<34} {'role':<11} who")
    for login in demo_clinic.logins():
        print(f"  {login.username:<16} {login.password:<34} {login.role:<11} {login.who}")
    print("\nEach account also asks for a 6-digit code from an authenticator app. For the demo, get it with:")
    print("  .venv/bin/portal demo-code USERNAME")
    print(f"\nOpen http://localhost:{settings.port} (a phone-sized window shows the mobile layout).\n")


def _demo_code(args) -> None:
    import pyotp

    from portal_app.services import demo_clinic

    if settings.production:
        sys.exit("Refusing: demo accounts do not exist in production.")
    key = demo_clinic.authenticator_key(args.username)
    print(f"{pyotp.TOTP(key).now()}  (the code for {args.username} now; it changes every 30 seconds)")
    print(f"To use an authenticator app instead, add this key: {key}")


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _notice(args) -> None:
    from portal_app import db
    from portal_app.services import notices
    from portal_app.services.access import Actor
    from portal_app.services.errors import ServiceError
    from portal_app import i18n

    actor = Actor.system("portal command")
    try:
        with db.transaction() as session:
            if args.action == "publish":
                notice_id = notices.publish(session, actor, args.text, args.spanish,
                                            _parse_time(args.starts), _parse_time(args.ends))
                print(f"Published notice {notice_id}.")
            else:
                notices.withdraw(session, actor, args.id)
                print(f"Withdrew notice {args.id}.")
    except ServiceError as refused:
        sys.exit(i18n.t(refused.key, **refused.params))


def _backup(args) -> None:
    from portal_app.services import backup

    target = backup.backup(settings.database_url, Path(args.directory or settings.backup_dir))
    print(f"Backup written to {target}")


def _restore(args) -> None:
    from portal_app.services import backup

    backup.restore(settings.database_url, Path(args.file))
    print(f"Restored from {args.file}")


def _scheduler(_args) -> None:
    import logging

    from portal_app.jobs import scheduler

    logging.basicConfig(level=logging.INFO)
    scheduler.run_forever()


def _audit(_args) -> None:
    from portal_app import db
    from portal_app.services import audit

    with db.transaction() as session:
        report = audit.verify(session)
    if not report.ok:
        sys.exit(f"Audit trail broken after {report.rows_checked - 1} good rows: {report.first_problem}")
    print(f"Audit trail intact: {report.rows_checked} rows")
    if report.last_hash:
        print(f"Latest row hash: {report.last_hash} (keep it outside the database to catch a rewritten trail)")


def _outbox(_args) -> None:
    """Send the due notices once (the scheduler does this every 10 s)."""
    import logging

    from portal_app.jobs import outbox_sender

    logging.basicConfig(level=logging.INFO)
    report = outbox_sender.send_due()
    print(f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}.")


def _invite(args) -> None:
    from portal_app import db, i18n
    from portal_app.services import invitations, patients
    from portal_app.services.access import Actor
    from portal_app.services.errors import ServiceError

    actor = Actor.system("portal command")
    try:
        with db.transaction() as session:
            found = patients.find_patients(session, actor, args.mrn)
            match = [item for item in found.items if item.mrn.upper() == args.mrn.strip().upper()]
            if not match:
                sys.exit(f"No patient has the MRN {args.mrn!r}.")
            issued = invitations.issue(session, actor, match[0].id)
    except ServiceError as refused:
        sys.exit(i18n.t(refused.key, **refused.params))
    print(f"Activation code for {match[0].name} ({match[0].mrn}): {issued.code}")
    print(f"Works once, until {issued.expires_at:%Y-%m-%d %H:%M} UTC. Also sent by: {', '.join(issued.sent_to) or 'nothing'}.")


def _create_admin(args) -> None:
    from portal_app import db, i18n
    from portal_app.models.people import Role
    from portal_app.services import staff
    from portal_app.services.access import Actor
    from portal_app.services.errors import ServiceError

    actor = Actor.system("portal create-admin")
    try:
        with db.transaction() as session:
            if staff.admin_exists(session) and not args.another:
                sys.exit("An admin account already exists; add --another to create one more.")
            created = staff.create_staff(session, actor, args.username, args.display_name, None, Role.ADMIN, args.email)
    except ServiceError as refused:
        sys.exit(i18n.t(refused.key, **refused.params))
    print(f"Admin {created.username} created. One-time password (shown only now): {created.one_time_password}")
    print("Give it to the person privately. It works once, within 7 days: at the first sign-in they choose their")
    print("own password and set up an authenticator app.")


def _import_fhir(args) -> None:
    """Each file in its own transaction: a refused file changes nothing, and the others still go in."""
    from portal_app import db
    from portal_app.services import fhir_import
    from portal_app.services.access import Actor

    actor = Actor.system("portal import-fhir")
    refused = 0
    for path in args.files:
        with db.transaction() as session:
            report = fhir_import.import_fhir(session, actor, Path(path).read_bytes(), Path(path).name)
        refused += not report.ok
        print(f"{path}:\n{report.summary()}")
    if refused:
        sys.exit(f"{refused} of {len(args.files)} files refused.")


def _check_config(_args) -> None:
    for name, value in describe(settings).items():
        print(f"{name:<24} {value}")
    settings.check()
    print("\nSettings are valid for", settings.env)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="portal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    seed = commands.add_parser("seed-demo", help="create the fictional demo clinic in an empty database")
    seed.add_argument("--quiet", action="store_true")
    seed.set_defaults(run=_seed_demo)
    commands.add_parser("demo-logins", help="print the demo sign-ins").set_defaults(run=_demo_logins)
    demo_code = commands.add_parser("demo-code", help="print a demo account's current authenticator code")
    demo_code.add_argument("username")
    demo_code.set_defaults(run=_demo_code)

    notice = commands.add_parser("notice", help="publish or withdraw a clinic notice")
    notice_actions = notice.add_subparsers(dest="action", required=True)
    publish = notice_actions.add_parser("publish")
    publish.add_argument("text")
    publish.add_argument("--spanish", help="the same notice in Spanish")
    publish.add_argument("--starts", help="ISO date-time (UTC if no zone); default now")
    publish.add_argument("--ends", help="ISO date-time; default: until withdrawn")
    withdraw = notice_actions.add_parser("withdraw")
    withdraw.add_argument("id", type=int)
    notice.set_defaults(run=_notice)

    backup_cmd = commands.add_parser("backup", help="write a backup of the database")
    backup_cmd.add_argument("--directory")
    backup_cmd.set_defaults(run=_backup)
    restore_cmd = commands.add_parser("restore", help="replace the database's contents with a backup")
    restore_cmd.add_argument("file")
    restore_cmd.set_defaults(run=_restore)
    commands.add_parser("scheduler", help="run the job scheduler process").set_defaults(run=_scheduler)
    commands.add_parser("check-config", help="show settings and check them").set_defaults(run=_check_config)
    invite_cmd = commands.add_parser("invite", help="invite a patient to the portal: prints an activation code")
    invite_cmd.add_argument("mrn", help="the patient's medical record number")
    invite_cmd.set_defaults(run=_invite)
    import_cmd = commands.add_parser("import-fhir", help="import FHIR R4 files (bundles or NDJSON) into the health record")
    import_cmd.add_argument("files", nargs="+", metavar="FILE")
    import_cmd.set_defaults(run=_import_fhir)
    admin_cmd = commands.add_parser("create-admin", help="create an admin account: prints a one-time password")
    admin_cmd.add_argument("username")
    admin_cmd.add_argument("display_name")
    admin_cmd.add_argument("email")
    admin_cmd.add_argument("--another", action="store_true", help="allow it when an admin already exists")
    admin_cmd.set_defaults(run=_create_admin)
    outbox_cmd = commands.add_parser("outbox", help="notifications outbox")
    outbox_cmd.add_subparsers(dest="action", required=True).add_parser("send-once", help="send the due notices now")
    outbox_cmd.set_defaults(run=_outbox)
    audit_cmd = commands.add_parser("audit", help="check the audit trail")
    audit_actions = audit_cmd.add_subparsers(dest="action", required=True)
    audit_actions.add_parser("verify", help="check every audit row against the hash chain")
    audit_cmd.set_defaults(run=_audit)

    args = parser.parse_args(argv)
    try:
        args.run(args)
    except SettingsError as problem:
        sys.exit(str(problem))


if __name__ == "__main__":
    main()
