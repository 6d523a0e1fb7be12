# Date-times as the dates plus a 24-hour time: Django's "P" ends in "p.m.", which doubles the full
# stop of a sentence such as "Data on this page last changed on …".
DATE_FORMAT = "N j, Y"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
