"""Working days (hari kerja): the calendar and the deadline vocabulary, pure.

Base tier: imports nothing of the project but :mod:`lapor.core` (no models, no database), so
every app that counts working days or says "overdue", "due today" or "due soon" can use it:

* :mod:`lapor.workdays.calendar`: Indonesian working days (weekends, national holidays, cuti
  bersama, an agency's own days off) and deadline arithmetic in an agency's time zone;
* :mod:`lapor.workdays.due`: how a stored deadline reads to staff (overdue / due today / due
  soon), and the bounds a database filter uses for the same words.

Which agency's calendar applies to a report is the report tier's business
(:mod:`lapor.reports.deadlines`).
"""
