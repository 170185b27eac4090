"""The joint-meeting office's connector (联席会议办公室, at the justice bureau)."""
