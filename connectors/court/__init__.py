"""The court connector: the court's case database on one side, the fyhub SDK on the other."""
