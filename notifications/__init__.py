"""Notifications: the outbox (in-app notifications and queued deliveries), the channels (in-app, e-mail,
webhook) and the delivery worker.

Other packages call ``notifications.outbox.notify`` inside their own transaction; this package never
imports them (it reads only the rows they write through notify).
"""
