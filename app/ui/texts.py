"""The window's own words in each language (the boards carry their own)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "title": "PictoVoz",
        "dismiss": "Entendido",
        "word_search": "Otra palabra…",
        "word_search_field": "Escribe la palabra",
        "word_search_find": "Buscar pictograma",
        "word_search_plain": "Añadir solo la palabra",
        "word_search_cancel": "Cancelar",
        "word_search_searching": "Buscando…",
        "word_search_pick": "Toca el pictograma que quieres.",
        "word_search_none": "No hay pictograma para esa palabra (o no hay conexión). "
        "Puedes añadir solo la palabra.",
        "word_search_offline": "Sin pictogramas: añade solo la palabra.",
        "unpin": "Quitar",
        "move_up": "▲",
        "move_down": "▼",
        "clear_history": "Borrar historial",
        "clear_history_confirm": "¿Borrar todas las frases del historial? Los favoritos se quedan.",
        "model_ready": "Modelo de lenguaje listo ({model}).",
        "preparing_model": "Preparando el modelo de voz… La primera vez tarda un poco. "
        "Mientras tanto, «Decir palabras» dice los pictogramas tal cual.",
        "prefetch_summary": "Pictogramas: {downloaded} descargados, {cached} ya guardados, "
        "{missing} sin pictograma, {failed} con error.",
        "help": "Ayuda (F1)",
        "more_menus": "Más menús",
        "help_keys": "Teclas de PictoVoz",
        "help_move": "moverse por las casillas",
        "help_press": "pulsar la casilla o el botón elegido",
        "speak_best": "decir la frase elegida",
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
        "word_search": "Another word…",
        "word_search_field": "Type the word",
        "word_search_find": "Find a pictogram",
        "word_search_plain": "Add just the word",
        "word_search_cancel": "Cancel",
        "word_search_searching": "Searching…",
        "word_search_pick": "Tap the pictogram you want.",
        "word_search_none": "No pictogram for that word (or no connection). "
        "You can add just the word.",
        "word_search_offline": "No pictograms: add just the word.",
        "unpin": "Remove",
        "move_up": "▲",
        "move_down": "▼",
        "clear_history": "Clear history",
        "clear_history_confirm": "Clear every sentence from the history? Favourites stay.",
        "model_ready": "Language model ready ({model}).",
        "preparing_model": "Preparing the voice model… The first time takes a little while. "
        "Meanwhile, \u201cSay words\u201d says the pictograms as they are.",
        "prefetch_summary": "Pictograms: {downloaded} downloaded, {cached} already saved, "
        "{missing} without a pictogram, {failed} failed.",
        "help": "Help (F1)",
        "more_menus": "More menus",
        "help_keys": "PictoVoz keys",
        "help_move": "move between tiles",
        "help_press": "press the chosen tile or button",
        "speak_best": "say the chosen sentence",
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


_qt_translators: list = []  # kept alive while installed


def install_qt_translations(lang: str) -> None:
    """Qt's own words (standard buttons, the colour and file dialogs) in the interface's
    language, from the translations PySide6 ships."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

    app = QCoreApplication.instance()
    if app is None:
        return
    for old in _qt_translators:
        app.removeTranslator(old)
    _qt_translators.clear()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase", "qt"):
        translator = QTranslator()
        if translator.load(f"{name}_{lang}", folder):
            app.installTranslator(translator)
            _qt_translators.append(translator)
