"""Qt-free logic shared by the app and `training/`: keyword convention, settings, paths, files."""
