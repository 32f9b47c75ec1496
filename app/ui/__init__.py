"""Qt widgets: they render state and forward intents; the logic lives in app.core and friends."""
