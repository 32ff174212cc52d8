"""What ships to students beside their notebook (self-contained: no tdgrade import)."""
