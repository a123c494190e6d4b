"""Every user-facing string, by key. French today; add a language by adding a table."""

from __future__ import annotations

FR: dict[str, str] = {
    # statuses and actions
    "status.scheduled": "Planifié",
    "status.in_progress": "En cours",
    "status.completed": "Terminé",
    "status.cancelled": "Annulé",
    "action.start": "démarrer",
    "action.end": "terminer",
    "action.cancel": "annuler",
    "tier.lab": "Lab",
    "tier.one": "One",
    "role.operator": "Opérateur",
    "role.client": "Client",
    "role.analyst": "Analyste",
    # errors
    "error.bad_id": "Identifiant invalide.",
    "error.not_found": "Meeting introuvable.",
    "error.recording_not_found": "Enregistrement introuvable.",
    "error.forbidden": "Vous n'avez pas les droits pour cette action.",
    "error.title_empty": "Le titre est obligatoire.",
    "error.title_too_long": "Le titre ne doit pas dépasser {max} caractères.",
    "error.description_too_long": "La description ne doit pas dépasser {max} caractères.",
    "error.illegal_transition": "Impossible de {action} un meeting au statut « {status} ».",
    "error.unknown_client": "Ce client n'existe pas ou n'est pas l'un de vos clients.",
    "error.bad_date": "Date invalide : « {value} ».",
    "error.bad_date_range": "La date de début doit précéder la date de fin.",
    "error.bad_status": "Statut inconnu : « {value} ».",
    "error.bad_page": "Numéro de page invalide.",
    "error.login_failed": "Email ou mot de passe incorrect.",
    "error.login_throttled": "Trop de tentatives. Réessayez dans {minutes} minute(s).",
    "error.bad_email": "Adresse email invalide.",
    "error.email_taken": "Un compte existe déjà avec cet email.",
    "error.weak_password": "Le mot de passe doit contenir au moins {min} caractères.",
    "error.bad_role": "Rôle inconnu : « {value} ».",
    "error.operator_required": "Un client ou un analyste doit être rattaché à un opérateur.",
    "error.media_unavailable": "Le serveur vidéo ne répond pas : {detail}",
    "error.account_not_found": "Aucun compte avec cet email.",
    "error.session_expired": "Votre session a expiré, reconnectez-vous.",
    # navigation and pages
    "app.title": "Visio — Foxeo",
    "nav.hub": "Hub",
    "nav.my_meetings": "Mes meetings",
    "nav.room": "Salle",
    "nav.recordings": "Enregistrements",
    "nav.transcripts": "Transcriptions",
    "nav.logout": "Se déconnecter",
    "login.title": "Connexion",
    "login.email": "Email",
    "login.password": "Mot de passe",
    "login.submit": "Se connecter",
    "login.signed_in_as": "Connecté : {name} ({role})",
    "hub.title": "Hub — meetings de vos clients",
    "hub.filters": "Filtres",
    "hub.filter_status": "Statut",
    "hub.filter_client": "Client",
    "hub.filter_all_clients": "Tous les clients",
    "hub.filter_from": "Du",
    "hub.filter_to": "Au",
    "hub.filter_title": "Titre contient",
    "hub.no_meetings": "Aucun meeting ne correspond à ces filtres.",
    "hub.create": "Nouveau meeting",
    "hub.create_submit": "Créer le meeting",
    "hub.created": "Meeting « {title} » créé.",
    "hub.title_field": "Titre",
    "hub.description_field": "Description",
    "hub.client_field": "Client",
    "hub.date_field": "Date prévue",
    "hub.time_field": "Heure prévue",
    "hub.no_clients": "Vous n'avez encore aucun client.",
    "hub.actions": "Actions sur le meeting",
    "hub.pick_meeting": "Meeting",
    "hub.start": "Démarrer",
    "hub.end": "Terminer",
    "hub.cancel": "Annuler le meeting",
    "hub.confirm": "Confirmer : {action} « {title} » ?",
    "hub.confirm_yes": "Oui, confirmer",
    "hub.confirm_no": "Non",
    "hub.started": "Meeting démarré.",
    "hub.ended": "Meeting terminé (durée : {duration}).",
    "hub.cancelled": "Meeting annulé.",
    "hub.join": "Rejoindre la salle",
    "hub.recordings": "Enregistrements",
    "hub.page": "Page {page} / {pages} — {total} meeting(s)",
    "hub.previous": "Précédent",
    "hub.next": "Suivant",
    "col.title": "Titre",
    "col.client": "Client",
    "col.status": "Statut",
    "col.scheduled_at": "Prévu le",
    "col.started_at": "Démarré le",
    "col.duration": "Durée",
    "mine.title": "Mes meetings",
    "mine.none": "Vous n'avez aucun meeting pour le moment.",
    "mine.join": "Rejoindre",
    "mine.recordings": "Voir les enregistrements",
    "room.title": "Salle de visio",
    "room.unavailable": "La salle de visio n'est pas encore disponible sur cette installation.",
    "room.pick_meeting": "Choisissez un meeting en cours depuis la liste des meetings.",
    "room.back": "Retour aux meetings",
    "room.not_in_progress": "Ce meeting n'est pas en cours (statut : {status}).",
    "recordings.title": "Enregistrements",
    "recordings.unavailable": "Les enregistrements ne sont pas encore disponibles sur cette installation.",
    "transcripts.title": "Transcriptions",
    "transcripts.unavailable": "La recherche dans les transcriptions n'est pas encore disponible.",
    "common.none": "—",
}

_TABLES = {"fr": FR}
_language = "fr"


def t(key: str, **values: object) -> str:
    """The string for `key` in the current language, formatted with `values`."""
    text = _TABLES[_language].get(key, key)
    return text.format(**values) if values else text


def format_duration(seconds: int | None) -> str:
    if seconds is None:
        return t("common.none")
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"
