"""Measures in force (查封、冻结) and the reminder before they lapse (民诉法解释 art. 485).

`hub.measures.book` says what a control request and its answer do to the measures the store
keeps; `hub.measures.reminders` which measures are due their reminder to the court. Both pure."""
