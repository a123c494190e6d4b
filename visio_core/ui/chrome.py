"""Page-wide touches Streamlit has no option for.

Streamlit 1.67 has no locale: a few of its own words stay English whatever the page says. What
it lets us reach is fixed here — the input hints are hidden (CSS), and a small script puts
French words in place of its "Page not found" dialog, the date picker's month names, weekday
initials and dd/mm/yyyy placeholders, the file uploader's words and the "Skip to main content"
link. What stays English is listed
in docs/USER-GUIDE.md's "Known limits".
"""

from __future__ import annotations

import json

import streamlit as st

# Streamlit writes "Press Enter to submit form" / "Press Ctrl+Enter to apply" under focused fields
# in English, with no setting to translate them; Enter still submits, the hint is hidden.
_STYLE = '<style>[data-testid="InputInstructions"] { display: none; }</style>'

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WORDS = {
    "Page not found": "Page introuvable",
    "The page that you have requested does not seem to exist. Running the app's main page.": "Cette adresse ne mène à aucune page : voici la page d'accueil.",
    "Skip to main content": "Aller au contenu",
    "Drag and drop file here": "Glissez-déposez le fichier ici",
    "Browse files": "Parcourir",
    "Upload": "Choisir un fichier",
    **dict(zip(MONTHS, MOIS, strict=True)),
}
# The calendar's weekday initials, Sunday first as Streamlit lays them out.
DAYS = {"SMTWTFS": "DLMMJVS"}
PLACEHOLDERS = {
    "dd": "jj",
    "mm": "mm",
    "yyyy": "aaaa",
    "DD/MM/YYYY": "JJ/MM/AAAA",
    "Choose an option": "Choisissez une option",
}

# Text nodes are replaced whole (a month may carry its year), never parsed as HTML; the observer
# is installed once per browser tab, however many runs draw this element.
_SCRIPT = (
    """<script>
(() => {
  if (window.__visioFrench) return;
  window.__visioFrench = true;
  const words = __WORDS__, days = __DAYS__, holders = __HOLDERS__;
  const swap = (text) => {
    const bare = text.trim();
    if (words[bare]) return text.replace(bare, words[bare]);
    const month = bare.match(/^([A-Z][a-z]+)( \\d{4})$/);
    if (month && words[month[1]]) return text.replace(month[1], words[month[1]]);
    if (holders[bare]) return text.replace(bare, holders[bare]);
    const limit = bare.match(/^Limit (.+) per file(.*)$/);
    if (limit) return text.replace(bare, "Limite " + limit[1] + " par fichier" + limit[2]);
    return null;
  };
  const fix = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const french = swap(node.nodeValue);
      if (french !== null && french !== node.nodeValue) node.nodeValue = french;
    }
    if (!root.querySelectorAll) return;
    for (const row of root.querySelectorAll("thead.react-aria-CalendarGridHeader tr")) {
      const cells = [...row.children], initials = days[cells.map((c) => c.textContent.trim()).join("")];
      if (initials) cells.forEach((cell, i) => { cell.textContent = initials[i]; });
    }
    for (const input of root.querySelectorAll("input[placeholder]")) {
      const p = input.getAttribute("placeholder");
      if (holders[p]) input.setAttribute("placeholder", holders[p]);
    }
  };
  fix(document.body);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "characterData" && change.target.parentElement) fix(change.target.parentElement);
      for (const added of change.addedNodes) {
        if (added.nodeType === Node.ELEMENT_NODE) fix(added);
        else if (added.nodeType === Node.TEXT_NODE && added.parentElement) fix(added.parentElement);
      }
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
})();
</script>""".replace("__WORDS__", json.dumps(WORDS))
    .replace("__DAYS__", json.dumps(DAYS))
    .replace("__HOLDERS__", json.dumps(PLACEHOLDERS))
)


def apply() -> None:
    st.html(_STYLE)
    st.html(_SCRIPT, unsafe_allow_javascript=True)
