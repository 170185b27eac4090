"""The county petition bureau (信访局) as a member unit: its petition register on its own database;
petitions about court cases referred to the court (诉访分离) and the court's handling recorded
back; the court's referrals of non-litigation petitions answered as every department does."""
