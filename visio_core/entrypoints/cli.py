"""Command line: `python -m visio_core serve | users add|list|passwd | seed-demo | ingest | transcribe`."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from visio_core.domain.errors import InvalidInput, VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Role

if TYPE_CHECKING:
    from visio_core.entrypoints.context import AppContext


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez : ") != first:
        raise VisioError("Les deux mots de passe diffèrent.")
    return first


def _users(ctx: AppContext, args: argparse.Namespace) -> int:
    accounts = ctx.accounts
    if args.action == "list":
        for user in accounts.list_users():
            owner = f" operator={user.operator_id}" if user.operator_id else ""
            tier = f" tier={user.tier.value}" if user.tier else ""
            print(f"{user.id}  {user.role.value:<8} {user.email:<32} {user.display_name}{owner}{tier}")
        return 0
    if args.action == "add":
        operator_id = None
        if args.operator:
            found = accounts.users.get_with_hash(args.operator.lower())
            if not found or found[0].role is not Role.OPERATOR:
                raise VisioError(f"Opérateur inconnu : {args.operator}")
            operator_id = found[0].id
        user = accounts.add_user(
            email=args.email,
            display_name=args.name or args.email,
            role=args.role,
            password=_password(args),
            operator_id=operator_id,
            tier=args.tier,
        )
        print(f"Compte créé : {user.email} ({user.role.value}) id={user.id}")
        return 0
    accounts.set_password(args.email, _password(args))
    print(f"Mot de passe changé pour {args.email}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m visio_core")
    sub = parser.add_subparsers(dest="command", required=True)

    users = sub.add_parser("users", help="gérer les comptes")
    actions = users.add_subparsers(dest="action", required=True)
    actions.add_parser("list")
    add = actions.add_parser("add")
    add.add_argument("email")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    add.add_argument("--name")
    add.add_argument("--operator", help="email de l'opérateur (clients et analystes)")
    add.add_argument("--tier", choices=["lab", "one"])
    add.add_argument("--password-stdin", action="store_true")
    passwd = actions.add_parser("passwd")
    passwd.add_argument("email")
    passwd.add_argument("--password-stdin", action="store_true")

    sub.add_parser("seed-demo", help="données de démonstration si la base est vide")

    serve = sub.add_parser("serve", help="le tableau de bord et ses workers (ce que lance `make run`)")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default="127.0.0.1", help="adresse d'écoute (0.0.0.0 : toutes)")
    serve.add_argument("--workers", type=int, default=1, help="processus de transcription sur cette machine")

    ingest = sub.add_parser("ingest", help="importer l'enregistrement d'un meeting tenu ailleurs")
    ingest.add_argument("file")
    ingest.add_argument("--meeting", required=True, help="identifiant du meeting")
    ingest.add_argument("--language", help="langue de la transcription (défaut : VISIO_DEFAULT_LANGUAGE)")

    transcribe = sub.add_parser("transcribe", help="afficher le SRT d'un fichier avec le fournisseur configuré")
    transcribe.add_argument("file")
    transcribe.add_argument("--language", help="code de langue, ou « auto »")
    transcribe.add_argument(
        "--speakers",
        metavar="N|auto",
        help="nommer les lignes « Intervenant 1/2… » par voix ; N : nombre de personnes, si on le sait",
    )
    return parser


SPEAKERS_MAX = 20  # `--speakers N`: more voices than a meeting holds is a typo


def _speaker_count(value: str | None) -> int | None:
    """`--speakers`: None or "auto" → estimated; a number from 1 to SPEAKERS_MAX → that many."""
    if value is None or value.strip().lower() == "auto":
        return None
    if not value.strip().isdigit() or not 1 <= int(value) <= SPEAKERS_MAX:
        raise InvalidInput(t("transcription.bad_speaker_count", value=value, max=SPEAKERS_MAX))
    return int(value)


def _ingest(ctx: AppContext, args: argparse.Namespace) -> int:
    from pathlib import Path

    from visio_core.domain.languages import check_language
    from visio_core.domain.model import parse_uuid

    language = check_language(args.language) if args.language else None
    recording, created = ctx.ingest.ingest_file(parse_uuid(args.meeting), Path(args.file), language=language)
    state = "importé" if created else "déjà importé"
    print(
        f"Enregistrement {recording.id} {state} ({recording.recording_duration_seconds:.1f} s, "
        f"{recording.file_size_bytes} octets) ; transcription : {recording.transcription_status.value}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":  # a parent of processes: it builds no context of its own
        from visio_core.entrypoints.supervisor import main as serve

        return serve(args.port, args.address, max(0, args.workers))
    from visio_core.entrypoints.bootstrap import get_context

    ctx = get_context()
    if ctx.settings.store_backend == "supabase" and args.command in ("users", "seed-demo"):
        # Accounts live in Supabase Auth and public.profiles there (see supabase/README.md).
        print(
            "Supabase est configuré : les comptes se gèrent dans Supabase Auth et la table profiles "
            "(voir supabase/README.md) ; rien n'a été modifié.",
            file=sys.stderr,
        )
        return 0 if args.command == "seed-demo" else 2
    try:
        if args.command == "users":
            return _users(ctx, args)
        if args.command == "ingest":
            return _ingest(ctx, args)
        if args.command == "transcribe":
            from visio_core.entrypoints.transcription import transcribe_to_srt

            count = _speaker_count(args.speakers)
            sys.stdout.write(
                transcribe_to_srt(
                    ctx.settings, args.file, args.language, by_voice=args.speakers is not None, speakers=count
                )
            )
            return 0
        if args.command == "seed-demo":
            from visio_core.entrypoints.demo import seed_demo

            print("Démo créée." if seed_demo(ctx) else "Base non vide : démo non créée.")
            return 0
    except VisioError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
