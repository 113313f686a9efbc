"""The rules every layer shares, one home each: disclosure of sensitive data, CRS, UK local
time, defaults, Gi* classes, writing a product. Imports nothing else of hotspots.
"""
