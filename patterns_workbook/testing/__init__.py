"""Test helpers shared by every lab: query counters and one HTTP client interface."""
