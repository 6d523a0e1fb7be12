# One date format for dates and date-times alike (Django's Arabic locale has none for date-times
# and falls back to the English "N j, Y, P"). Arabic comma; 24-hour time, so no "a.m." to trail a
# sentence's full stop. The right-to-left marks keep short dates in day/month/year order.
DATE_FORMAT = "j F، Y"
DATETIME_FORMAT = "j F، Y، H:i"
SHORT_DATE_FORMAT = "d\u200f/m\u200f/Y"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
