from django.urls import path

from vetrisys.scheduling.feed import calendar_feed

app_name = "scheduling_feed"

urlpatterns = [
    path("<str:token>.ics", calendar_feed, name="calendar-feed"),
]
