"""Private helpers every layer may use: the loop's thread and timers, kept tasks, bounded feeds.

Must not import any other part of the package, websockets or ipywidgets.
"""
