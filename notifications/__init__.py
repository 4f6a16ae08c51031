"""Notifications: telling a team (and each of its people) that something needs them, in the
portal's inbox, by e-mail and by the team's signed webhook.

Its own app rather than a corner of ``portal`` or ``contracts``: contract governance is its
first sender, and delivery runs and approvals will be the next; each calls
``notifications.actions.notify`` inside its own write, and none of them needs to know about
inboxes, mail servers or webhook signatures. ``portal`` stays the framework every app shares;
this app is a feature with its own rows, pages, background tasks and settings.
"""
