"""The window's own words in each language (the boards carry their own)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "title": "PictoVoz",
        "dismiss": "Entendido",
        "already_open": "PictoVoz ya está abierto.",
        "home": "Inicio",
        "back": "Atrás",
        "backspace": "Borrar último",
        "clear": "Borrar todo",
        "speak_keywords": "Decir palabras",
        "pin": "Fijar favorito",
        "stop": "Callar",
        "history": "Historial",
        "favourites": "Favoritos",
        "strip_hint": "Toca pictogramas para formar una frase.",
        "thinking": "Pensando…",
        "no_model": "Sin modelo de lenguaje: se dirán las palabras tal cual.",
        "loading": "Cargando el modelo…",
        "quiet": "Modo silencioso (no decir cada pictograma)",
        "language": "English",
        "past": "pasado",
        "future": "futuro",
        "not": "no",
        "question": "¿?",
    },
    "en": {
        "title": "PictoVoz",
        "dismiss": "OK",
        "already_open": "PictoVoz is already open.",
        "home": "Home",
        "back": "Back",
        "backspace": "Delete last",
        "clear": "Clear all",
        "speak_keywords": "Say words",
        "pin": "Pin favourite",
        "stop": "Stop",
        "history": "History",
        "favourites": "Favourites",
        "strip_hint": "Tap pictograms to build a sentence.",
        "thinking": "Thinking…",
        "no_model": "No language model: the words will be spoken as they are.",
        "loading": "Loading the model…",
        "quiet": "Quiet mode (do not speak each pictogram)",
        "language": "Español",
        "past": "past",
        "future": "future",
        "not": "not",
        "question": "?",
    },
}


def text(lang: str, key: str) -> str:
    return TEXTS.get(lang, TEXTS["en"])[key]
