"""The installer's parts: profiles, the locked bundle, translations, the release zip and the checks."""
