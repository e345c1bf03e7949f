"""Notifications by e-mail (API.md): call-outs, duty reminders, training and return warnings."""
