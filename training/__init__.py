"""PictoVoz training: corpus (`prepare`), and later the LoRA fine-tune, merge and evaluation.

Run `python -m training --help` (console script `pictovoz-train`). The keyword convention and
the prompt format are imported from `app.core.keywords` and `app.generation.prompts`, so what
the model is trained on is exactly what the app sends it. Nothing here imports `app.ui`.
"""
