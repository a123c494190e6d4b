"""Meeting scripts for bench/wer.py: one (speaker, text) per turn, French and English.

Written for this bench (not taken from anywhere): several people, names, dates, amounts.
Numbers are spelled out as they are said; wer_metric.py turns number words and digits into
the same tokens on both sides. Run on its own, this module prints the word counts.
"""

from __future__ import annotations

# speaker → (mbrola voice, espeak speed in words a minute, pitch 0–99)
FRENCH_VOICES = {
    "Claire": ("mb-fr4", 140, 50),
    "Marc": ("mb-fr1", 140, 45),
    "Sophie": ("mb-fr4", 150, 62),
    "Julien": ("mb-fr1", 135, 58),
}

FRENCH = [
    (
        "Claire",
        "Bonjour à tous, et merci d'être là ce matin. Nous avons une heure pour faire le point "
        "sur le lancement de la nouvelle application de réservation. Marc, tu veux commencer "
        "par l'état technique ?",
    ),
    (
        "Marc",
        "Oui, bien sûr. La version de test est prête depuis mardi. La semaine dernière, nous avons "
        "corrigé une quarantaine d'anomalies, et il en reste encore sept, dont deux sont bloquantes.",
    ),
    (
        "Marc",
        "La première concerne la connexion des utilisateurs sur les anciens téléphones. La seconde "
        "touche l'export des factures au format tableur. Je pense que tout sera réglé d'ici vendredi.",
    ),
    ("Claire", "Très bien. Est-ce que tu as besoin d'aide de la part de l'équipe de Lyon ?"),
    (
        "Marc",
        "Pas pour le moment. En revanche, il faudrait que quelqu'un relise la documentation avant "
        "la mise en ligne. Elle fait presque quatre-vingts pages.",
    ),
    (
        "Sophie",
        "Je peux m'en occuper. J'ai justement un peu de temps cette semaine, puisque le salon "
        "de Bordeaux a été reporté au mois de juin.",
    ),
    ("Claire", "Parfait, merci Sophie. Passons maintenant au budget. Julien, où en sommes-nous ?"),
    (
        "Julien",
        "Alors, pour le premier trimestre, nous avons dépensé un peu moins que prévu. L'écart "
        "vient surtout des frais de déplacement, qui ont baissé de moitié depuis que les "
        "réunions se font en visioconférence.",
    ),
    (
        "Julien",
        "Par contre, la licence du nouvel outil de facturation coûte plus cher que ce qu'on "
        "nous avait annoncé. Il faudra renégocier le contrat avec le fournisseur avant l'été.",
    ),
    ("Claire", "Qui est notre contact chez eux ?"),
    (
        "Julien",
        "C'est Monsieur Girard. Je l'ai eu au téléphone lundi dernier, il attend une proposition écrite de notre part.",
    ),
    (
        "Sophie",
        "Je l'ai rencontré au salon de Nantes l'an dernier. Il est plutôt ouvert à la discussion, "
        "surtout si nous nous engageons sur deux ans.",
    ),
    (
        "Claire",
        "D'accord. Julien, tu prépares la proposition, et Sophie la relit avant l'envoi. "
        "On se fixe le quinze mai comme date limite.",
    ),
    ("Julien", "Ça me va."),
    (
        "Claire",
        "Dernier point, le recrutement. Nous avons reçu une trentaine de candidatures pour le "
        "poste de développeur, et j'ai retenu cinq personnes pour un premier entretien.",
    ),
    (
        "Marc",
        "Je veux bien participer aux entretiens techniques. Il me faudrait les dossiers "
        "quelques jours avant, pour préparer des questions adaptées.",
    ),
    (
        "Claire",
        "Je te les envoie ce soir. Les entretiens auront lieu la semaine prochaine, mardi et "
        "jeudi après-midi, dans la grande salle du troisième étage.",
    ),
    ("Sophie", "Et pour le stagiaire qui arrive en septembre, est-ce qu'on a prévu un ordinateur ?"),
    (
        "Marc",
        "Oui, la commande est partie hier. Il devrait être livré d'ici trois semaines, avec un écran supplémentaire.",
    ),
    (
        "Claire",
        "Très bien. Je crois que nous avons fait le tour. Je récapitule : Marc corrige les deux "
        "anomalies bloquantes avant vendredi, Sophie relit la documentation, Julien prépare "
        "la proposition pour Monsieur Girard, et je m'occupe des entretiens.",
    ),
    (
        "Julien",
        "Une petite question avant de partir : est-ce que la réunion de jeudi est maintenue ? "
        "Plusieurs personnes seront en congé.",
    ),
    (
        "Claire",
        "Bonne remarque. Je préfère la déplacer au lundi suivant, à dix heures, pour que tout "
        "le monde puisse venir. Je vous envoie une nouvelle invitation dans la journée.",
    ),
    ("Sophie", "Merci Claire. Et bon courage à tous pour cette semaine chargée."),
    ("Marc", "Merci, à lundi."),
    ("Claire", "Merci à tous, bonne journée."),
]

