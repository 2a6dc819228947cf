"""The web app: staff chat and the admin console."""
