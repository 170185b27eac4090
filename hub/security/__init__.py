"""What the hub trusts and keeps secret: key rings with validity times, and private files."""