ENGLISH_VOICES = {
    "Anna": ("mb-us1", 150, 50),
    "David": ("mb-us2", 145, 45),
    "Oliver": ("mb-en1", 140, 50),
    "Rachel": ("mb-us1", 160, 62),
}

ENGLISH = [
    (
        "Anna",
        "Good morning everyone, and thanks for joining so early. We have a lot to cover today, "
        "so let's start with the website redesign. David, where are we with it?",
    ),
    (
        "David",
        "We're in good shape. The new home page went live on Tuesday, and the feedback has been "
        "mostly positive. The checkout page is still the old one, though. We plan to replace it "
        "by the end of next month.",
    ),
    ("Anna", "What's holding it up?"),
    (
        "David",
        "Mainly the payment provider. Their test environment was down for most of last week, "
        "and we couldn't run the integration tests. They promised it would be fixed by Friday.",
    ),
    (
        "Oliver",
        "I had the same problem with them last year. It might be worth asking for a named "
        "contact, so we don't have to open a ticket every time something breaks.",
    ),
    ("Anna", "Good idea. Oliver, could you write to them today?"),
    ("Oliver", "Sure, I'll send the email this afternoon and copy both of you."),
    ("Anna", "Thanks. Next item is the product catalogue. Rachel, you met the marketing team yesterday."),
    (
        "Rachel",
        "Yes. We looked at the photos on the current site, and honestly most of them are "
        "too dark and too small. Customers have complained about it in the reviews.",
    ),
    (
        "Rachel",
        "We agreed to hire a freelance photographer for the product pictures. "
        "I already have two names, and I'll ask both of them for a quote this week.",
    ),
    ("David", "How many products are we talking about?"),
    (
        "Rachel",
        "About two hundred for the first batch, and the rest in the autumn. We would like the "
        "new pictures online before the summer sale starts.",
    ),
    ("Anna", "That sounds reasonable. Do we have the budget for it?"),
    (
        "Oliver",
        "We should. The marketing budget for this quarter is still mostly unused, because the "
        "trade fair in Chicago was cancelled. I'd say we can spend up to five thousand dollars "
        "without asking the finance team.",
    ),
    ("Anna", "Great. Rachel, please send me the quotes as soon as you get them, and we'll decide together."),
    ("Rachel", "Will do."),
    (
        "Anna",
        "Last topic: hiring. We received about forty applications for the support position, and "
        "Oliver and I have shortlisted six candidates.",
    ),
    (
        "Oliver",
        "The interviews are planned for Wednesday and Thursday. Each one takes about an hour, "
        "and we'd like someone from the technical team in the room as well.",
    ),
    ("David", "I can do Wednesday morning, but not Thursday. Maybe Sam could take the Thursday interviews instead?"),
    (
        "Anna",
        "I'll ask him. So, to sum up. David follows up on the checkout page, Oliver writes to the "
        "payment provider, Rachel gets quotes from photographers, and I organise the interviews "
        "with Sam.",
    ),
    (
        "Rachel",
        "One more thing before we go. The office will be closed next Monday for the bank "
        "holiday, so the weekly meeting moves to Tuesday at ten.",
    ),
    ("Anna", "Right, thanks for reminding us. I'll update the calendar invitation. Thanks everyone, have a good week."),
    ("David", "Thanks, see you Tuesday."),
]

SCRIPTS = {"fr": (FRENCH, FRENCH_VOICES), "en": (ENGLISH, ENGLISH_VOICES)}
KEY_SENTENCE = "We agreed to hire a freelance photographer for the product pictures."


def reference(language: str) -> str:
    turns, _voices = SCRIPTS[language]
    return " ".join(text for _speaker, text in turns)


if __name__ == "__main__":
    for code in SCRIPTS:
        print(code, len(reference(code).split()), "words")
