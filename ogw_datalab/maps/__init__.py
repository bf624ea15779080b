"""Render indicator maps (folium) and the site index that links them."""
