"""Space: H3 cells and neighbours (grid), wards and LSOAs with rates per 1,000 residents (areas)."""
