"""Products for a CSP: patrol plans, CCTV coverage and taskings, VAWG walkabout feedback,
ward measures and what changed.
"""
