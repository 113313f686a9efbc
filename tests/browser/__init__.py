"""Real-browser tests: Debian's chromium driven by Playwright, with the network blocked."""
