"""The built-in demo: the WoSign 2016 case, computed from the shipped data by the same
queries a user runs, as a document, a text story and a map.

Imports everything below the session (the stored records for its queries, render for its
map).
"""
