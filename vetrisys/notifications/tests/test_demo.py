"""Demo messages: a history of sent reminders, a few failed and queued, loaded once."""

from __future__ import annotations

from collections import Counter

from vetrisys.clients import demo as clients_demo
from vetrisys.notifications import demo
from vetrisys.notifications.models import LocationMessaging, Message
from vetrisys.patients import demo as patients_demo


def test_demo_messages_tell_a_story_and_load_once(world):
    owners = clients_demo.load(organization=world.org)
    patients_demo.load(organization=world.org, clients=owners)
    locations = [world.location_a, world.location_b]

    demo.load(organization=world.org, locations=locations)
    demo.load(organization=world.org, locations=locations)

    statuses = Counter(Message.objects.values_list("status", flat=True))
    assert statuses == {"sent": 38, "failed": 2, "queued": 3, "cancelled": 1}
    assert LocationMessaging.objects.count() == 2
    for message in Message.objects.select_related("client"):
        assert message.client.has_consent(message.channel)
        assert message.body
        assert "{{" not in message.body
    failed = Message.objects.filter(status="failed").order_by("scheduled_for").first()
    assert failed.error == "Twilio 400 (21211): The 'To' number is not a valid phone number."
