"""The application layer: Qt-free use cases over the services (boards, pictograms, generation,
speech). What the app decides lives here and is tested without widgets; `app.ui` renders its
state and forwards intents, `app.cli` calls it headless."""
